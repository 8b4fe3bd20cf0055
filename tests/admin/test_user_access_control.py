"""Disabling and enabling users: who may sign in, and the admin kept."""

import threading
import time

from argon2 import PasswordHasher

from blog import accounts
from blog.comment_models import Comment
from blog.comments import actions
from blog.models import AuditEntry, Post, Role, User
from blog.views.auth import FAILED
from tests.admin.conftest import PASSWORD, at_once
from tests.factories import make_post


def _disable(browser, user: User):
    return browser.post(f"/admin/users/{user.id}/disable", page="/admin/users/")


def test_a_disabled_user_is_signed_out_at_once_and_cannot_sign_in(
    admin, browser_for, users
):
    editor = browser_for("editor")
    response = _disable(admin, users["editor"])
    assert response.status_code == 302
    assert "editor is disabled" in admin.get("/admin/users/").get_data(as_text=True)
    assert editor.get("/admin/").status_code == 302
    refused = browser_for().login("editor")
    assert refused.status_code == 401
    assert FAILED in refused.get_data(as_text=True)
    entry = AuditEntry.get(AuditEntry.action == "user.disable")
    assert (entry.object_id, entry.actor) == (users["editor"].id, "admin")


def test_a_disabled_users_posts_and_replies_stay_under_their_name(
    app, admin, client, users
):
    moderator = users["moderator"]
    post = make_post(author=moderator.name)
    first = Comment.create(
        post=post, author_name="Reader", body="Hi", status="approved"
    )
    actions.reply(first.id, moderator, "Thanks!", "k", app.extensions["settings"])
    _disable(admin, moderator)
    page = client.get(post.url).get_data(as_text=True)
    assert "Thanks!" in page and page.count("moderator") >= 2
    assert Post.get_by_id(post.id).author == "moderator"


def test_an_enabled_user_signs_in_again(admin, browser_for, users):
    _disable(admin, users["editor"])
    response = admin.post(
        f"/admin/users/{users['editor'].id}/enable", page="/admin/users/"
    )
    assert response.status_code == 302
    assert browser_for().login("editor").status_code == 302
    entry = AuditEntry.get(AuditEntry.action == "user.enable")
    assert (entry.from_state, entry.to_state) == ("disabled", "active")


def test_a_right_password_of_a_disabled_user_counts_as_a_failure(
    admin, browser_for, users
):
    _disable(admin, users["editor"])
    for _ in range(5):
        assert browser_for().login("editor").status_code == 401
    accounts.enable_user(users["editor"].id, None)
    # Five tries at a disabled account are five guesses, as at any other.
    assert browser_for().login("editor").status_code == 429


def test_an_admin_cannot_disable_themselves(admin, users):
    accounts.create_user("admin2", PASSWORD, Role.ADMIN)
    response = _disable(admin, users["admin"])
    assert response.status_code == 400
    assert "your own account" in response.get_data(as_text=True)
    assert User.get_by_id(users["admin"].id).is_active


def test_the_last_admin_who_can_sign_in_is_kept(admin, browser_for, users):
    second = accounts.create_user("admin2", PASSWORD, Role.ADMIN)
    other = browser_for("admin2")
    assert _disable(admin, second).status_code == 302
    # A disabled admin is no admin: demoting or disabling the one left is refused.
    demoted = admin.post(
        f"/admin/users/{users['admin'].id}/role",
        {"role": "editor"},
        page="/admin/users/",
    )
    assert demoted.status_code == 400
    assert "at least one admin who can sign in" in demoted.get_data(as_text=True)
    assert User.get_by_id(users["admin"].id).role == Role.ADMIN
    assert other.get("/admin/").status_code == 302


def test_disabling_an_unknown_user_is_404(admin, users):
    assert admin.post("/admin/users/9999/disable").status_code == 404


def test_two_admins_disabling_each_other_at_once_leave_one(
    app, browser_for, users, monkeypatch
):
    second = accounts.create_user("admin2", PASSWORD, Role.ADMIN)
    browsers = {"admin": browser_for("admin"), "admin2": browser_for("admin2")}
    saving, save = threading.Event(), User.save

    def linger_in_save(user, *args, **kwargs):
        # The first stops between counting the admins and saving.
        if not saving.is_set():
            saving.set()
            time.sleep(0.5)  # the other admin's request arrives meanwhile
        return save(user, *args, **kwargs)

    monkeypatch.setattr(User, "save", linger_in_save)
    answers = {}

    def disable(name, target):
        answers[name] = _disable(browsers[name], target).status_code

    failures = at_once(
        app,
        lambda: disable("admin", second),
        lambda: disable("admin2", users["admin"]),
        saving,
    )
    assert not failures
    assert sorted(answers.values()) == [302, 400]
    assert User.active_admins().count() == 1


def test_a_password_change_racing_a_disable_leaves_the_user_disabled(admin, users):
    """The user's own request loaded them before an admin disabled them."""
    loaded = User.get_by_id(users["editor"].id)
    accounts.disable_user(loaded.id, None)
    accounts.change_role(loaded.id, Role.MODERATOR)
    accounts.set_password(loaded, "a new long password")
    after = User.get_by_id(loaded.id)
    assert not after.is_active
    assert after.role == Role.MODERATOR


def test_a_rehash_at_sign_in_writes_only_the_hash(app, users):
    # Hashed with other parameters than the site's: checking it rehashes it.
    older = PasswordHasher(time_cost=2, memory_cost=8, parallelism=1)
    User.update(password_hash=older.hash(PASSWORD)).execute()
    loaded = User.get_by_id(users["editor"].id)
    accounts.disable_user(loaded.id, None)
    assert accounts.verify_password(loaded, PASSWORD)
    after = User.get_by_id(loaded.id)
    assert not after.is_active
    assert not accounts.hasher.check_needs_rehash(after.password_hash)
