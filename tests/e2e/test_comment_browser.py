"""Commenting in a real browser: post, reply, moderation notice, JavaScript off."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import REPORT_CSP_VIOLATIONS

pytestmark = pytest.mark.browser

# Set for this module so results do not depend on the order of comments made by
# other browser tests from the same address; put back afterwards.
SETTINGS = {
    "min_form_seconds": "0",
    "check_flood": "false",
    "check_rate": "false",
    "check_classifier": "false",
    # The admin browser test marks a comment from this same address as spam.
    "check_blocklist": "false",
    "hold_all": "false",
}


@pytest.fixture(scope="module")
def site(live_server):
    before = {
        key: live_server.cli("settings", "get", key).stdout.strip() for key in SETTINGS
    }
    for key, value in SETTINGS.items():
        live_server.cli("settings", "set", key, value)
    yield live_server
    for key, value in before.items():
        live_server.cli("settings", "set", key, value)


def _post_url(page, site) -> str:
    page.goto(site.url + "/")
    return page.locator("main article h2 a").first.get_attribute("href")


def _fill(
    page, text, name="Ada Browser", email="ada.browser@example.org", remember=False
):
    page.fill("#comment", text)
    page.fill("#author", name)
    page.fill("#email", email)
    if remember:
        page.check("#remember")


def _send(page) -> str:
    """Post the form and land on the comment; its id."""
    before = page.url
    page.get_by_role("button", name="Post Comment").click()
    # The page may already show another comment's #comment-N.
    page.wait_for_url(lambda url: url != before and re.search(r"#comment-\d+$", url))
    return page.url.rsplit("#comment-", 1)[1]


def test_comment_then_reply_with_javascript(site, watched_page):
    page = watched_page.page
    post = _post_url(page, site)
    page.goto(site.url + post)
    expect(page.get_by_role("heading", name="Leave a Reply")).to_be_visible()
    expect(
        page.get_by_text("Your email address will not be published.")
    ).to_be_visible()
    decoy = page.locator("#homepage").bounding_box()
    assert decoy["x"] + decoy["width"] <= 0 or decoy["width"] <= 1  # out of sight

    _fill(page, "A first comment from a real browser.", remember=True)
    comment_id = _send(page)
    item = page.locator(f"#comment-{comment_id}")
    expect(item).to_contain_text("A first comment from a real browser.")
    expect(item).to_contain_text("Ada Browser")

    # The saved details come back from the cookie, filled in by comments.js.
    page.goto(site.url + post)
    expect(page.locator("#author")).to_have_value("Ada Browser")
    expect(page.locator("#email")).to_have_value("ada.browser@example.org")
    expect(page.locator("#remember")).to_be_checked()

    page.locator(f"#comment-{comment_id} .comment-reply-link").first.click()
    # The form moved under the comment, set to answer it.
    expect(page.locator(f"#comment-{comment_id} #respond")).to_have_count(1)
    expect(page.locator("#parent")).to_have_value(comment_id)
    expect(page.locator("#reply-title")).to_contain_text("Leave a Reply to Ada Browser")
    page.click("#cancel-comment-reply-link")
    expect(page.locator(f"#comment-{comment_id} #respond")).to_have_count(0)
    expect(page.locator("#parent")).to_have_value("")
    page.locator(f"#comment-{comment_id} .comment-reply-link").first.click()

    page.fill("#comment", "And a reply to it.")
    reply_id = _send(page)
    nested = page.locator(f"#comment-{comment_id} > ol.children > #comment-{reply_id}")
    expect(nested).to_contain_text("And a reply to it.")
    assert watched_page.problems == []


def test_a_held_comment_shows_only_to_its_author(site, watched_page, browser):
    page = watched_page.page
    post = _post_url(page, site)
    site.cli("settings", "set", "hold_all", "true")
    try:
        page.goto(site.url + post)
        _fill(
            page, "Please hold this one.", name="Held Person", email="held@example.org"
        )
        _send(page)
        expect(page.get_by_text("Your comment is awaiting moderation.")).to_be_visible()
        expect(page.get_by_text("Please hold this one.")).to_be_visible()

        stranger = browser.new_context()
        other = stranger.new_page()
        other.goto(site.url + post)
        expect(other.get_by_text("Please hold this one.")).to_have_count(0)
        expect(other.get_by_text("awaiting moderation")).to_have_count(0)
        stranger.close()
    finally:
        site.cli("settings", "set", "hold_all", "false")
    assert watched_page.problems == []


def test_a_form_shown_again_keeps_what_its_reader_chose(site, watched_page):
    """Saved details fill a new form, never one sent back with the reader's own."""
    page = watched_page.page
    post = _post_url(page, site)
    page.goto(site.url + post)
    _fill(page, "Saving my details.", name="Kept Name", remember=True)
    _send(page)

    page.goto(site.url + post)
    expect(page.locator("#remember")).to_be_checked()
    page.uncheck("#remember")
    page.fill("#comment", "Now without saving, and a bad website.")
    page.fill("#url", "ftp://not-a-website")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator(".form-errors")).to_be_visible()
    expect(page.locator("#remember")).not_to_be_checked()
    page.fill("#url", "")
    _send(page)
    names = [cookie["name"] for cookie in page.context.cookies()]
    assert "comment_author" not in names
    # The browser reports the form page's own 422 status; nothing else.
    assert [p for p in watched_page.problems if "status of 422" not in p] == []


def test_everything_works_with_javascript_off(site, browser):
    context = browser.new_context(java_script_enabled=False)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    post = _post_url(page, site)
    page.goto(site.url + post)
    _fill(
        page,
        "Written with scripts off.",
        name="No Script",
        email="noscript@example.org",
    )
    comment_id = _send(page)
    expect(page.locator(f"#comment-{comment_id}")).to_contain_text(
        "Written with scripts off."
    )

    # Reply is a plain link that reloads the page with the form set to answer.
    page.locator(f"#comment-{comment_id} .comment-reply-link").first.click()
    page.wait_for_url(re.compile(rf"replytocom={comment_id}"))
    expect(page.locator("#reply-title")).to_contain_text("Leave a Reply to No Script")
    assert page.locator("#parent").input_value() == comment_id
    _fill(
        page, "A reply without scripts.", name="No Script", email="noscript@example.org"
    )
    reply_id = _send(page)
    nested = page.locator(f"#comment-{comment_id} > ol.children > #comment-{reply_id}")
    expect(nested).to_contain_text("A reply without scripts.")

    context.close()


def test_a_long_name_keeps_to_a_narrow_screen(site, watched_page):
    """A name without spaces wraps in its thread: the page never scrolls sideways."""
    page = watched_page.page
    page.set_viewport_size({"width": 360, "height": 740})
    post = _post_url(page, site)
    page.goto(site.url + post)
    _fill(page, "A long name.", name="Wolfeschlegelsteinhausenbergerdorff" * 4)
    comment_id = _send(page)
    page.locator(f"#comment-{comment_id} .comment-reply-link").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert watched_page.problems == []


def test_cancel_reply_from_the_keyboard_keeps_the_readers_place(site, watched_page):
    """Cancel reply hides itself: the focus goes back to Reply, not the page top."""
    page = watched_page.page
    post = _post_url(page, site)
    page.goto(site.url + post)
    _fill(page, "A comment to answer from the keyboard.")
    comment_id = _send(page)
    reply = page.locator(f"#comment-{comment_id} .comment-reply-link")
    reply.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#comment")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#cancel-comment-reply-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#parent")).to_have_value("")
    expect(reply).to_be_focused()
    assert watched_page.problems == []


def test_cancel_of_a_reply_form_the_server_placed_keeps_the_reader_at_it(
    site, watched_page
):
    """As after a reply sent back with an error: the form never moved, so
    Cancel leaves the reader in it, not at the far-away Reply link."""
    page = watched_page.page
    post = _post_url(page, site)
    page.goto(site.url + post)
    _fill(page, "A comment to answer without the script's help.")
    comment_id = _send(page)
    reply = page.locator(f"#comment-{comment_id} .comment-reply-link").first
    page.goto(site.url + reply.get_attribute("href"))
    expect(page.locator("#parent")).to_have_value(comment_id)
    page.fill("#comment", "On second thought, a comment of my own.")
    page.click("#cancel-comment-reply-link")
    expect(page.locator("#parent")).to_have_value("")
    expect(page.locator("#comment")).to_be_focused()
    expect(page.locator("#comment")).to_be_in_viewport()
    expect(page.locator("#comment")).to_have_value(
        "On second thought, a comment of my own."
    )
    assert watched_page.problems == []


def _text_edges(page, selector) -> list[tuple[float, float]]:
    """Room left and right of each paragraph's text: where the text lines up."""
    return page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector), (block) => {
          const text = document.createRange();
          text.selectNodeContents(block);
          const inner = text.getBoundingClientRect();
          const outer = block.getBoundingClientRect();
          return [inner.left - outer.left, outer.right - inner.right];
        })""",
        selector,
    )


def test_a_comment_written_right_to_left_reads_right_to_left(site, watched_page):
    """Each paragraph takes the direction of its own text, as the reader typed it."""
    page = watched_page.page
    post = _post_url(page, site)
    page.goto(site.url + post)
    _fill(
        page,
        "שלום! תודה על הפוסט (DNS) הזה.\n\nAnd a line in English.",
        name="דנה",
        email="dana@example.org",
    )
    comment_id = _send(page)
    hebrew, english = _text_edges(page, f"#comment-{comment_id} .comment-content p")
    assert hebrew[1] < 1 < hebrew[0]  # against the right edge
    assert english[0] < 1 < english[1]
    assert watched_page.problems == []


def test_a_deep_thread_keeps_to_a_narrow_screen(site, watched_page, tmp_path):
    """Ten levels, as WordPress allows and an import brings (or a deeper
    setting left): every reply keeps room to be read on a phone, and the page
    never scrolls sideways."""
    page = watched_page.page
    page.set_viewport_size({"width": 360, "height": 740})
    post = _post_url(page, site)
    words = "A reply of ordinary length that has to wrap on a small screen."
    thread = [
        {
            "id": n,
            "parent": n - 1 if n > 1 else None,
            "status": "approved",
            "author_name": f"Level {n}",
            "created_at": f"2024-06-02T09:{n:02}:00Z",
            "body": words,
        }
        for n in range(1, 11)
    ]
    slug = post.rstrip("/").rsplit("/", 1)[1]
    export = {
        "format": "field-notes-comments",
        "version": 1,
        "posts": [{"kind": "post", "slug": slug, "comments": thread}],
    }
    (tmp_path / "deep.json").write_text(json.dumps(export))
    site.cli("comments", "import-json", str(tmp_path / "deep.json"))
    page.goto(site.url + post)
    deepest = page.locator(".comment", has_text="Level 10").last
    width = deepest.locator(".comment-content").evaluate(
        "element => element.getBoundingClientRect().width"
    )
    assert width >= 200
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert watched_page.problems == []


@pytest.mark.parametrize(
    "click",
    [{"modifiers": ["Control"]}, {"modifiers": ["Shift"]}, {"button": "middle"}],
    ids=["ctrl", "shift", "middle"],
)
def test_a_reply_link_opened_in_a_new_tab_leaves_the_form_in_place(
    site, watched_page, click
):
    """Ctrl-, Shift- or middle-click is the reader asking for a new tab."""
    page = watched_page.page
    post = _post_url(page, site)
    page.goto(site.url + post)
    _fill(page, f"A comment to answer in another tab ({click}).")
    comment_id = _send(page)
    with page.context.expect_page() as opened:
        page.locator(f"#comment-{comment_id} .comment-reply-link").click(**click)
    tab = opened.value
    tab.wait_for_load_state()
    assert f"replytocom={comment_id}" in tab.url
    expect(tab.locator("#parent")).to_have_value(comment_id)
    tab.close()
    expect(page.locator(f"#comment-{comment_id} #respond")).to_have_count(0)
    expect(page.locator("#parent")).to_have_value("")
    assert watched_page.problems == []


def _look(page, comment_id) -> dict:
    return page.locator(f"#comment-{comment_id} > .comment-body").evaluate(
        """(body) => {
          const style = getComputedStyle(body);
          return {
            background: style.backgroundColor,
            border: style.borderLeftStyle + " " + style.borderLeftColor,
            outline: style.outlineStyle,
          };
        }"""
    )


def test_a_linked_comment_stands_out(site, watched_page):
    """A permalink shows which comment it names; not its replies."""
    page = watched_page.page
    post = _post_url(page, site)
    page.goto(site.url + post)
    _fill(page, "A comment someone will link to.")
    linked = _send(page)
    page.locator(f"#comment-{linked} .comment-reply-link").click()
    _fill(page, "A reply under the linked comment.")
    reply = _send(page)
    page.goto(f"{site.url}{post}#comment-{linked}")
    assert _look(page, linked) != _look(page, reply)
    page.goto(f"{site.url}{post}#comment-{reply}")
    assert _look(page, reply) != _look(page, linked)
    assert watched_page.problems == []


def test_the_keyboard_reaches_reply_and_the_form_but_not_the_decoy(site, watched_page):
    page = watched_page.page
    post = _post_url(page, site)
    page.goto(site.url + post)
    _fill(page, "A comment to reach from the keyboard.")
    comment_id = _send(page)
    page.locator(f"#comment-{comment_id} .comment-permalink").focus()
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                "(e => e.id || e.className || e.textContent)(document.activeElement)"
            )
        )
        if reached[-1] == "submit-comment":
            break
    assert reached == [
        "comment-reply-link",
        "Feed of the comments on this post",
        "comment",
        "author",
        "email",
        "url",
        "remember",
        "submit-comment",
    ]
    assert watched_page.problems == []


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("#author", "N" * 246, "Name may be at most 245 characters"),
        ("#url", "https://example.org/" + "a" * 181, "Website may be at most 200"),
    ],
)
def test_an_over_long_field_comes_back_whole_with_its_message(
    site, watched_page, field, value, message
):
    """A pasted value past its limit is refused by the server, never cut short."""
    page = watched_page.page
    page.goto(site.url + _post_url(page, site))
    _fill(page, "A comment whose other field is too long.")
    page.fill(field, value)
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator(f"{field}-error")).to_contain_text(message)
    expect(page.locator(field)).to_have_value(value)
