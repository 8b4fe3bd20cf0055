"""Deleting users: their posts kept or handed on, the last admin kept."""

import threading
import time

import pytest

from blog import accounts, search
from blog.comment_models import Comment
from blog.comments import actions
from blog.comments.history import DatabaseHistory
from blog.models import AuditEntry, Post, Role, User
from tests.admin.conftest import PASSWORD, at_once
from tests.factories import make_comment, make_post


def _delete(browser, user_id: int, heir=""):
    path = f"/admin/users/{user_id}/delete"
    return browser.post(path, {"heir": heir}, page="/admin/users/")


def test_the_confirm_page_counts_the_posts_and_offers_the_others(admin, users):
    make_post(author="editor")
    make_post(author="someone else")
    page = admin.get(f"/admin/users/{users['editor'].id}/delete")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Their 1 post (byline “editor”)" in html
    assert f'<option value="{users["moderator"].id}">go to moderator' in html
    assert f'<option value="{users["editor"].id}">' not in html
    assert 'href="/admin/users/" aria-current="page">Users' in html


def test_deleted_users_posts_go_to_the_heir_and_comments_keep_the_name(
    app, admin, browser_for, users
):
    editor = browser_for("editor")
    theirs = [make_post(author="editor"), make_post(author="editor", kind="page")]
    other = make_post(author="someone else")
    first = Comment.create(post=other, author_name="R", body="Hi", status="approved")
    reply = actions.reply(
        first.id, users["editor"], "Thanks!", "k", app.extensions["settings"]
    )
    response = _delete(admin, users["editor"].id, heir=users["moderator"].id)
    assert response.status_code == 302
    assert "2 posts changed hands" in admin.get("/admin/users/").get_data(as_text=True)
    assert not User.select().where(User.username == "editor").exists()
    assert [Post.get_by_id(p.id).author for p in theirs] == ["moderator"] * 2
    assert Post.get_by_id(other.id).author == "someone else"
    kept = Comment.get_by_id(reply.id)
    assert (kept.author_name, kept.user_id, kept.body) == ("editor", None, "Thanks!")
    assert editor.get("/admin/").status_code == 302
    entry = AuditEntry.get(AuditEntry.action == "user.delete")
    assert (entry.actor, entry.object_id) == ("admin", users["editor"].id)
    assert entry.detail == "editor; 2 posts given to moderator"


def test_without_an_heir_the_posts_stay_under_their_name(admin, users):
    post = make_post(author="editor")
    assert _delete(admin, users["editor"].id).status_code == 302
    assert Post.get_by_id(post.id).author == "editor"
    assert Post.select().count() == 1


def test_the_heir_takes_the_byline_of_a_display_name_too(admin, client, users):
    ada = accounts.create_user("ada", PASSWORD, display_name="Ada Lindqvist")
    post = make_post(author="Ada Lindqvist")
    assert "Ada Lindqvist" in client.get(post.url).get_data(as_text=True)
    _delete(admin, ada.id, heir=users["editor"].id)
    assert Post.get_by_id(post.id).author == "editor"
    # Readers see the new byline at once, not a page cached before.
    assert "Ada Lindqvist" not in client.get(post.url).get_data(as_text=True)


@pytest.mark.parametrize("heir", ["9999", "abc", "self"])
def test_a_wrong_heir_deletes_nothing(admin, users, heir):
    editor = users["editor"]
    make_post(author="editor")
    response = _delete(admin, editor.id, str(editor.id) if heir == "self" else heir)
    assert response.status_code == 400
    assert "Choose another user" in response.get_data(as_text=True)
    assert User.select().where(User.id == editor.id).exists()


def test_an_admin_cannot_delete_themselves(admin, users):
    accounts.create_user("admin2", PASSWORD, Role.ADMIN)
    response = _delete(admin, users["admin"].id)
    assert response.status_code == 400
    assert "your own account" in response.get_data(as_text=True)
    assert User.select().where(User.id == users["admin"].id).exists()


def test_deleting_an_unknown_user_is_404(admin, users):
    assert admin.get("/admin/users/9999/delete").status_code == 404
    assert _delete(admin, 9999).status_code == 404


def test_the_last_admin_is_not_deleted_from_the_command_line(app, users):
    with pytest.raises(accounts.AccountError, match="at least one admin"):
        accounts.delete_user(users["admin"].id, None)


def test_two_admins_deleting_each_other_at_once_leave_one(
    app, browser_for, users, monkeypatch
):
    second = accounts.create_user("admin2", PASSWORD, Role.ADMIN)
    browsers = {"admin": browser_for("admin"), "admin2": browser_for("admin2")}
    logged, log = threading.Event(), accounts._log

    def log_then_linger(*args, **kwargs):
        log(*args, **kwargs)
        if not logged.is_set():
            logged.set()
            time.sleep(0.5)  # the other admin's request arrives meanwhile

    monkeypatch.setattr(accounts, "_log", log_then_linger)
    answers = {}

    def delete(name, target):
        answers[name] = _delete(browsers[name], target.id).status_code

    failures = at_once(
        app,
        lambda: delete("admin", second),
        lambda: delete("admin2", users["admin"]),
        logged,
    )
    assert not failures
    assert sorted(answers.values()) == [302, 400]
    assert User.active_admins().count() == 1


def test_a_role_change_for_a_user_deleted_meanwhile_is_404(
    app, browser_for, users, monkeypatch
):
    accounts.create_user("admin2", PASSWORD, Role.ADMIN)
    browsers = {"admin": browser_for("admin"), "admin2": browser_for("admin2")}
    logged, log = threading.Event(), accounts._log

    def log_then_linger(*args, **kwargs):
        log(*args, **kwargs)
        logged.set()
        time.sleep(0.5)  # the role change arrives meanwhile

    monkeypatch.setattr(accounts, "_log", log_then_linger)
    answers = {}

    def delete():
        answers["delete"] = _delete(browsers["admin"], users["editor"].id).status_code

    def change_role():
        assert logged.wait(timeout=10)
        answers["role"] = (
            browsers["admin2"]
            .post(
                f"/admin/users/{users['editor'].id}/role",
                {"role": "moderator"},
                page="/admin/users/",
            )
            .status_code
        )

    threads = [threading.Thread(target=delete), threading.Thread(target=change_role)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert answers == {"delete": 302, "role": 404}


def test_search_finds_handed_on_posts_by_the_heirs_name(users):
    post = make_post("Field notes", author="editor")
    search.index([post.id])
    accounts.delete_user(users["editor"].id, None, heir_id=users["moderator"].id)
    found = [result.post.id for result in search.query("moderator", 1, 10).items]
    assert found == [post.id]
    assert search.query("editor", 1, 10).items == []


def test_a_deleted_staff_members_replies_vouch_for_nobody(app, users):
    """Their replies lose the user link on delete; with their name and email
    hash left, each read as a reader's approved comment, and anyone typing
    that name and email skipped moderation (require_approved_before)."""
    editor = users["editor"]
    reply = make_comment(
        make_post(), author_name=editor.name, email_hash="staff-hash", user=editor
    )

    accounts.delete_user(editor.id, users["admin"])

    kept = Comment.get_by_id(reply.id)
    assert kept.user_id is None and kept.author_name == editor.name
    assert not DatabaseHistory().known_commenter(editor.name, "staff-hash")
