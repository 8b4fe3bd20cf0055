"""Old WordPress addresses answer 301 with the new ones; nothing else changes."""

import datetime

import pytest

from blog import redirects
from blog.models import Post, Redirect
from blog.publishing import invalidate_pages
from tests.factories import make_post
from tests.wordpress.builders import item, wxr

CATEGORIES = [(5, "parent", "", "Parent"), (6, "child", "parent", "Child")]
TAGS = [(7, "tea", "Tea")]


@pytest.fixture
def old_site(import_wxr):
    make_post(slug="taken")  # the imported "taken" becomes "taken-2"
    report = import_wxr(
        wxr(
            [
                item(
                    101,
                    post_name="taken",
                    link="http://old.example/2020/05/01/taken/",
                    old_slugs=["first-name"],
                    terms=[("category", "child", "Child"), ("post_tag", "tea", "Tea")],
                ),
                item(
                    102,
                    title="About",
                    post_type="page",
                    post_name="about",
                    link="http://old.example/company/about/",
                ),
                item(103, status="draft", post_name="unfinished"),
            ],
            categories=CATEGORIES,
            tags=TAGS,
        )
    )
    assert report.ok
    page = Post.get(Post.wp_id == 102)
    return {
        "post": Post.get(Post.wp_id == 101).url,
        "page": page.url,
        "comments of page": f"/comments/{page.id}/feed/",
    }


@pytest.mark.parametrize(
    "old, target",
    [
        ("/?p=101", "post"),
        ("/?page_id=102", "page"),
        ("/?p=102", "page"),
        ("/2020/05/01/never-existed/", None),
        ("/company/about/", "page"),
        ("/company/about", "page"),
        ("/2020/05/01/first-name/", "post"),
        ("/category/parent/child/", "/category/child/"),
        ("/category/parent/child/feed/", "/category/child/feed/atom/"),
        ("/category/parent/feed/", "/category/parent/feed/atom/"),
        ("/tag/tea/feed/", "/tag/tea/feed/atom/"),
        ("/?cat=6", "/category/child/"),
        ("/comments/feed/rss2/", "/comments/feed/"),
        ("/company/about/feed/", "comments of page"),
        ("/feed/rss2/", "/feed/rss/"),
    ],
)
def test_old_addresses_answer_301(client, old_site, old, target):
    response = client.get(old)
    if target is None:
        assert response.status_code == 404
        return
    assert response.status_code == 301
    assert response.headers["Location"] == old_site.get(target, target)


def test_a_taken_slug_gets_a_suffix_and_its_old_ids_lead_to_it(client, old_site):
    assert old_site["post"] == "/2020/05/01/taken-2/"
    response = client.get("/?p=101")
    assert response.headers["Location"] == "/2020/05/01/taken-2/"
    assert client.get(response.headers["Location"]).status_code == 200


def test_a_permalink_that_changed_leads_to_the_new_address(client, import_wxr):
    renamed = item(
        5, post_name="new-name", link="http://old.example/2019/12/31/old-name/"
    )
    import_wxr(wxr([renamed]))
    response = client.get("/2019/12/31/old-name/")
    assert response.status_code == 301
    assert response.headers["Location"] == "/2020/05/01/new-name/"


def test_drafts_get_no_redirects(client, old_site):
    assert client.get("/?p=103").status_code == 200  # the home page, as before
    assert not Redirect.select().where(Redirect.old_path == "/?p=103").exists()


def test_a_scheduled_post_is_not_told_before_its_time(client, import_wxr):
    future = {
        "post_date": "2030-01-01 09:00:00",
        "post_date_gmt": "2030-01-01 09:00:00",
    }
    import_wxr(wxr([item(104, status="future", post_name="launch", **future)]))
    # /?p=1, /?p=2, ... would otherwise list every upcoming post's address.
    assert client.get("/?p=104").status_code == 200  # the home page
    assert client.get("/2020/05/01/launch/").status_code == 404

    Post.update(date=datetime.datetime(2024, 1, 1)).execute()
    invalidate_pages()
    arrived = client.get("/?p=104", follow_redirects=True)
    assert arrived.status_code == 200
    assert arrived.request.path == "/2024/01/01/launch/"


def test_a_stored_target_off_the_site_is_never_followed(client, app):
    Redirect.create(old_path="/gone/", target="//evil.example/")
    Redirect.create(old_path="/also-gone/", target="https://evil.example/")
    assert client.get("/gone/").status_code == 404
    assert client.get("/also-gone/").status_code == 404


def test_remember_all_replaces_targets_and_skips_loops(app):
    assert redirects.remember_all({"/a/": "/b/", "/c/": "/c/"}) == 1
    assert redirects.remember_all({"/a/": "/d/"}) == 1
    assert [(r.old_path, r.target) for r in Redirect.select()] == [("/a/", "/d/")]


def test_pages_that_exist_are_served_without_looking_up_redirects(
    client, app, monkeypatch
):
    post = make_post(slug="here")
    Redirect.create(old_path=post.url, target="/elsewhere/")
    looked = []
    monkeypatch.setattr(redirects, "lookup", lambda paths: looked.append(paths))
    assert client.get(post.url).status_code == 200
    assert client.get("/?ref=mail").status_code == 200
    assert looked == []
    assert client.get("/no/such/page/").status_code == 404
    assert looked == [["/no/such/page/"]]
