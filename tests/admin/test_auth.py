import datetime
import importlib.util
import threading
import time

import pytest
from argon2 import PasswordHasher

from blog import accounts, auth, db
from blog.comment_models import Comment
from blog.models import LoginAttempt, User, utcnow
from tests.admin.conftest import PASSWORD, Browser, make_comment
from tests.conftest import csrf_token
from tests.factories import make_post


def test_login_and_logout(browser_for):
    browser = browser_for()
    response = browser.login("editor")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200
    response = browser.post("/logout/")
    assert response.status_code == 302
    assert browser.get("/admin/").status_code == 302


def test_session_cookie_is_httponly_and_lax(browser_for):
    response = browser_for().login("editor")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_on_https(make_app, users):
    app = make_app(SITE_URL="https://blog.example.org")
    browser = Browser(app.test_client())
    response = browser.login("editor")
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "username, password",
    [("editor", "wrong password!"), ("nobody", PASSWORD), ("nobody", "wrong")],
)
def test_failed_login_says_nothing_about_which_part(browser_for, username, password):
    response = browser_for().login(username, password)
    assert response.status_code == 401
    assert "Unknown user name or wrong password." in response.get_data(as_text=True)


def test_logout_ends_the_old_cookie(app, browser_for):
    browser = browser_for("editor")
    stolen = browser.client.get_cookie("session").value
    browser.post("/logout/")
    thief = Browser(app.test_client())
    thief.client.set_cookie("session", stolen)
    response = thief.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login/")


def test_password_change_ends_other_sessions(app, browser_for):
    laptop, phone = browser_for("editor"), browser_for("editor")
    response = laptop.post(
        "/admin/account/",
        {"current": PASSWORD, "new": "a brand new password"},
        page="/admin/account/",
    )
    assert response.status_code == 302
    assert laptop.get("/admin/").status_code == 200
    assert phone.get("/admin/").status_code == 302
    assert browser_for().login("editor", "a brand new password").status_code == 302


def test_password_change_needs_the_current_password(browser_for):
    browser = browser_for("editor")
    response = browser.post(
        "/admin/account/",
        {"current": "not it at all", "new": "a brand new password"},
        page="/admin/account/",
    )
    assert response.status_code == 400
    assert "That is not your password." in response.get_data(as_text=True)
    assert browser.get("/admin/").status_code == 200


def test_guessing_the_current_password_is_limited_like_signing_in(browser_for):
    stolen = browser_for("editor")
    for _ in range(auth.MAX_FAILURES):
        wrong = {"current": "a guess", "new": "a brand new password"}
        assert (
            stolen.post("/admin/account/", wrong, page="/admin/account/").status_code
            == 400
        )
    right = {"current": PASSWORD, "new": "a brand new password"}
    response = stolen.post("/admin/account/", right, page="/admin/account/")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert browser_for().login("editor", "a brand new password").status_code != 302


def test_cli_password_change_ends_sessions(app, browser_for, users):
    browser = browser_for("moderator")
    accounts.set_password(User.get_by_id(users["moderator"].id), "changed elsewhere")
    assert browser.get("/admin/").status_code == 302


def test_user_loader_rejects_a_stale_or_malformed_id(users):
    user = users["admin"]
    assert auth.load_user(user.get_id()) == user
    assert auth.load_user(f"{user.id}:not-the-token") is None
    assert auth.load_user("nonsense") is None
    assert auth.load_user(f"{user.id}") is None


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/admin/comments/?status=spam", "/admin/comments/?status=spam"),
        ("https://evil.example/", "/admin/"),
        ("//evil.example/", "/admin/"),
        ("/\\evil.example", "/admin/"),
        ("javascript:alert(1)", "/admin/"),
    ],
)
def test_next_goes_only_to_a_local_path(app, users, target, expected):
    browser = Browser(app.test_client())
    page = browser.get("/login/", query_string={"next": target}).get_data(as_text=True)
    response = browser.post_raw(
        "/login/",
        data={
            "csrf_token": csrf_token(page),
            "username": "editor",
            "password": PASSWORD,
            "next": target,
        },
    )
    assert response.headers["Location"] == expected


def test_anonymous_admin_page_redirects_to_login_with_next(client):
    response = client.get("/admin/posts/?status=draft")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/?next=/admin/posts/?status%3Ddraft"


@pytest.mark.parametrize(
    ("referer", "expected"),
    [
        ({"Referer": "http://localhost/admin/users/?page=2"}, "/admin/users/?page=2"),
        ({"Referer": "https://elsewhere.example/admin/users/"}, "/admin/"),
        # A page shown at a form's own address (a refusal), which answers POST alone.
        ({"Referer": "http://localhost/admin/privacy/erase"}, "/admin/"),
        ({}, "/admin/"),
    ],
)
def test_a_form_sent_after_the_session_ended_returns_to_its_page_after_sign_in(
    browser_for, users, referer, expected
):
    browser = browser_for("admin")
    token = csrf_token(browser.get("/admin/users/").get_data(as_text=True))
    auth.end_sessions(users["admin"])  # a password changed on another device
    path = f"/admin/users/{users['editor'].id}/role"
    data = {"csrf_token": token, "role": "moderator"}
    sent = browser.post_raw(path, data=data, headers=referer)
    assert sent.status_code == 302
    signed_in = browser.post_raw(
        sent.headers["Location"],
        data={"csrf_token": browser.token(), "username": "admin", "password": PASSWORD},
    )
    assert signed_in.headers["Location"] == expected
    assert browser.get(expected).status_code == 200
    assert User.get_by_id(users["editor"].id).role == "editor"


def test_login_page_and_admin_pages_are_not_stored(admin, client):
    assert client.get("/login/").headers["Cache-Control"] == "no-store"
    assert admin.get("/admin/").headers["Cache-Control"] == "no-store"
    assert admin.get("/admin/comments/").headers["Cache-Control"] == "no-store"


def test_logout_needs_post_and_csrf(browser_for):
    browser = browser_for("editor")
    # GET /logout/ is no route of ours (the reader's page route answers 404).
    assert browser.get("/logout/").status_code in (404, 405)
    assert browser.post_raw("/logout/").status_code == 400
    assert browser.get("/admin/").status_code == 200


def test_logging_out_again_from_another_tab_lands_on_the_login_page(browser_for):
    browser = browser_for("editor")
    other_tab = csrf_token(browser.get("/admin/").get_data(as_text=True))
    assert browser.post("/logout/").status_code == 302
    response = browser.post_raw("/logout/", data={"csrf_token": other_tab})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/"


def test_a_logout_from_a_page_of_an_earlier_session_says_why_it_did_nothing(
    browser_for,
):
    browser = browser_for("editor")
    old_tab = csrf_token(browser.get("/admin/").get_data(as_text=True))
    browser.post("/logout/")
    browser.login("editor")
    response = browser.post_raw("/logout/", data={"csrf_token": old_tab})
    assert response.status_code == 400
    assert "Nothing was done" in response.get_data(as_text=True)
    assert browser.get("/admin/").status_code == 200


def _fail(browser, username="editor", **kwargs):
    return browser.login(username, "wrong password", **kwargs)


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_nul_in_the_sign_in_form_is_refused_with_400(browser_for, field):
    """PostgreSQL refuses a NUL in any text: the count of failures failed."""
    browser = browser_for()
    form = {"username": "editor", "password": PASSWORD}
    form[field] += "\x00"
    response = browser.post("/login/", form, page="/login/")
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    assert LoginAttempt.select().count() == 0


def test_five_failures_per_account_lock_it_for_a_while(app, users, browser_for):
    browser = browser_for()
    for _ in range(auth.MAX_FAILURES):
        assert _fail(browser).status_code == 401
    response = browser.login("editor")
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    # Another address does not help: the account itself is limited.
    other = browser_for()
    response = other.login("editor", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code == 429


def test_five_failures_per_address_block_it_for_every_account(browser_for):
    browser = browser_for()
    for name in ("a", "b", "c", "d", "e"):
        assert _fail(browser, name).status_code == 401
    assert browser.login("editor").status_code == 429
    assert (
        browser_for()
        .login("editor", environ_base={"REMOTE_ADDR": "198.51.100.7"})
        .status_code
        == 302
    )


def test_an_ipv6_host_changing_address_is_still_one_address(browser_for):
    def from_address(number):
        return {"REMOTE_ADDR": f"2001:db8:9:9::{number + 1:x}"}

    browser = browser_for()
    for number, name in enumerate(("a", "b", "c", "d", "e")):
        assert (
            _fail(browser, name, environ_base=from_address(number)).status_code == 401
        )
    assert browser.login("editor", environ_base=from_address(99)).status_code == 429
    next_network = {"REMOTE_ADDR": "2001:db8:9:a::1"}
    assert browser.login("editor", environ_base=next_network).status_code == 302


def test_a_forged_forwarded_for_changes_nothing_by_default(browser_for):
    browser = browser_for()
    for number in range(auth.MAX_FAILURES):
        forged = {"X-Forwarded-For": f"203.0.113.{number}"}
        assert _fail(browser, f"user{number}", headers=forged).status_code == 401
    response = browser.login("editor", headers={"X-Forwarded-For": "203.0.113.99"})
    assert response.status_code == 429
    keys = {row.key for row in LoginAttempt.select()}
    assert auth.attempt_keys("", "127.0.0.1")[1] in keys
    assert auth.attempt_keys("", "203.0.113.0")[1] not in keys


def test_an_unknown_proxy_in_front_is_reported_once(make_app, caplog):
    app = make_app()
    client = app.test_client()
    client.get("/", headers={"X-Forwarded-For": "203.0.113.5"})
    client.get("/", headers={"X-Forwarded-For": "203.0.113.6"})
    warned = [r for r in caplog.records if "BLOG_TRUSTED_PROXIES" in r.getMessage()]
    assert len(warned) == 1
    assert "127.0.0.1" in warned[0].getMessage()
    # A reader's own public address with the header says nothing of a proxy.
    quiet = make_app()
    caplog.clear()
    quiet.test_client().get(
        "/",
        headers={"X-Forwarded-For": "203.0.113.5"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert not [r for r in caplog.records if "BLOG_TRUSTED_PROXIES" in r.getMessage()]


def test_trusted_proxy_uses_the_forwarded_address(make_app, users):
    app = make_app(TRUSTED_PROXIES=1)
    browser = Browser(app.test_client())
    for number in range(auth.MAX_FAILURES):
        forged = {"X-Forwarded-For": f"203.0.113.{number}"}
        assert _fail(browser, f"user{number}", headers=forged).status_code == 401
    # Each failure came from its own client address: none of them is limited.
    response = browser.login("editor", headers={"X-Forwarded-For": "203.0.113.1"})
    assert response.status_code == 302
    keys = {row.key for row in LoginAttempt.select()}
    assert auth.attempt_keys("", "203.0.113.4")[1] in keys
    assert auth.attempt_keys("", "127.0.0.1")[1] not in keys


def test_trusted_proxy_limits_a_real_client_address(make_app, users):
    app = make_app(TRUSTED_PROXIES=1)
    browser = Browser(app.test_client())
    client = {"X-Forwarded-For": "203.0.113.50"}
    for name in ("a", "b", "c", "d", "e"):
        assert _fail(browser, name, headers=client).status_code == 401
    assert browser.login("editor", headers=client).status_code == 429
    assert (
        browser.login("editor", headers={"X-Forwarded-For": "203.0.113.51"}).status_code
        == 302
    )


def test_the_limit_lifts_after_the_window(users):
    keys = auth.attempt_keys("editor", "192.0.2.1")
    start = utcnow()
    for _ in range(auth.MAX_FAILURES):
        auth.record_failure(keys, start)
    with pytest.raises(auth.TooManyAttempts) as raised:
        auth.check_attempts(keys, start + datetime.timedelta(minutes=1))
    assert raised.value.retry_after == 14 * 60
    auth.check_attempts(keys, start + auth.WINDOW + datetime.timedelta(seconds=1))


def test_success_clears_the_account_failures(users):
    for _ in range(auth.MAX_FAILURES - 1):
        assert auth.authenticate("editor", "wrong", "192.0.2.1") is None
    assert auth.authenticate("editor", PASSWORD, "192.0.2.1") == users["editor"]
    keys = [row.key for row in LoginAttempt.select()]
    assert "user:editor" not in keys
    assert keys.count(auth.attempt_keys("", "192.0.2.1")[1]) == auth.MAX_FAILURES - 1


def test_guesses_sent_at_once_are_limited_like_guesses_in_turn(app, users, monkeypatch):
    """Each guess is counted before its password is checked: guesses arriving
    together (workers, servers) cannot all pass the check before one is counted."""
    verify = accounts.verify_password

    def verify_slowly(user, password):
        time.sleep(0.2)  # a password hash's time: the other guesses arrive
        return verify(user, password)

    monkeypatch.setattr(accounts, "verify_password", verify_slowly)
    guesses = 8
    start, results = threading.Barrier(guesses), []

    def guess(number):
        with app.app_context():
            db.database.connect(reuse_if_open=True)
            start.wait(timeout=10)
            try:
                results.append(auth.authenticate("editor", f"guess {number}", None))
            except auth.TooManyAttempts as error:
                results.append(error)
            db.database.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results.count(None) == auth.MAX_FAILURES
    assert len(results) == guesses


def test_failed_sign_ins_keep_no_address(make_app, users):
    browser = Browser(make_app(TRUSTED_PROXIES=1).test_client())
    for address in ("203.0.113.50", "2001:db8:9:9::1"):
        forwarded = {"X-Forwarded-For": address}
        assert _fail(browser, "editor", headers=forwarded).status_code == 401
    keys = " ".join(row.key for row in LoginAttempt.select())
    assert "203.0.113" not in keys and "2001:db8" not in keys
    # The limit still counts an IPv6 host by its /64.
    assert auth.attempt_keys("", "2001:db8:9:9::1") == auth.attempt_keys(
        "", "2001:db8:9:9::2"
    )


def test_admin_pages_never_enter_the_page_cache(app, admin, client):
    assert admin.get("/admin/").status_code == 200
    assert admin.get("/admin/comments/").status_code == 200
    cached = list(app.extensions["pages"].entries)
    assert not any(key.startswith(("/admin", "/login")) for key in cached)
    assert client.get("/admin/").status_code == 302


def test_signing_in_purges_old_spam(app, browser_for):
    post = make_post()
    old = utcnow() - datetime.timedelta(days=31)
    make_comment(post, "spam", modified_at=old)
    kept = make_comment(post, "spam")
    browser_for("moderator")
    assert [c.id for c in Comment.select()] == [kept.id]


def test_a_login_form_left_open_past_its_session_asks_again(app, users, browser_for):
    stale = csrf_token(browser_for().get("/login/").get_data(as_text=True))
    browser = browser_for()  # the browser restarted: no session cookie
    data = {"csrf_token": stale, "username": "editor", "password": PASSWORD}
    ours = {"Sec-Fetch-Site": "same-origin"}
    response = browser.post_raw("/login/", data=data, headers=ours)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The sign-in form had expired. Please sign in again." in page
    assert 'value="editor"' in page
    data["csrf_token"] = csrf_token(page)
    assert browser.post_raw("/login/", data=data, headers=ours).status_code == 302


SPOOF = "Your account is locked. Call +1 555 0100 to unlock it"


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://elsewhere.example"},
        {"Referer": "https://elsewhere.example/"},
        {},  # said nothing: no sign that the name was typed on our page
    ],
)
def test_another_sites_login_post_puts_no_words_in_our_page(browser_for, headers):
    """Only a form of ours gets its user name back: another site's would have
    its words shown in our login page (content spoofing)."""
    data = {"username": SPOOF, "password": "x"}
    response = browser_for().post_raw("/login/", data=data, headers=headers)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your account is locked" not in page
    assert 'name="username" value=""' in page


def test_spelling_the_name_differently_does_not_reset_the_account_limit(browser_for):
    """Every spelling that signs in as "editor" counts against "editor"."""
    spellings = ["Editor", "EDITOR", "ｅｄｉｔｏｒ", " editor", "ediTor"]
    for number, name in enumerate(spellings):
        address = {"REMOTE_ADDR": f"198.51.100.{number + 1}"}
        failed = browser_for().login(name, "wrong password", environ_base=address)
        assert failed.status_code == 401
    response = browser_for().login("editor")
    assert response.status_code == 429


def test_importing_the_accounts_hashes_no_password(monkeypatch):
    """Every `blog` command and server worker imports them: a hash made then
    cost each 0.2-0.6 s before it did anything."""

    def refuse(*args, **kwargs):
        raise AssertionError("a password hashed at import")

    monkeypatch.setattr(PasswordHasher, "hash", refuse)
    spec = importlib.util.spec_from_file_location("blog.fresh", accounts.__file__)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


def test_a_guess_at_an_unknown_name_still_runs_argon2(monkeypatch):
    """Timing must not tell which names exist."""
    guesses = []

    class Counting(PasswordHasher):
        def hash(self, password, **kwargs):
            guesses.append(password)
            return super().hash(password, **kwargs)

        def verify(self, hash, password):
            guesses.append(password)
            return super().verify(hash, password)

    cheap = Counting(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "hasher", cheap)
    assert not accounts.verify_password(None, "a guess")
    assert guesses == ["a guess"]
