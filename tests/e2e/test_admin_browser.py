"""The dashboard in a real browser: write and publish, moderate, no CSP violation."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import REPORT_CSP_VIOLATIONS

pytestmark = pytest.mark.browser

PASSWORD = "a browser test password"
ADMIN_PAGES = [
    "/admin/",
    "/admin/posts/",
    "/admin/posts/new",
    "/admin/pages/",
    "/admin/pages/new",
    "/admin/media/",
    "/admin/settings/",
    "/admin/users/",
    "/admin/privacy/",
    "/admin/audit/",
    "/admin/account/",
    "/admin/comments/",
    "/admin/comments/?status=approved",
    "/admin/comments/?status=spam",
    "/admin/comments/?status=trash",
]
# Settings the test changes, and the values it puts back.
CHANGED = {
    "hold_all": "false",
    "min_form_seconds": "3",
    "check_flood": "true",
    "check_classifier": "true",
}


@pytest.fixture(scope="module")
def staff(live_server):
    for name, role in (("boss", "admin"), ("mod", "moderator")):
        live_server.cli("users", "create", name, "--role", role, input=PASSWORD + "\n")
    yield
    for key, value in CHANGED.items():
        live_server.cli("settings", "set", key, value)


class Watched:
    """A browser context of its own whose console errors and CSP violations count."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.add_init_script(REPORT_CSP_VIOLATIONS)
        self.page = self.context.new_page()
        self.problems = []
        self.page.on(
            "console",
            lambda message: (
                message.type == "error" and self.problems.append(message.text)
            ),
        )
        self.page.on(
            "pageerror", lambda error: self.problems.append(f"uncaught: {error}")
        )
        # The console names no URL for a failed load: record which it was.
        self.page.on(
            "response",
            lambda response: (
                response.status >= 400
                and self.problems.append(f"{response.status} {response.url}")
            ),
        )


@pytest.fixture
def watch(browser):
    made = []

    def make() -> Watched:
        made.append(Watched(browser))
        return made[-1]

    yield make
    for watched in made:
        watched.context.close()


def log_in(page, base: str, name: str):
    page.goto(base + "/login/")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).to_have_text("Overview")


def write_and_publish(page, base: str, title: str, body: str) -> str:
    page.goto(base + "/admin/posts/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Text (Markdown)").fill(body)
    page.get_by_role("button", name="Preview").click()
    # The script fetched the preview: the page did not reload.
    expect(page.locator("#preview strong")).to_have_text("the dashboard")
    assert page.url == base + "/admin/posts/new"
    page.get_by_role("button", name="Publish or schedule").click()
    expect(page.locator(".notice")).to_contain_text("Published.")
    page.get_by_role("link", name="View on the site").click()
    expect(page.locator("h1")).to_have_text(title)
    return page.url


def leave_comment(page, url: str, text: str, email: str):
    page.goto(url)
    page.locator("#comment").fill(text)
    page.locator("#author").fill("Browser Reader")
    # An address of its own: marking spam blocks it for the whole live server.
    page.locator("#email").fill(email)
    page.locator("#submit-comment").click()
    mine = page.locator("li.comment", has_text=text)
    expect(mine.get_by_text("Your comment is awaiting moderation.")).to_be_visible()


def hold_every_comment(page, base: str):
    page.goto(base + "/admin/settings/")
    page.locator("#s-hold_all").check()
    page.locator("#s-min_form_seconds").fill("0")
    page.locator("#s-check_flood").uncheck()
    page.locator("#s-check_classifier").uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".notice")).to_contain_text("Saved 4 changed setting(s).")


def test_publish_then_moderate_comments(live_server, staff, watch):
    base = live_server.url
    admin = watch()
    log_in(admin.page, base, "boss")
    hold_every_comment(admin.page, base)
    post_url = write_and_publish(
        admin.page, base, "Written in the browser", "Hello from **the dashboard**."
    )

    reader = watch()
    leave_comment(reader.page, post_url, "A comment worth keeping", "keep@example.net")
    leave_comment(
        reader.page, post_url, "A comment for the spam folder", "junk@example.net"
    )

    moderator = watch()
    page = moderator.page
    log_in(page, base, "mod")
    page.goto(base + "/admin/comments/")
    keep = page.locator("li.comment", has_text="A comment worth keeping")
    junk = page.locator("li.comment", has_text="A comment for the spam folder")
    expect(keep).to_be_visible()
    # Keyboard only: focus the row's button and press Enter.
    keep.get_by_role("button", name=re.compile("^Approve")).focus()
    page.keyboard.press("Enter")
    expect(page.locator(".notice")).to_contain_text("Approve: 1 comment(s)")
    expect(page.locator("#queue")).to_be_focused()
    junk.get_by_role("button", name=re.compile("^Spam")).click()
    expect(page.locator(".notice")).to_contain_text("Spam: 1 comment(s)")
    # A wrong click is taken back from the message, then done again.
    page.locator(".notice").get_by_role("button", name="Undo").click()
    expect(page.locator(".notice")).to_contain_text("Undone: Spam on 1 comment(s)")
    junk.get_by_role("button", name=re.compile("^Spam")).click()
    expect(page.locator(".notice")).to_contain_text("Spam: 1 comment(s)")
    page.goto(base + "/admin/comments/?status=spam")
    expect(
        page.locator("li.comment", has_text="A comment for the spam folder")
    ).to_be_visible()

    visitor = watch()
    visitor.page.goto(post_url)
    comments = visitor.page.locator("#comments")
    expect(comments).to_contain_text("A comment worth keeping")
    expect(comments).not_to_contain_text("A comment for the spam folder")
    for name, watched in dict(
        admin=admin, reader=reader, moderator=moderator, visitor=visitor
    ).items():
        assert watched.problems == [], name


def test_no_console_error_or_csp_violation_on_any_admin_page(live_server, staff, watch):
    admin = watch()
    log_in(admin.page, live_server.url, "boss")
    for path in ADMIN_PAGES:
        response = admin.page.goto(live_server.url + path)
        assert response.status == 200, path
        assert response.headers["cache-control"] == "no-store", path
    assert admin.problems == []


def test_the_queue_works_from_the_keyboard_alone(live_server, staff, watch):
    moderator = watch()
    page = moderator.page
    log_in(page, live_server.url, "mod")
    page.goto(live_server.url + "/admin/comments/?status=approved")
    # Tab from the top reaches the select-all box and the bulk action button.
    reached = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.id"))
        if {"select-all", "apply"} <= reached:
            break
    assert {"select-all", "apply"} <= reached
    assert moderator.problems == []


def import_comment(live_server, tmp_path, **fields):
    """Put one pending comment under a sample post, as `blog comments import-json`."""
    comment = {
        "id": 1, "parent": None, "kind": "comment", "status": "pending",
        "author_name": "Reader", "author_url": "",
        "created_at": "2024-06-02T09:30:00Z", "body": "Hello", "body_html": "",
        **fields,
    }  # fmt: skip
    post = {"kind": "post", "slug": "full-text-search-in-sqlite-with-fts5"}
    data = {"format": "field-notes-comments", "version": 1, "includes_emails": False}
    data["posts"] = [{**post, "comments": [comment]}]
    path = tmp_path / "comments.json"
    path.write_text(json.dumps(data))
    live_server.cli("comments", "import-json", str(path))


@pytest.mark.parametrize("width", [1280, 390])
def test_long_names_and_websites_stay_inside_the_queue(
    live_server, staff, watch, tmp_path, width
):
    import_comment(
        live_server,
        tmp_path,
        author_name="W" * 240,
        author_url="https://" + "long" * 45 + ".example/",
        body=f"Unbroken names {width}",
    )
    moderator = watch()
    page = moderator.page
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "mod")
    page.goto(live_server.url + "/admin/comments/")
    assert fits_the_window(page)
    card = page.locator("li.comment", has_text=f"Unbroken names {width}")
    card.get_by_role("link", name="Reply or edit").click()
    assert fits_the_window(page)
    assert moderator.problems == []


def fits_the_window(page) -> bool:
    """Nothing on the page is wider than the window: no sideways scrolling."""
    root = "document.documentElement"
    return page.evaluate(f"{root}.scrollWidth <= {root}.clientWidth")


def test_a_double_click_on_publish_makes_one_post(live_server, staff, watch):
    admin = watch()
    page = admin.page
    log_in(page, live_server.url, "boss")
    page.goto(live_server.url + "/admin/posts/new")
    page.get_by_label("Title").fill("Clicked twice")
    page.get_by_label("Text (Markdown)").fill("Once is enough.")
    sent = []
    page.on("request", lambda request: request.method == "POST" and sent.append(1))
    publish = page.get_by_role("button", name="Publish or schedule")
    publish.scroll_into_view_if_needed()
    box = publish.bounding_box()
    # Two clicks as a hand makes them: the second before the next page arrives.
    page.mouse.click(box["x"] + 5, box["y"] + 5)
    page.mouse.click(box["x"] + 5, box["y"] + 5)
    expect(page.locator("h1")).to_have_text("Edit post")
    page.goto(live_server.url + "/admin/posts/?q=Clicked+twice")
    expect(page.locator("tbody tr", has_text="Clicked twice")).to_have_count(1)
    assert len(sent) == 1
    assert admin.problems == []


@pytest.mark.parametrize("path", ["/admin/posts/", "/admin/users/", "/admin/audit/"])
def test_wide_lists_keep_a_phone_screen_from_scrolling_sideways(
    live_server, staff, watch, path
):
    admin = watch()
    page = admin.page
    page.set_viewport_size({"width": 360, "height": 800})
    log_in(page, live_server.url, "boss")
    page.goto(live_server.url + path)
    assert fits_the_window(page)
    assert admin.problems == []


def test_a_preview_asked_for_signed_out_says_so(live_server, staff, watch):
    admin = watch()
    page = admin.page
    log_in(page, live_server.url, "boss")
    page.goto(live_server.url + "/admin/posts/new")
    page.get_by_label("Text (Markdown)").fill("Written before the session ended.")
    admin.context.clear_cookies()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview")).to_have_text(
        "You are signed out: sign in again in a new tab, then press Preview here."
    )
    expect(page.get_by_label("Text (Markdown)")).to_have_value(
        "Written before the session ended."
    )


def test_a_preview_of_a_post_past_500_kb_shows_it_whole(live_server, staff, watch):
    admin = watch()
    page = admin.page
    log_in(page, live_server.url, "boss")
    page.goto(live_server.url + "/admin/posts/new")
    essay = "A paragraph of a long essay.\n\n" * 25_000 + "The **end**."
    # As pasted: typing it through fill() takes Chromium minutes.
    paste = "(box, text) => box.value = text"
    page.get_by_label("Text (Markdown)").evaluate(paste, essay)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview strong")).to_have_text("end")
    assert admin.problems == []


@pytest.mark.parametrize("width", [1280, 360])
def test_a_preview_of_long_code_keeps_the_editor_inside_the_window(
    live_server, staff, watch, width
):
    admin = watch()
    page = admin.page
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, live_server.url, "boss")
    page.goto(live_server.url + "/admin/posts/new")
    columns = " | ".join(f"column {n}" for n in range(12))
    page.get_by_label("Text (Markdown)").fill(
        f"```\nx = {'long_name_' * 40}\n```\n\n| {columns} |\n|{'---|' * 12}\n"
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview pre")).to_be_visible()
    assert fits_the_window(page)
    assert admin.problems == []


def test_delete_for_good_asks_first_and_other_actions_do_not(
    live_server, staff, watch, tmp_path
):
    import_comment(live_server, tmp_path, body="Kept unless confirmed")
    moderator = watch()
    page = moderator.page
    log_in(page, live_server.url, "mod")
    asked, accept = [], []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.on("dialog", answer)
    page.goto(live_server.url + "/admin/comments/")
    card = page.locator("li.comment", has_text="Kept unless confirmed")
    card.get_by_role("button", name=re.compile("^Trash")).click()
    expect(page.locator(".notice")).to_contain_text("Trash: 1 comment(s)")
    assert asked == []
    page.goto(live_server.url + "/admin/comments/?status=trash")
    card.get_by_role("button", name=re.compile("^Delete permanently")).click()
    card.get_by_role("checkbox").check()
    page.locator("#bulk-action").select_option("delete")
    page.locator("#apply").click()
    assert len(asked) == 2 and all("cannot be undone" in text for text in asked)
    expect(card).to_be_visible()
    accept.append(True)
    page.locator("#apply").click()
    expect(page.locator(".notice")).to_contain_text("Delete permanently: 1 comment(s)")
    expect(card).to_have_count(0)
    assert moderator.problems == []
