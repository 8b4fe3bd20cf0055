"""A reader's visit in a real browser: no console error, no CSP violation."""

import datetime

import pytest
from playwright.sync_api import expect

from blog.templating import format_date

pytestmark = pytest.mark.browser

NEWEST_TITLE = "A page weight budget for a text-heavy blog"
POST = "/2024/04/28/nginx-static-files-settings-that-matter/"


def test_home_to_a_post_to_a_related_post_to_a_tag(watched_page, live_server):
    page = watched_page.page
    page.goto(live_server.url + "/")
    expect(page).to_have_title("Field Notes")
    page.get_by_role("link", name=NEWEST_TITLE, exact=True).click()

    expect(page.locator("h1")).to_have_text(NEWEST_TITLE)
    today = format_date(datetime.datetime.now(datetime.UTC), "%a. %b %o, %Y")
    expect(page.locator(".topbar .today")).to_have_text(today)
    expect(page.locator(".post-header .meta")).to_contain_text("Mira Castellanos")

    related = page.locator("section.related li a")
    expect(related.first).to_be_visible()
    assert related.count() <= 5
    related_title = related.first.inner_text()
    related.first.click()
    expect(page.locator("h1")).to_have_text(related_title)

    tag = page.locator(".post-footer .tags a").first
    tag_name = tag.inner_text()
    tag.click()
    expect(page.locator("h1")).to_have_text(f"Tag: {tag_name}")
    expect(page.get_by_role("link", name=related_title, exact=True)).to_be_visible()
    assert watched_page.problems == []


# 320 CSS pixels: the width WCAG 1.4.10 (Reflow) asks a page to fit without
# scrolling sideways, as a 1280 px screen zoomed to 400 %.
@pytest.mark.parametrize(
    "width", [1280, 390, 320], ids=["desktop", "mobile", "zoomed-400"]
)
def test_pages_fit_the_screen(watched_page, live_server, width, tmp_path):
    page = watched_page.page
    page.set_viewport_size({"width": width, "height": 900})
    for name, path in (("home", "/"), ("post", POST), ("tag", "/tag/nginx/")):
        page.goto(live_server.url + path)
        page.screenshot(path=tmp_path / f"{name}-{width}.png", full_page=True)
        # Code blocks and tables scroll inside themselves; the page never does.
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    assert watched_page.problems == []


def test_keyboard_users_skip_to_the_content_and_see_focus(watched_page, live_server):
    page = watched_page.page
    page.goto(live_server.url + POST)
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == (
        "solid"
    )
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.tagName")
    assert focused == "A"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineWidth") == (
        "3px"
    )


@pytest.mark.parametrize(
    ("scheme", "background"),
    [("light", "rgb(255, 255, 255)"), ("dark", "rgb(18, 20, 23)")],
)
def test_the_colour_scheme_follows_the_reader(
    watched_page, live_server, scheme, background
):
    page = watched_page.page
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + "/")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == (
        background
    )


def test_the_search_box_in_the_header_searches(watched_page, live_server):
    page = watched_page.page
    page.goto(live_server.url + "/about/")
    page.get_by_role("searchbox", name="Search posts").fill("sqlite")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=sqlite")
    expect(page.locator("h1")).to_contain_text("sqlite")
    expect(page.get_by_role("searchbox", name="Search posts")).to_have_value("sqlite")
    assert watched_page.problems == []


@pytest.mark.parametrize(
    "path",
    [
        "/2024/",
        "/2024/04/",
        "/2024/04/28/",
        "/category/performance/",
        "/author/ada-lindqvist/",
        "/search/?q=nginx",
        "/search/?q=",
        "/login/",
    ],
)
def test_archives_search_and_login_are_clean(watched_page, live_server, path):
    response = watched_page.page.goto(live_server.url + path)
    assert response.status == 200
    assert watched_page.problems == []


def test_csp_violations_would_be_caught(watched_page, live_server):
    """The watcher is not blind: a page breaking the policy is reported."""
    page = watched_page.page
    probe = live_server.url + "/csp-probe/"
    page.route(
        probe,
        lambda route: route.fulfill(
            status=200,
            headers={
                "Content-Type": "text/html",
                "Content-Security-Policy": "default-src 'self'",
            },
            body='<p style="color: red">x</p><script>document.title = "x"</script>',
        ),
    )
    with page.expect_console_message(lambda message: "CSP violation" in message.text):
        page.goto(probe)
    assert any("CSP violation" in problem for problem in watched_page.problems)
    assert page.title() != "x"


@pytest.mark.parametrize("feed", ["/feed/atom/", "/feed/rss/", "/comments/feed/"])
def test_a_feed_opened_in_a_tab_finds_an_icon(watched_page, live_server, feed):
    # The browser asks for /favicon.ico for a page that names no icon; it
    # answered 404, an error in the console.
    watched_page.page.goto(live_server.url + feed)
    watched_page.page.wait_for_load_state("networkidle")
    assert watched_page.problems == []
