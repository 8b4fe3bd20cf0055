"""Who is signed in: Flask-Login, roles, and the limit on failed logins.

A session holds the user's id and session token (User.get_id); the loader
accepts it only while the token still matches, so rotating the token (on
logout and password change) ends every session made before.

Failed logins are counted in the LoginAttempt table, which every worker
shares, under two keys: the account and a keyed hash of the client address.
The address is request.remote_addr, which ProxyFix sets from X-Forwarded-For
only when TRUSTED_PROXIES says how many proxies to believe.
"""

import datetime
import functools
import hmac
import math
import secrets
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, current_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE
from werkzeug.middleware.proxy_fix import ProxyFix

from . import accounts
from .comments import privacy
from .db import retrying, serialise, write_transaction
from .models import SIGN_IN_WINDOW, LoginAttempt, Role, User, utcnow

MAX_FAILURES = 5
WINDOW = SIGN_IN_WINDOW

login_manager = LoginManager()


class TooManyAttempts(Exception):
    """Too many failed logins for an account or an address; wait retry_after s."""

    def __init__(self, retry_after: int):
        super().__init__(f"too many failed logins; retry in {retry_after} s")
        self.retry_after = retry_after


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, their signer made once per secret key.

    Flask makes it again for every request, session cookie or not: 35 us,
    most of it itsdangerous trying the serializer out on an empty dict.
    """

    _signer = (None, None)  # (the keys it was made with, the signer)

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if self._signer[0] != keys:
            self._signer = (keys, super().get_signing_serializer(app))
        return self._signer[1]


def init_app(app):
    app.session_interface = SessionInterface()
    login_manager.init_app(app)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)
    else:
        app.before_request(_warn_of_an_unknown_proxy)


def _warn_of_an_unknown_proxy():
    """Say once if requests come through a proxy the site was not told about:
    every reader then has the proxy's address, and the comment rate limit,
    flood control and the sign-in limit count them all as one."""
    if "X-Forwarded-For" not in request.headers:
        return
    if not privacy.is_shared(request.remote_addr or ""):
        return
    app = current_app._get_current_object()
    if not app.extensions.get("proxy_warned"):
        app.extensions["proxy_warned"] = True
        app.logger.warning(
            "requests come from %s with X-Forwarded-For: behind a proxy, set "
            "BLOG_TRUSTED_PROXIES to how many proxies are in front, or every "
            "reader counts as one sender",
            request.remote_addr,
        )


def signed_in_id() -> int | None:
    """The signed-in user's id, or None.

    A request with neither the session nor the remember cookie names nobody
    (the site has no request loader): Flask-Login would spend 70 us on a
    reader's comment to say so, hashing address and browser for its session
    protection.
    """
    config = current_app.config
    remember = config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE)
    names = (config["SESSION_COOKIE_NAME"], remember)
    if not any(name in request.cookies for name in names):
        return None
    return current_user.id if current_user.is_authenticated else None


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    ident, _, token = user_id.partition(":")
    if not ident.isdigit() or not token:
        return None
    user = User.get_or_none(User.id == int(ident))
    if user is None or not hmac.compare_digest(user.session_token, token):
        return None
    return user if user.is_active else None


@login_manager.unauthorized_handler
def _to_login():
    return redirect(url_for("auth.login", next=_return_path()))


def _return_path() -> str | None:
    """Where to go once signed in: this page; for a form, the page of ours it
    was sent from, else its address if that answers GET too (not a 405)."""
    here = request.full_path.rstrip("?")
    if request.method in ("GET", "HEAD"):
        return here
    urls = current_app.url_map.bind_to_environ(request.environ)
    page = urlsplit(request.referrer or "")
    sent_from = page.path + (f"?{page.query}" if page.query else "")
    # A refusal is shown at a form's own address, which may answer POST alone.
    if (
        page.netloc == request.host
        and local_path(sent_from)
        and urls.test(page.path, method="GET")
    ):
        return sent_from
    return here if urls.test(request.path, method="GET") else None


def local_path(target: str | None) -> str | None:
    """target if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or not target.isprintable():
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def role_required(*roles: Role):
    """Let in the given roles and admins; send the anonymous to the login page."""
    allowed = {Role.ADMIN, *roles}

    def decorate(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        checked.roles = allowed
        return checked

    return decorate


def has_role(user, *roles: Role) -> bool:
    return user.is_authenticated and user.role in {Role.ADMIN, *roles}


def attempt_keys(username: str, address: str | None) -> list[str]:
    # Keyed like a commenter's address: the table keeps no address. The hash
    # is of the sender, so an IPv6 host counts by its /64 (see privacy.sender).
    where = privacy.hash_ip(address or "", current_app.config["SECRET_KEY"])
    # By the name as sign-in finds it: "EDITOR" and "ｅｄｉｔｏｒ" are more
    # guesses at "editor", not a fresh allowance each.
    account = accounts.name_key(username)[:100]
    return [f"user:{account}", f"ip:{where or 'unknown'}"]


def check_attempts(keys: list[str], now: datetime.datetime):
    """Raise TooManyAttempts if any key has MAX_FAILURES within the window."""
    for key in keys:
        recent = list(
            LoginAttempt.select(LoginAttempt.at)
            .where((LoginAttempt.key == key) & (LoginAttempt.at > now - WINDOW))
            .order_by(LoginAttempt.at.desc())
            .limit(MAX_FAILURES)
        )
        if len(recent) >= MAX_FAILURES:
            # The limit lifts when the oldest of these falls out of the window.
            wait = (recent[-1].at + WINDOW - now).total_seconds()
            raise TooManyAttempts(max(1, math.ceil(wait)))


def record_failure(keys: list[str], now: datetime.datetime) -> list[int]:
    """Count a failed login under each key; the ids of the rows written."""
    with write_transaction():
        LoginAttempt.delete().where(LoginAttempt.at <= now - WINDOW).execute()
        return [LoginAttempt.create(key=key, at=now).id for key in keys]


def _count_attempt(keys: list[str], now: datetime.datetime) -> list[int]:
    """Check the limit and count this attempt as failed, in one transaction."""
    serialise(*keys)
    check_attempts(keys, now)
    return record_failure(keys, now)


def authenticate(username: str, password: str, address: str | None, now=None):
    """The user these credentials name, or None; TooManyAttempts when limited."""
    now = now or utcnow()
    keys = attempt_keys(username, address)
    # Counted before the password is checked, which takes a while: attempts
    # arriving together each find the others counted, not all pass the check.
    counted = retrying(lambda: _count_attempt(keys, now))
    user = accounts.find_user(username)
    # A disabled user's password is still checked, and a right one fails
    # as a wrong one does: the answer tells no one the account exists.
    if not accounts.verify_password(user, password) or not user.is_active:
        return None
    LoginAttempt.delete().where(
        (LoginAttempt.key == keys[0]) | LoginAttempt.id.in_(counted)
    ).execute()
    return user


def record_sign_in(user: User, now=None):
    """Note when the user signed in, for the admin's list of users."""
    retrying(
        lambda: (
            User.update(last_login_at=now or utcnow())
            .where(User.id == user.id)
            .execute()
        )
    )


def end_sessions(user: User):
    """Rotate the session token: every session of the user ends."""
    user.session_token = secrets.token_hex(16)
    user.save(only=[User.session_token])
