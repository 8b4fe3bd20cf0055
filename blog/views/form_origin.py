"""Where a POSTed form came from: a page of this site, another site, or unsaid.

A page elsewhere can make its visitors' browsers send our forms, and no
token on a cached page tells those apart from our own. The browser does:
Sec-Fetch-Site where it sends it, else the Origin of the page (or, from
browsers that send no Origin with a form, the Referer).

"Ours" is the configured SITE_URL or the address the request was sent to:
a browser always sends the Host it connects to, so another site's page can
match neither (Django and Flask-WTF compare with the Host the same way),
and a site reached under several names works under each. A request that
says nothing (curl, a browser told to keep quiet) is unsaid, not foreign:
the form must work for every reader.
"""

import enum
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from flask import current_app, request

# "none": the reader's own doing (a bookmark, the address bar), no site's.
_OURS = ("same-origin", "none")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Sent(enum.Enum):
    HERE = "here"
    ELSEWHERE = "elsewhere"
    UNSAID = "unsaid"


def sent_from() -> Sent:
    """Where the current request's form was sent from."""
    return judge(request.headers, _own_origins)


def _own_origins() -> set:
    own = {_origin(current_app.config["SITE_URL"]), _origin(request.host_url)}
    return own - {None}


def from_elsewhere() -> bool:
    return sent_from() is Sent.ELSEWHERE


def judge(headers: Mapping, own: Callable[[], set]) -> Sent:
    """Sent.HERE if the headers name one of the `own()` origins, as _origin
    makes them; asked only when needed, as most browsers say Sec-Fetch-Site."""
    fetched = headers.get("Sec-Fetch-Site")
    if fetched is not None:
        return Sent.HERE if fetched in _OURS else Sent.ELSEWHERE
    # An Origin of "null" (a sandboxed frame, a file) is elsewhere: a page
    # elsewhere can choose it, and then its Referer too.
    page = headers.get("Origin") or headers.get("Referer")
    if not page:
        return Sent.UNSAID
    return Sent.HERE if _origin(page) in own() else Sent.ELSEWHERE


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a URL as browsers compare them; None if it has none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    if parts.scheme not in _DEFAULT_PORTS or not host:
        return None
    return parts.scheme, host, port or _DEFAULT_PORTS[parts.scheme]
