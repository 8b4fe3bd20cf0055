"""What every dashboard page shares: the blueprint, sign-in, no caching."""

from flask import Blueprint, abort, current_app, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from ...auth import login_manager
from ...pagination import page_number
from ..errors import render_error
from .kept import kept_text

bp = Blueprint("admin", __name__, url_prefix="/admin")
# Instead of "The CSRF tokens do not match.", which tells a moderator nothing.
STALE_PAGE = (
    "Nothing was done: this page was opened before you last signed in or out. "
    "Sign in if need be, open the page again and repeat."
)


def refuse_nul():
    """Answer 400 to a form holding a NUL: no field of ours needs one, and
    PostgreSQL refuses it in any text, which would be a 500."""
    if any("\x00" in value for _key, value in request.form.items(multi=True)):
        abort(400, description="The form could not be read: it holds a NUL character.")


def private(blueprint: Blueprint):
    """Make every page of a blueprint demand a sign-in and stay out of caches.

    Each view still names the roles it admits (auth.role_required); this is
    the net under a view that forgot to.
    """

    @blueprint.before_request
    def _signed_in():
        if not current_user.is_authenticated:
            return kept_text(401) or login_manager.unauthorized()
        return None

    @blueprint.errorhandler(CSRFError)
    def _session_gone(error):
        # Signed out in this browser: the session and its CSRF token are gone.
        return kept_text(400) or render_error(400, STALE_PAGE)

    blueprint.before_request(refuse_nul)

    @blueprint.after_request
    def _no_store(response):
        response.headers["Cache-Control"] = "no-store"
        return response

    @blueprint.context_processor
    def _helpers():
        return {"page_link": page_link}


private(bp)


def settings():
    return current_app.extensions["settings"]


def current_page() -> int:
    return page_number(request.args.get("page"))


def database_id(value: str) -> int | None:
    """An id from a form or query: ASCII digits within a database id, else None.

    str.isdigit() alone takes "²", which int() refuses, and SQLite refuses
    an integer past 64 bits.
    """
    value = value.strip()
    if value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def page_link(number: int) -> dict:
    """url_for arguments of this page's URL showing page `number`."""
    return {**(request.view_args or {}), **request.args.to_dict(), "page": number}
