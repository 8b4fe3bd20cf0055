"""The moderation queue over HTTP, with CSRF on, as a moderator uses it."""

import datetime
import json
import re

import pytest

from blog import privacy_tools
from blog.comment_models import Comment
from blog.comments import actions, queue
from blog.db import is_sqlite
from blog.models import AuditEntry, utcnow
from tests.admin.conftest import make_comment
from tests.factories import make_post


@pytest.fixture
def post(app):
    return make_post(title="Commented")


@pytest.fixture
def moderator(browser_for):
    return browser_for("moderator")


def _shown_ids(html: str) -> list[int]:
    return [
        int(i) for i in re.findall(r'<li class="comment[^"]*" id="comment-(\d+)"', html)
    ]


def _act(browser, data, page="/admin/comments/"):
    return browser.post("/admin/comments/act", data, page=page)


def _empty_spam(browser, page: str):
    """Press "Empty spam" on the spam folder's page."""
    seen_at = re.search(r'name="seen_at" value="([^"]+)"', page).group(1)
    return browser.post(
        "/admin/comments/empty-spam",
        {"seen_at": seen_at},
        page="/admin/comments/?status=spam",
    )


def test_tabs_show_counts_and_newest_first(moderator, post):
    now = utcnow()
    older = make_comment(post, created_at=now - datetime.timedelta(hours=2))
    newer = make_comment(post, created_at=now - datetime.timedelta(minutes=5))
    make_comment(post, "spam")
    html = moderator.get("/admin/comments/").get_data(as_text=True)
    assert _shown_ids(html) == [newer.id, older.id]
    assert re.search(r'Pending <span class="count">2</span>', html)
    assert re.search(r'Spam <span class="count">1</span>', html)
    assert re.search(r'Trash <span class="count">0</span>', html)
    assert "2 h ago" in html and "5 min ago" in html


def test_a_comment_shows_what_a_moderator_needs(moderator, post):
    verdicts = [
        {"check": "links", "outcome": "hold", "reason": "3 links", "score": None},
        {
            "check": "classifier",
            "outcome": "pass",
            "reason": "looks fine",
            "score": 0.12,
        },
    ]
    make_comment(
        post,
        body="Visit **my** site",
        author_name="Jo Reader",
        author_email="jo@example.net",
        author_url="https://jo.example.net/",
        verdicts=json.dumps(verdicts),
    )
    html = moderator.get("/admin/comments/").get_data(as_text=True)
    for expected in (
        "Jo Reader",
        "jo@example.net",
        "https://jo.example.net/",
        "<strong>my</strong>",
        "203.0.113.0/24",
        f'<a href="{post.url}">Commented</a>',
        "3 links",
        "looks fine",
        "0.12",
    ):
        assert expected in html
    assert re.search(r'<img class="avatar" src="/identicon/[0-9a-f]{20}\.svg"', html)


def test_queue_is_paginated(moderator, post):
    start = utcnow() - datetime.timedelta(days=1)
    made = [
        make_comment(post, created_at=start + datetime.timedelta(minutes=n))
        for n in range(queue.PER_PAGE + 5)
    ]
    first = moderator.get("/admin/comments/").get_data(as_text=True)
    second = moderator.get("/admin/comments/?page=2").get_data(as_text=True)
    assert len(_shown_ids(first)) == queue.PER_PAGE
    assert _shown_ids(second) == [c.id for c in reversed(made[:5])]
    assert "Page 2 of 2" in second


@pytest.mark.parametrize(
    "field, q, expected",
    [
        ("text", "kangaroo", "by_text"),
        ("author", "Marguerite", "by_author"),
        ("email", "unique@example.org", "by_email"),
        ("website", "odd-site.example", "by_website"),
        ("ip", "198.51.100", "by_ip"),
        ("ip", "198.51.100.77", "by_ip"),  # a whole address finds its network
        ("all", "kangaroo", "by_text"),
    ],
)
def test_search_by_each_field(moderator, post, field, q, expected):
    made = {
        "by_text": make_comment(post, body="I saw a kangaroo"),
        "by_author": make_comment(post, author_name="Marguerite"),
        "by_email": make_comment(post, author_email="unique@example.org"),
        "by_website": make_comment(post, author_url="https://odd-site.example/"),
        "by_ip": make_comment(post, ip_prefix="198.51.100.0/24"),
    }
    html = moderator.get(
        "/admin/comments/", query_string={"q": q, "field": field}
    ).get_data(as_text=True)
    assert _shown_ids(html) == [made[expected].id]


def test_approve_from_the_queue_publishes_on_the_cached_post_page(app, moderator, post):
    comment = make_comment(post, body="A reader's kind words")
    reader = app.test_client()
    assert "A reader's kind words" not in reader.get(post.url).get_data(as_text=True)
    # Cached now: only a bump of the generation shows the approval.
    assert "A reader's kind words" not in reader.get(post.url).get_data(as_text=True)
    response = _act(
        moderator, {"row_action": f"approve:{comment.id}", "status": "pending"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/comments/?status=pending#queue"
    assert Comment.get_by_id(comment.id).status == "approved"
    assert "A reader's kind words" in reader.get(post.url).get_data(as_text=True)
    response = _act(
        moderator, {"row_action": f"unapprove:{comment.id}", "status": "approved"}
    )
    assert "A reader's kind words" not in reader.get(post.url).get_data(as_text=True)


def test_bulk_action_on_ticked_comments(moderator, post):
    picked = [make_comment(post), make_comment(post)]
    left = make_comment(post)
    data = {"action": "spam", "ids": [c.id for c in picked], "status": "pending"}
    _act(moderator, data)
    assert {c.id for c in Comment.select().where(Comment.status == "spam")} == {
        c.id for c in picked
    }
    assert Comment.get_by_id(left.id).status == "pending"


def test_all_on_this_page_works_without_javascript(moderator, post):
    made = [make_comment(post) for _ in range(3)]
    page = moderator.get("/admin/comments/").get_data(as_text=True)
    page_ids = re.search(r'name="page_ids" value="([^"]*)"', page).group(1)
    data = {"action": "trash", "all_on_page": "on", "page_ids": page_ids}
    _act(moderator, data)
    assert {c.status for c in Comment.select()} == {"deleted"}
    assert len(made) == AuditEntry.select().count()


def test_focus_returns_to_the_list_after_an_action(moderator, post):
    comment = make_comment(post)
    response = _act(moderator, {"row_action": f"trash:{comment.id}"})
    page = moderator.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'<ol id="queue"[^>]*autofocus', page)
    assert "Trash: 1 comment(s)" in page
    # Without an action, the search box keeps its natural place in the tab order.
    page = moderator.get("/admin/comments/").get_data(as_text=True)
    assert not re.search(r'<ol id="queue"[^>]*autofocus', page)


def test_nothing_selected_is_explained(moderator, post):
    make_comment(post)
    response = _act(moderator, {"action": "approve"})
    page = moderator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Select at least one comment first." in page


def test_actions_need_csrf(moderator, post):
    comment = make_comment(post)
    response = moderator.post_raw(
        "/admin/comments/act", data={"row_action": f"approve:{comment.id}"}
    )
    assert response.status_code == 400
    assert Comment.get_by_id(comment.id).status == "pending"


def test_empty_spam_button(moderator, post):
    make_comment(post, "spam")
    make_comment(post, "spam")
    kept = make_comment(post)
    page = moderator.get("/admin/comments/?status=spam").get_data(as_text=True)
    assert 'id="empty-spam"' in page
    response = _empty_spam(moderator, page)
    assert response.status_code == 302
    assert [c.id for c in Comment.select()] == [kept.id]


def test_empty_spam_spares_spam_that_came_after_the_folder_was_shown(moderator, post):
    seen = make_comment(post, "spam", modified_at=utcnow() - datetime.timedelta(1))
    page = moderator.get("/admin/comments/?status=spam").get_data(as_text=True)
    assert _shown_ids(page) == [seen.id]
    unseen = make_comment(post, "spam")  # arrived while the moderator read
    response = _empty_spam(moderator, page)
    assert [c.id for c in Comment.select()] == [unseen.id]
    page = moderator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Deleted 1 spam comment(s) for good" in page


def test_a_page_emptied_by_an_action_sends_to_the_last_page(moderator, post):
    make_comment(post)
    response = moderator.get("/admin/comments/?page=3")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/comments/?status=pending#queue"


def test_past_the_last_of_several_pages_goes_to_the_last_one(moderator, post):
    for _ in range(2 * queue.PER_PAGE + 1):
        make_comment(post)
    response = moderator.get("/admin/comments/?page=5")
    assert (
        response.headers["Location"] == "/admin/comments/?status=pending&page=3#queue"
    )


@pytest.mark.parametrize(
    "data",
    [
        {"row_action": "approve:²"},
        {"action": "approve", "ids": ["²", "9" * 30]},
        {"action": "approve", "all_on_page": "on", "page_ids": "²,٣"},
    ],
)
def test_ids_that_are_no_comment_ids_select_nothing(moderator, post, data):
    comment = make_comment(post)
    response = _act(moderator, data)
    assert response.status_code == 302
    page = moderator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Select at least one comment first." in page
    assert Comment.get_by_id(comment.id).status == "pending"


def test_reply_and_edit_from_the_comment_page(app, moderator, post):
    comment = make_comment(post, body="First words")
    path = f"/admin/comments/{comment.id}/"
    response = moderator.post(f"{path}reply", {"body": "Welcome!"}, page=path)
    assert response.status_code == 302
    reply = Comment.get(Comment.body == "Welcome!")
    assert (reply.parent_id, reply.status) == (comment.id, "approved")
    response = moderator.post(f"{path}edit", {"body": "Better words"}, page=path)
    assert response.status_code == 302
    assert "Better words" in Comment.get_by_id(comment.id).body_html
    page = moderator.get(path).get_data(as_text=True)
    assert "comment.approve" in page and "comment.edit" in page
    assert "Better words" in app.test_client().get(post.url).get_data(as_text=True)


def test_an_empty_reply_is_refused_beside_the_form(moderator, post):
    comment = make_comment(post)
    path = f"/admin/comments/{comment.id}/"
    response = moderator.post(f"{path}reply", {"body": " "}, page=path)
    assert response.status_code == 400
    assert 'id="reply-error"' in response.get_data(as_text=True)


def _refused(app, moderator, post, form: str, typed: str) -> str:
    """The comment page answering a reply or edit that is too long."""
    app.extensions["settings"].set("max_comment_length", 100)
    comment = make_comment(post, body="The reader's words")
    path = f"/admin/comments/{comment.id}/"
    response = moderator.post(f"{path}{form}", {"body": typed * 40}, page=path)
    assert response.status_code == 400
    assert Comment.get_by_id(comment.id).body == "The reader's words"
    return response.get_data(as_text=True)


@pytest.mark.parametrize("form", ["reply", "edit"])
def test_a_refused_reply_or_edit_keeps_the_moderators_text(app, moderator, post, form):
    html = _refused(app, moderator, post, form, "Long & <meant> ")
    area = re.search(rf'<textarea id="{form}-body"[^>]*>([^<]*)</textarea>', html)
    assert area.group(1) == "Long &amp; &lt;meant&gt; " * 40


@pytest.mark.parametrize("form", ["reply", "edit"])
def test_a_refusal_is_one_sentence_tied_to_its_box(app, moderator, post, form):
    html = _refused(app, moderator, post, form, "Long ")
    area = re.search(rf'<textarea id="{form}-body"([^>]*)>', html).group(1)
    assert f'aria-describedby="{form}-error"' in area
    assert 'aria-invalid="true"' in area
    error = re.search(
        rf'<p class="form-error" role="alert" id="{form}-error">(.*?)</p>', html
    )
    assert error.group(1) == "Comment may be at most 100 characters long; it has 199."


def test_row_action_from_the_comment_page_returns_there(moderator, post):
    comment = make_comment(post, "spam")
    path = f"/admin/comments/{comment.id}/"
    response = _act(
        moderator, {"row_action": f"not_spam:{comment.id}", "next": path}, path
    )
    assert response.headers["Location"] == path
    assert Comment.get_by_id(comment.id).status == "approved"


def test_deleting_from_the_comment_page_returns_to_the_trash(moderator, post):
    comment = make_comment(post, "deleted")
    path = f"/admin/comments/{comment.id}/"
    response = _act(
        moderator, {"row_action": f"delete:{comment.id}", "next": path}, path
    )
    assert response.headers["Location"] == "/admin/comments/?status=trash#queue"
    assert moderator.get(response.headers["Location"]).status_code == 200
    assert not Comment.select().where(Comment.id == comment.id).exists()


def test_opening_the_queue_changes_nothing(moderator, post):
    old = utcnow() - datetime.timedelta(days=90)
    make_comment(post, "spam", modified_at=old)
    moderator.get("/admin/comments/?status=spam")
    moderator.get("/admin/")
    assert Comment.select().count() == 1


def test_counts_per_tab(post):
    for status in ("pending", "pending", "spam", "deleted"):
        make_comment(post, status)
    assert queue.counts() == {"pending": 2, "approved": 0, "spam": 1, "trash": 1}


@pytest.mark.parametrize("q", ["ab", "Ab", 'b"c', "50%", "a_b"])
def test_short_and_odd_searches_match_exactly(post, q):
    hit = make_comment(post, body=f"xx {q} yy")
    make_comment(post, body="nothing to see")
    found = queue.page(queue.Query(q=q, field="text"), 1)
    assert [c.id for c in found.items] == [hit.id]


def test_a_common_word_pages_without_a_total(moderator, post):
    made = [
        make_comment(post, body=f"common word {n}") for n in range(queue.PER_PAGE + 3)
    ]
    first = queue.page(queue.Query(q="common"), 1)
    second = queue.page(queue.Query(q="common"), 2)
    assert (first.total, first.has_next, second.has_next) == (None, True, False)
    assert len(first.items) == queue.PER_PAGE and len(second.items) == 3
    html = moderator.get("/admin/comments/?q=common&page=2").get_data(as_text=True)
    assert "<span>Page 2</span>" in html
    assert len(_shown_ids(html)) == 3
    assert {c.id for c in first.items + second.items} == {c.id for c in made}


def test_search_follows_edits_erasure_and_deletion(app, users, post):
    comment = make_comment(
        post, body="original wording", author_email="gone@example.org"
    )
    settings = app.extensions["settings"].all()
    actions.edit(comment.id, users["moderator"], "revised wording", settings)
    assert queue.page(queue.Query(q="original", field="text"), 1).items == []
    assert len(queue.page(queue.Query(q="revised", field="text"), 1).items) == 1
    privacy_tools.erase("gone@example.org", "test secret key")
    assert queue.page(queue.Query(q="gone@example", field="email"), 1).items == []
    actions.apply("trash", [comment.id], users["moderator"])
    actions.apply("delete", [comment.id], users["moderator"])
    assert queue.page(queue.Query(tab="trash", q="revised"), 1).items == []


def test_a_search_page_past_the_end_goes_back_to_the_first(moderator, post):
    make_comment(post, body="lonely")
    response = moderator.get("/admin/comments/?q=lonely&page=4")
    assert (
        response.headers["Location"] == "/admin/comments/?status=pending&q=lonely#queue"
    )


def test_big_tabs_are_counted_up_to_the_cap(moderator, post, monkeypatch):
    monkeypatch.setattr(queue, "COUNT_CAP", 3)
    for _ in range(5):
        make_comment(post)
    assert queue.counts()["pending"] == 4
    html = moderator.get("/admin/comments/?page=1").get_data(as_text=True)
    assert re.search(r'Pending <span class="count">3\+</span>', html)
    found = queue.page(queue.Query(), 1, per_page=2, total=4)
    assert (found.total, found.has_next) == (None, True)


@pytest.mark.parametrize(
    "q, found",
    [
        ("kanga", True),  # the start of a word
        ("red kanga", True),
        ("red kangaroo,", True),
        ("angaroo", False),  # not the start of a word: SQLite's word index
        ("re kangaroo", None),  # "re" is too short to look up: every comment tested
    ],
)
def test_text_search_narrows_by_whole_words_and_a_last_prefix(post, q, found):
    hit = make_comment(post, body="A red kangaroo, twice")
    make_comment(post, body="Something else entirely")
    shown = [c.id for c in queue.page(queue.Query(q=q, field="text"), 1).items]
    if found is None or not is_sqlite():
        found = q in hit.body
    assert shown == ([hit.id] if found else [])


def test_an_approved_reply_readers_do_not_see_says_why(moderator, post):
    first = make_comment(post, "deleted")
    reply = make_comment(post, "approved", parent=first, thread=first)
    shown = make_comment(post, "approved")
    note = f'its thread\'s first comment, <a href="/admin/comments/{first.id}/">'
    queue_page = moderator.get("/admin/comments/?status=approved").get_data(
        as_text=True
    )
    assert queue_page.count("Readers do not see it") == 1
    assert note in queue_page
    detail = moderator.get(f"/admin/comments/{reply.id}/").get_data(as_text=True)
    assert "Readers do not see it" in detail
    other = moderator.get(f"/admin/comments/{shown.id}/").get_data(as_text=True)
    assert "Readers do not see it" not in other


@pytest.mark.parametrize("how", ["empty spam", "purge"])
def test_deleting_a_thread_for_good_shows_its_replies_on_the_cached_page(
    app, moderator, post, how
):
    root = make_comment(post, "approved", body="The first word")
    make_comment(
        post, "approved", body="A kind reply", parent=root, thread=root, depth=1
    )
    old = utcnow() - datetime.timedelta(days=31)
    actions.apply("spam", [root.id], None)
    Comment.update(modified_at=old).where(Comment.id == root.id).execute()
    reader = app.test_client()
    # Cached now: its thread is off the page while its first comment is spam.
    assert "A kind reply" not in reader.get(post.url).get_data(as_text=True)
    if how == "empty spam":
        _empty_spam(moderator, moderator.get("/admin/comments/?status=spam").text)
    else:
        actions.purge(30)
    assert not Comment.select().where(Comment.id == root.id).exists()
    # The reply took its place: readers see it at once, as after "delete".
    assert "A kind reply" in reader.get(post.url).get_data(as_text=True)


@pytest.mark.parametrize(
    "path, location",
    [
        (
            "/admin/comments/act?status=spam&q=pills",
            "/admin/comments/?status=spam&q=pills#queue",
        ),
        ("/admin/comments/act", "/admin/comments/?status=pending#queue"),
        ("/admin/comments/undo/7", "/admin/comments/?status=pending#queue"),
        ("/admin/comments/empty-spam", "/admin/comments/?status=spam#queue"),
        ("/admin/comments/{id}/reply", "/admin/comments/{id}/#reply-title"),
        ("/admin/comments/{id}/edit", "/admin/comments/{id}/#edit-title"),
    ],
)
def test_opening_an_action_link_leads_to_its_page_and_changes_nothing(
    moderator, post, path, location
):
    comment = make_comment(post, "spam")
    response = moderator.get(path.format(id=comment.id))
    assert response.status_code == 302
    assert response.headers["Location"] == location.format(id=comment.id)
    assert moderator.get(response.headers["Location"]).status_code == 200
    assert Comment.get_by_id(comment.id).status == "spam"


def test_a_reply_to_a_comment_marked_spam_meanwhile_says_why_and_keeps_the_text(
    moderator, users, post
):
    comment = make_comment(post)
    path = f"/admin/comments/{comment.id}/"
    form_page = moderator.get(path).get_data(as_text=True)
    assert 'id="reply-body"' in form_page
    # Another moderator marks it spam while this one writes the reply.
    actions.apply("spam", [comment.id], users["admin"])
    response = moderator.post(f"{path}reply", {"body": "Thanks & welcome"}, page=path)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Only a pending or approved comment can be answered." in html
    assert "Thanks &amp; welcome</textarea>" in html
    assert not Comment.select().where(Comment.parent == comment.id).exists()


def test_a_reply_from_a_search_leads_back_to_the_same_queue_page(moderator, post):
    for n in range(queue.PER_PAGE + 1):
        make_comment(post, body=f"About fonts, comment {n}")
    listing = "/admin/comments/?status=pending&q=fonts&page=2"
    html = moderator.get(listing).get_data(as_text=True)
    link = re.search(r'href="([^"]+)">Reply or edit</a>', html).group(1)
    path = link.replace("&amp;", "&")
    detail = moderator.get(path).get_data(as_text=True)
    back = re.search(r'<a href="([^"]+)">← Back to the queue', detail).group(1)
    assert back.replace("&amp;", "&") == listing + "#queue"
    response = moderator.post(
        path.split("?")[0] + "reply", {"body": "Welcome!", "back": listing}, page=path
    )
    assert response.status_code == 302
    detail = moderator.get(response.headers["Location"]).get_data(as_text=True)
    assert "published" in detail
    back = re.search(r'<a href="([^"]+)">← Back to the queue', detail).group(1)
    assert back.replace("&amp;", "&") == listing + "#queue"


@pytest.mark.parametrize("back", ["https://elsewhere.example/", "/admin/users/"])
def test_the_way_back_leads_only_to_the_queue(moderator, post, back):
    comment = make_comment(post)
    detail = moderator.get(
        f"/admin/comments/{comment.id}/", query_string={"back": back}
    )
    link = re.search(r'<a href="([^"]+)">← Back to the queue', detail.text).group(1)
    assert link == "/admin/comments/?status=pending#queue"
