import re

from blog.models import AuditEntry, Role, User
from tests.admin.conftest import PASSWORD


def test_admin_creates_a_user_with_a_generated_password(admin, browser_for):
    response = admin.post(
        "/admin/users/",
        {"username": "newbie", "role": "moderator", "email": "n@example.org"},
        page="/admin/users/",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 201
    password = re.search(r'<code class="secret">([^<]+)</code>', page).group(1)
    assert User.get(User.username == "newbie").role == Role.MODERATOR
    assert browser_for().login("newbie", password).status_code == 302
    assert AuditEntry.get(AuditEntry.action == "user.create").detail == "newbie"


def test_a_taken_name_or_short_password_is_refused(admin):
    taken = admin.post(
        "/admin/users/", {"username": "editor", "role": "editor"}, page="/admin/users/"
    )
    short = admin.post(
        "/admin/users/",
        {"username": "x", "role": "editor", "password": "short"},
        page="/admin/users/",
    )
    assert taken.status_code == short.status_code == 400
    assert "taken" in taken.get_data(as_text=True)
    assert "at least 10 characters" in short.get_data(as_text=True)


def test_change_role_takes_effect_at_once(admin, browser_for, users):
    editor = browser_for("editor")
    assert editor.get("/admin/comments/").status_code == 403
    response = admin.post(
        f"/admin/users/{users['editor'].id}/role",
        {"role": "moderator"},
        page="/admin/users/",
    )
    assert response.status_code == 302
    assert editor.get("/admin/comments/").status_code == 200
    assert editor.get("/admin/posts/").status_code == 403
    entry = AuditEntry.get(AuditEntry.action == "user.role")
    assert (entry.from_state, entry.to_state) == ("editor", "moderator")


def test_the_last_admin_cannot_be_demoted(admin, users):
    response = admin.post(
        f"/admin/users/{users['admin'].id}/role",
        {"role": "editor"},
        page="/admin/users/",
    )
    assert response.status_code == 400
    assert User.get_by_id(users["admin"].id).role == Role.ADMIN


def test_reset_password_ends_the_users_sessions(admin, browser_for, users):
    editor = browser_for("editor")
    response = admin.post(
        f"/admin/users/{users['editor'].id}/password",
        {"password": "chosen by the admin"},
        page="/admin/users/",
    )
    assert response.status_code == 200
    assert "secret" not in response.get_data(as_text=True)
    assert editor.get("/admin/").status_code == 302
    assert browser_for().login("editor", PASSWORD).status_code == 401
    assert browser_for().login("editor", "chosen by the admin").status_code == 302


def test_admin_resetting_their_own_password_stays_signed_in(admin, users):
    response = admin.post(
        f"/admin/users/{users['admin'].id}/password", {}, page="/admin/users/"
    )
    assert response.status_code == 200
    assert '<code class="secret">' in response.get_data(as_text=True)
    assert admin.get("/admin/").status_code == 200
