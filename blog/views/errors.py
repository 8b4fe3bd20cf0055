"""Every error the site answers, themed, mapped from typed exceptions in one place."""

from html import escape

from flask import current_app, render_template, request
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    HTTPException,
    NotFound,
    ServiceUnavailable,
)

from ..comments.validate import CommentsClosed, PostNotFound
from ..db import BusyError
from ..pagination import BadPageNumber, PageNotFound

# For a theme that cannot render its own error page.
PLAIN_PAGE = (
    '<!doctype html><html lang="en"><meta charset="utf-8">'
    "<title>{code}</title><h1>{code}</h1><p>{message}</p></html>"
)
BUSY_RETRY_AFTER = 5  # seconds: a busy database is a matter of moments

MESSAGES = {
    400: "The request could not be understood.",
    403: "You are not allowed to do that.",
    404: "There is nothing at this address.",
    405: "That method is not allowed here.",
    410: "This page has been taken down.",
    413: "What you sent is too large.",
    429: "Too many requests; please wait a little and try again.",
    500: "Something went wrong on our side.",
}


def render_error(code: int, message: str | None = None, headers=None):
    description = message or MESSAGES.get(code, "")
    if request.accept_mimetypes.best == "application/json":
        return {"error": description}, code, headers or {}
    try:
        body = render_template("error.html", code=code, message=description)
    except Exception:
        # A broken base.html fails every page: each must still answer in words,
        # not with the server's bare 500, and the log names the template.
        current_app.logger.exception("the theme cannot render its error page")
        body = PLAIN_PAGE.format(code=code, message=escape(description))
    return body, code, headers or {}


def _http_error(error: HTTPException):
    headers = {}
    if error.code in (429, 503) and getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    if error.code == 405:
        headers.update(error.get_headers() and dict(error.get_headers()))
        headers.pop("Content-Type", None)
    default = type(error).description
    message = error.description if error.description != default else None
    return render_error(error.code or 500, message, headers)


def init_app(app):
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(BadPageNumber, lambda e: _http_error(BadRequest(str(e))))
    app.register_error_handler(PageNotFound, lambda e: _http_error(NotFound(str(e))))
    app.register_error_handler(UnicodeError, lambda e: _http_error(BadRequest()))
    app.register_error_handler(PostNotFound, lambda e: _http_error(NotFound(str(e))))
    app.register_error_handler(CommentsClosed, lambda e: _http_error(Forbidden(str(e))))
    app.register_error_handler(
        BusyError,
        lambda e: _http_error(ServiceUnavailable(str(e), retry_after=BUSY_RETRY_AFTER)),
    )
