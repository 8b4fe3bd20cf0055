"""Step 1: turn the raw form into clean fields, or say what is wrong with each.

Nothing is ever shortened to fit: text over a limit is refused with a
message, so what is stored is exactly what the commenter wrote. Control
characters (other than newlines and tabs in the comment) and fields the form
does not have are refused too: browsers never send them, robots do.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .emails import PUNYCODE_TLD
from .ignorable import shows_nothing
from .privacy import mask_contacts

# The form's field names, shared with blog/forms.py.
NAME = "author"
EMAIL = "email"
URL = "url"
BODY = "comment"
PARENT = "parent"
REMEMBER = "remember"
TOKEN = "token"
HONEYPOT = "homepage"
FORM = "form"  # errors about the whole form rather than one field
FIELDS = frozenset({NAME, EMAIL, URL, BODY, PARENT, REMEMBER, TOKEN, HONEYPOT})

# The column sizes of Comment.
MAX_NAME = 245
MAX_EMAIL = 100
MAX_URL = 200
MAX_HIDDEN = 1000  # token, parent and decoy: far more than they ever hold

LABELS = {NAME: "Name", EMAIL: "Email", URL: "Website", BODY: "Comment"}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Characters that reorder text: a name or address could pose as another.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# The overrides show even Latin letters in reverse: "moc.elpmaxe@enaj" would
# show as an address that no privacy mask reads. Embeddings and isolates,
# which right-to-left writers use, reverse nothing of the kind.
_OVERRIDE = re.compile("[\u202d\u202e]")
# A host name label: letters and digits, hyphens inside, at most 63 long.
_LABEL = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"
_EMAIL = re.compile(
    rf"[^\s@\"<>()\[\],;:\\]+@(?:{_LABEL}\.)+(?:[^\W\d_]{{2,63}}|{PUNYCODE_TLD})"
)
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)
_HOST = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}")


class ValidationError(ValueError):
    """What is wrong with a submitted form, field by field.

    status is 422 for what a reader can correct, 400 for a form no browser
    sends (unknown fields, altered hidden fields).
    """

    def __init__(self, errors: dict[str, str], status: int = 422):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
        self.status = status


class PostNotFound(LookupError):
    """No public post takes comments at this address."""


class CommentsClosed(PermissionError):
    """The post no longer takes comments."""


@dataclass(frozen=True)
class Fields:
    author_name: str
    author_email: str
    author_url: str
    body: str
    parent_id: int | None
    remember: bool
    token: str
    honeypot: str


def clean(form: Mapping[str, str] | Iterable[tuple[str, str]], max_body: int) -> Fields:
    """Normalise and check every field; raise ValidationError with all problems."""
    values = _collect(form)
    _check_hidden(values)
    errors: dict[str, str] = {}
    name = _text(values, NAME, MAX_NAME, errors)
    email = _text(values, EMAIL, MAX_EMAIL, errors)
    url = _text(values, URL, MAX_URL, errors, required=False)
    body = _body(values.get(BODY, ""), max_body, errors)
    if name and NAME not in errors and mask_contacts(name) != name:
        # Readers mix the fields up; the email field promises not to publish.
        errors[NAME] = (
            "Name looks like it holds an email address or phone number, "
            "and the name is shown to everyone."
        )
    if email and EMAIL not in errors:
        email = _email(email, errors)
    if url and URL not in errors:
        url = _url(url, errors)
    if errors:
        raise ValidationError(errors)
    return Fields(
        author_name=name,
        author_email=email,
        author_url=url,
        body=body,
        parent_id=int(values[PARENT]) if values.get(PARENT) else None,
        remember=bool(values.get(REMEMBER)),
        token=values.get(TOKEN, ""),
        honeypot=values.get(HONEYPOT, ""),
    )


def displayable(value: str) -> str:
    """A submitted value fit to put back in a form: control characters removed."""
    return _CONTROL.sub("", value)


def comment_text(raw: str, limit: int) -> str:
    """A comment's text held to the form's rules; ValidationError if it fails."""
    errors: dict = {}
    value = _body(raw, limit, errors)
    if errors:
        raise ValidationError(errors)
    return value


def imported_name(name: str) -> str:
    """An imported commenter's name fit to show everyone: the form refuses a
    name holding an email or phone number; an import masks them."""
    return mask_contacts(displayable(name).strip())[:MAX_NAME] or "Anonymous"


def imported_website(url: str) -> str:
    """An imported commenter's website as the form would take it, else ''."""
    errors: dict = {}
    url = _url(url.strip(), errors) if url.strip() else ""
    return "" if errors else url


def _collect(form) -> dict[str, str]:
    pairs = form.items() if isinstance(form, Mapping) else form
    values: dict[str, str] = {}
    for key, value in pairs:
        if key not in FIELDS:
            raise ValidationError({FORM: "The form has a field it should not."}, 400)
        if key in values:
            raise ValidationError({FORM: "The form has a field twice."}, 400)
        values[key] = value
    return values


def _check_hidden(values: dict[str, str]):
    for key in (PARENT, TOKEN, HONEYPOT, REMEMBER):
        if len(values.get(key, "")) > MAX_HIDDEN:
            raise ValidationError({FORM: "The form was altered."}, 400)
    parent = values.get(PARENT, "")
    if parent and not (parent.isascii() and parent.isdigit() and len(parent) < 12):
        raise ValidationError({FORM: "The form was altered."}, 400)


def _text(values, key, limit, errors, required=True) -> str:
    value = unicodedata.normalize("NFC", values.get(key, "")).strip()
    label = LABELS[key]
    if shows_nothing(value):
        if required:
            errors[key] = f"{label} is required."
        return ""
    if _LINE_CONTROL.search(value) or _BIDI.search(value):
        errors[key] = f"{label} contains characters that are not allowed."
    elif len(value) > limit:
        errors[key] = f"{label} may be at most {limit} characters long ({len(value)})."
    return value


def _body(raw: str, limit: int, errors) -> str:
    value = raw.replace("\r\n", "\n").replace("\r", "\n")
    value = unicodedata.normalize("NFC", value).strip()
    if shows_nothing(value):
        errors[BODY] = "Comment is required."
    elif _CONTROL.search(value):
        errors[BODY] = "Comment contains control characters that are not allowed."
    elif _OVERRIDE.search(value):
        errors[BODY] = (
            "Comment contains characters that reverse text, which are not allowed."
        )
    elif len(value) > limit:
        errors[BODY] = (
            f"Comment may be at most {limit:,} characters long; it has {len(value):,}."
        )
    return value


def _email(email: str, errors) -> str:
    local, _, domain = email.rpartition("@")
    if not _EMAIL.fullmatch(email) or ".." in email or local.startswith("."):
        errors[EMAIL] = "Enter an email address like name@example.com."
        return email
    return f"{local}@{domain.lower()}"


def _url(url: str, errors) -> str:
    if not _SCHEME.match(url):
        url = "http://" + url
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or not _HOST.fullmatch(parts.hostname.rstrip("."))
        or parts.username is not None
        or any(char.isspace() for char in url)
    ):
        errors[URL] = "Enter a web address starting with http:// or https://."
        return url
    if len(url) > MAX_URL:
        errors[URL] = f"Website may be at most {MAX_URL} characters long."
    elif mask_contacts(unquote(url)) != unquote(url):
        # A link's address is shown to everyone; the body would mask it.
        errors[URL] = (
            "Website looks like it holds an email address or phone number, "
            "and the website is shown to everyone."
        )
    return url
