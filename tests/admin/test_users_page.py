import re
import threading
import time

import pytest

from blog import accounts
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


@pytest.mark.parametrize("password", [" " * 12, "aaaaaaaaaaaa", "abababababab"])
def test_a_password_of_few_different_characters_is_refused(admin, password):
    response = admin.post(
        "/admin/users/",
        {"username": "newbie", "role": "editor", "password": password},
        page="/admin/users/",
    )
    assert response.status_code == 400
    assert "at least 5 different characters" in response.get_data(as_text=True)
    assert User.get_or_none(User.username == "newbie") is None


def test_a_nul_in_a_new_users_details_is_refused_with_400(admin, users):
    response = admin.post(
        "/admin/users/",
        {"username": "newbie", "role": "editor", "display_name": "New\x00bie"},
        page="/admin/users/",
    )
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    assert not User.select().where(User.username == "newbie").exists()


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


def test_an_admin_handing_over_lands_on_a_page_of_their_new_role(admin, users):
    accounts.create_user("admin2", PASSWORD, Role.ADMIN)
    response = admin.post(
        f"/admin/users/{users['admin'].id}/role",
        {"role": "editor"},
        page="/admin/users/",
    )
    assert response.status_code == 302
    landing = admin.get(response.headers["Location"])
    assert landing.status_code == 200
    assert "admin is now editor." in landing.get_data(as_text=True)


def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    app, browser_for, users, monkeypatch
):
    second = accounts.create_user("admin2", PASSWORD, Role.ADMIN)
    first_browser, second_browser = browser_for("admin"), browser_for("admin2")
    saving, save = threading.Event(), User.save

    def linger_in_save(user, *args, **kwargs):
        # The first demotion stops between counting the admins and saving.
        if not saving.is_set():
            saving.set()
            time.sleep(0.5)  # the other admin's demotion arrives meanwhile
        return save(user, *args, **kwargs)

    monkeypatch.setattr(User, "save", linger_in_save)
    answers = {}

    def demote(name, browser, target, wait):
        if wait:
            assert saving.wait(timeout=10)
        answers[name] = browser.post(
            f"/admin/users/{target}/role", {"role": "editor"}, page="/admin/users/"
        ).status_code

    threads = [
        threading.Thread(
            target=demote, args=("first", first_browser, second.id, False)
        ),
        threading.Thread(
            target=demote, args=("second", second_browser, users["admin"].id, True)
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answers.values()) == [302, 400]
    assert User.select().where(User.role == Role.ADMIN).count() == 1


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


def test_the_list_shows_when_each_user_last_signed_in(admin, browser_for, users):
    browser_for("editor")
    page = admin.get("/admin/users/").get_data(as_text=True)
    rows = {
        name: re.search(rf"<td>{name}</td>.*?</tr>", page, re.S).group(0)
        for name in ("editor", "moderator")
    }
    signed_in = User.get_by_id(users["editor"].id).last_login_at
    assert signed_in is not None
    assert f"{signed_in:%Y-%m-%d %H:%M}</time>" in rows["editor"]
    assert "<td>never</td>" in rows["moderator"]
