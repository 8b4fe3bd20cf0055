"""Reading front matter values (content.py): each bad one a ContentError
that names the field, so a sync reports the file and goes on."""

import datetime
import re
from zoneinfo import ZoneInfo

import frontmatter
import yaml

from .settings import as_bool


class ContentError(ValueError):
    """A content file that cannot be imported; the message says why."""


def _refuse_non_text(value, name: str, what: str):
    if isinstance(value, bool):
        raise ContentError(
            f"{name}: YAML reads yes, no, on, off, true and false as a "
            "yes/no value, not text: put it in quotes"
        )
    if isinstance(value, list | dict):
        kind = "a list" if isinstance(value, list) else "a mapping"
        raise ContentError(f"{name}: {kind} is not {what}")


def text(value, name: str, limit: float) -> str:
    """A text field. A number or date is text as written; yes/no is not:
    YAML reads it as true/false, and the word is lost."""
    if value is None:
        return ""
    _refuse_non_text(value, name, "text")
    value = str(value).strip()
    if len(value) > limit:  # PostgreSQL would fail the whole sync
        raise ContentError(f"{name}: at most {limit} characters")
    return value


def names(value, name: str, limit: int) -> list[str]:
    """Tags or categories: a list, or text separated by commas."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        raise ContentError(f"{name}: expected a list of names, got {value!r}")
    found = []
    for item in value:
        _refuse_non_text(item, name, "a name")
        item = "" if item is None else str(item).strip()
        if len(item) > limit:
            raise ContentError(f"{name}: at most {limit} characters a name")
        if item:
            found.append(item)
    return found


DATE_HINT = " (write 2024-06-23, or 2024-06-23 09:30 with an optional +02:00)"


def as_datetime(value, tz: ZoneInfo, what: str):
    """Front matter dates are in the site's time zone unless they carry one."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.strip())
        except ValueError as error:
            raise ContentError(f"{what}: {value!r} is not a date{DATE_HINT}") from error
    if isinstance(value, datetime.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time(), tz)
    else:
        kind = {list: "a list", dict: "a mapping", bool: "a yes/no value"}
        shown = kind.get(type(value), repr(value))
        raise ContentError(f"{what}: {shown} is not a date{DATE_HINT}")
    try:
        return moment.astimezone(datetime.UTC).replace(tzinfo=None)
    except OverflowError as error:  # year 1 east of UTC, year 9999 west of it
        raise ContentError(f"{what}: {value!r} is out of range") from error


# The navigation position is a 32-bit column on PostgreSQL.
ORDER_RANGE = range(-(2**31), 2**31)


def order(value) -> int:
    if value is None or value == "":
        return 0
    written = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"[+-]?[0-9]+", written):
        raise ContentError(f"order: {value!r} is not a whole number")
    if int(written) not in ORDER_RANGE:
        raise ContentError(f"order: {value!r} is out of range")
    return int(written)


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


def yaml_problem(error: yaml.YAMLError, text: str) -> str:
    """What YAML found wrong, and on which line of the file."""
    mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
    if mark is None:
        return f"bad front matter: {error}".splitlines()[0]
    # The front matter YAML reads begins on the opening --- line, after the
    # blank lines python-frontmatter strips.
    blank = text[: len(text) - len(text.lstrip())].count("\n")
    what = ": ".join(filter(None, (error.context, error.problem)))
    return f"bad front matter, line {blank + mark.line + 1}: {what}"


def why_no_title(text: str) -> str:
    """Why a file gave no title: python-frontmatter reads front matter that is
    TOML (without the toml package) or not a mapping as none at all."""
    text = text.strip()  # as python-frontmatter reads it
    if text.startswith("+++"):
        return "TOML front matter (+++) is not read: write YAML between --- lines"
    handler = frontmatter.YAMLHandler()
    if not handler.detect(text):
        return "no front matter: begin the file with a --- line, title: ... and ---"
    try:
        front, _body = handler.split(text)
    except ValueError:
        return "front matter has no closing --- line"
    # Only on this error path: the file parsed once already.
    loaded = handler.load(front)
    if loaded is not None and not isinstance(loaded, dict):
        return "front matter is not a mapping of keys to values"
    if any(str(key).strip().lower() == "title" for key in loaded or ()):
        return "front matter has no title: keys are lower case (title:, not Title:)"
    return "front matter has no title"
