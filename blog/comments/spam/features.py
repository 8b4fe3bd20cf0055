"""What the learning filter sees of a comment: a set of short string tokens.

The text is normalised first, so that trivial variations of one spam message
look alike: Unicode compatibility forms folded (NFKC), invisible characters
dropped, HTML tags stripped and entities decoded, lower case, long runs of one
letter shortened, links replaced by a marker plus their host, digits by their
shape. The tokens are then words, word pairs, character n-grams (they survive
misspellings and glued words), link hosts, a few shape measures, and the name,
email domain and website host of the commenter, each kind with its own prefix.
The raw email is never a feature: only its domain is.

Learning and scoring call the same `tokens()`, and the shipped default model
records FEATURES_VERSION: a change here must bump it and rebuild the model.
"""

import hashlib
import html
import re
import unicodedata
from urllib.parse import urlsplit

from ..privacy import EMAIL_MASK, PHONE_MASK

FEATURES_VERSION = 1
MAX_TOKEN_LENGTH = 64  # SpamToken.token
MAX_TEXT = 2000  # characters of the body looked at: enough to judge, cheap to score
CHAR_NGRAMS = (3, 4, 5)

URL_MARK = "_url_"
EMAIL_MARK = "_email_"
PHONE_MARK = "_phone_"

_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_TAG = re.compile(r"<[a-z/!][^>]*>", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>|</p>", re.IGNORECASE)
# Links with a scheme or www., and bare domains under common top-level domains.
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()]+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|net|org|info|biz|us|uk|ru|de|co|io|ly|me|tk|tv|"
    r"xyz|online|site|club|top|gl|be|to|in|cn|pl|fr|es|it|nl|br|au|ca)\b"
    r"(?:/[^\s<>\"'()]*)?",
    re.IGNORECASE,
)
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_REPEATED_LETTER = re.compile(r"([^\W\d_])\1{2,}")
_REPEATED_MARK = re.compile(r"([!?.*$])\1{2,}")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"_[a-z]+_|[^\W_]+(?:'[^\W_]+)*")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> tuple[str, list[str]]:
    """The body as the filter reads it, and the links found in it."""
    text = unicodedata.normalize("NFKC", text[:MAX_TEXT])
    text = _INVISIBLE.sub("", text)
    links = [html.unescape(link) for link in _HREF.findall(text)]
    text = html.unescape(_TAG.sub(" ", _BREAK.sub("\n", text)))
    text = text.replace(EMAIL_MASK, f" {EMAIL_MARK} ")
    text = text.replace(PHONE_MASK, f" {PHONE_MARK} ")
    links += _URL.findall(text)
    text = _URL.sub(f" {URL_MARK} ", text).lower().replace("’", "'")
    text = _REPEATED_LETTER.sub(r"\1\1", text)
    text = _REPEATED_MARK.sub(r"\1\1\1", text)
    text = _DIGITS.sub(lambda m: "0" * min(len(m.group()), 6), text)
    return _SPACE.sub(" ", text).strip(), list(dict.fromkeys(links))


def host(url: str) -> str:
    """The host of a link, lower case without "www."; "" when there is none."""
    url = url.strip().lower()
    if not url:
        return ""
    if "://" not in url:
        url = "http://" + url
    try:
        name = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return name.removeprefix("www.").strip(".")


def _link_tokens(links) -> list[str]:
    tokens = [f"m:links:{min(len(links), 3)}"]
    for link in links:
        name = host(link)
        if name:
            tokens.append(f"u:{name}")
            tokens.append("u:." + ".".join(name.rsplit(".", 2)[-2:]))
    return tokens


def _shape_tokens(raw: str, text: str) -> list[str]:
    letters = [char for char in raw if char.isalpha()]
    upper = sum(char.isupper() for char in letters)
    tokens = [f"m:len:{min(len(text).bit_length(), 10)}"]
    if len(letters) >= 10:
        tokens.append(f"m:caps:{min(int(10 * upper / len(letters)), 8)}")
    return tokens


def _word_tokens(text: str) -> list[str]:
    words = _WORD.findall(text)
    tokens = [f"w:{word}" for word in words]
    tokens += [
        f"b:{first} {second}" for first, second in zip(words, words[1:], strict=False)
    ]
    return tokens


def _char_tokens(text: str) -> list[str]:
    padded = f" {text} "
    return [
        f"c:{padded[start : start + size]}"
        for size in CHAR_NGRAMS
        for start in range(len(padded) - size + 1)
    ]


def _author_tokens(fields: dict) -> list[str]:
    name = normalise(fields.get("author_name") or "")[0]
    tokens = [f"n:{word}" for word in _WORD.findall(name)]
    email = fields.get("author_email") or ""
    if "@" in email:
        tokens.append("e:" + email.rsplit("@", 1)[1].strip().lower())
    url_host = host(fields.get("author_url") or "")
    if url_host:
        tokens += ["f:" + URL_MARK, "f:" + url_host]
    return tokens


def _fit(token: str) -> str:
    if len(token) <= MAX_TOKEN_LENGTH:
        return token
    return "h:" + hashlib.blake2b(token.encode(), digest_size=16).hexdigest()


def tokens(fields: dict) -> list[str]:
    """The distinct tokens of a comment, in first-seen order."""
    raw = fields.get("body") or ""
    text, links = normalise(raw)
    found = _link_tokens(links) + _shape_tokens(raw, text) + _author_tokens(fields)
    found += _word_tokens(text) + _char_tokens(text)
    return list(dict.fromkeys(_fit(token) for token in found))
