"""Reading front matter values (content.py): each bad one a ContentError
that names the field, so a sync reports the file and goes on."""

import datetime
import re
from zoneinfo import ZoneInfo

import frontmatter

from .settings import as_bool


class ContentError(ValueError):
    """A content file that cannot be imported; the message says why."""


def names(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        raise ContentError(f"expected a list of names, got {value!r}")
    return [str(name).strip() for name in value if str(name).strip()]


def as_datetime(value, tz: ZoneInfo, what: str):
    """Front matter dates are in the site's time zone unless they carry one."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.strip())
        except ValueError as error:
            raise ContentError(f"{what}: {value!r} is not a date") from error
    if isinstance(value, datetime.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time(), tz)
    else:
        raise ContentError(f"{what}: {value!r} is not a date")
    try:
        return moment.astimezone(datetime.UTC).replace(tzinfo=None)
    except OverflowError as error:  # year 1 east of UTC, year 9999 west of it
        raise ContentError(f"{what}: {value!r} is out of range") from error


# The navigation position is a 32-bit column on PostgreSQL.
ORDER_RANGE = range(-(2**31), 2**31)


def order(value) -> int:
    if value is None or value == "":
        return 0
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"[+-]?[0-9]+", text):
        raise ContentError(f"order: {value!r} is not a whole number")
    if int(text) not in ORDER_RANGE:
        raise ContentError(f"order: {value!r} is out of range")
    return int(text)


def flag(value, name: str, default: bool | None) -> bool | None:
    """A yes/no field, read as a setting is; quoted ("false") it is a string,
    and bool() of it True."""
    if value is None:
        return default
    try:
        return as_bool(value)
    except ValueError:
        raise ContentError(f"{name}: must be true or false, not {value!r}") from None


# A whole IRI, as feeds.entry_id gives it out: tag:, http:, urn:...
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]+")


def feed_id(value) -> str | None:
    """A post's Atom id as written by an export; None when the file gives none."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _IRI.fullmatch(value.strip()):
        raise ContentError(
            f"feed_id: {value!r} is not an Atom id "
            "(such as tag:example.org,2024-06-01:post/12)"
        )
    return value.strip()


def why_no_title(text: str) -> str:
    """Why a file gave no title: python-frontmatter reads front matter that is
    TOML (without the toml package) or not a mapping as none at all."""
    text = text.strip()  # as python-frontmatter reads it
    if text.startswith("+++"):
        return "TOML front matter (+++) is not read: write YAML between --- lines"
    handler = frontmatter.YAMLHandler()
    if handler.detect(text):
        # Only on this error path: the file parsed once already.
        loaded = handler.load(handler.split(text)[0])
        if loaded is not None and not isinstance(loaded, dict):
            return "front matter is not a mapping of keys to values"
    return "front matter has no title"
