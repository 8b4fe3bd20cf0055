"""What the learning filter sees of a comment: a set of short string tokens.

The body is normalised first so that trivial variations of one message look
alike: Unicode compatibility forms folded (NFKC), invisible characters
dropped, HTML tags stripped and entities decoded, lower case, long runs of one
letter shortened, links replaced by a marker (a Markdown autolink,
<http://...>, is a link, not a tag to strip). The tokens are then its words
and word pairs (numbers left out: they name counts and years in honest
comments as often as prices in spam), the first and last words (spam opens
with "check out", "subscribe", a bare link), the stems of its longer words,
the hosts of its links and how many there are, whether any of them is
somebody's own site rather than a video site, a social network or the like
(sites.py: what spam advertises, and every such link in the shared corpora
is spam), and the email domain and website host of the commenter. The raw
email is never a feature: only its domain is.

A stem (a word's first four letters) is counted like any token but speaks
only for a word the filter has never met (classifier.py): "subscribers",
"subscribing" and the misspelt "subscirbe" then borrow what "subscribe"
taught. Character n-grams of the whole text and the commenter's name were
measured on the shared corpora and left out: both made held-out results
worse (see the README).

Learning and scoring call the same `tokens()`, and the shipped default model
records FEATURES_VERSION: a change here must bump it and rebuild the model.
"""

import functools
import hashlib
import html
import re
import unicodedata
from itertools import pairwise
from urllib.parse import urlsplit

from ..ignorable import INVISIBLE as _IGNORABLE
from ..privacy import EMAIL_MASK, PHONE_MASK
from .sites import is_own_site

FEATURES_VERSION = 5
MAX_TOKEN_LENGTH = 64  # SpamToken.token
MAX_TEXT = 2000  # characters of the body looked at: enough to judge, cheap to score
STEM = 4  # letters of a stem; only longer words have one

URL_MARK = "_url_"
EMAIL_MARK = "_email_"
PHONE_MARK = "_phone_"
OWN_SITE = "m:own-site"  # a link to somebody's site, not one everybody links to

_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
# A match may start at every "<" of a comment: none reads on past the next
# one, so "<a " or "<!--" repeated over a whole comment costs one pass, not
# one pass a "<" (minutes for the longest comment).
_ANCHOR = re.compile(
    r"<a\b[^<>]*>[^<]*(?:<(?!a\b|/a>)[^<]*)*</a>", re.IGNORECASE | re.DOTALL
)
_TAG = re.compile(r"<[a-z/!][^<>]*>", re.IGNORECASE)
# A Markdown autolink looks like a tag but shows readers a link.
_AUTOLINK = re.compile(r"<((?:https?://|www\.)[^\s<>]+)>", re.IGNORECASE)
# Links with a scheme or www., and bare domains under common top-level domains.
# A bare domain starts only where its run of labels starts (or after ".."):
# a start inside "a.a.a..." or "1-1-1..." reads to the run's end like the
# start before it, so the longest comment took minutes. Right after a
# Chinese, Japanese or Korean letter too: those scripts put no space before a
# domain ("请访问shop.pills.ru"); never after another letter ("überpills.ru"
# names no host "berpills.ru").
_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()]+"
    rf"|(?<![^\W_{_CJK}])(?<![a-z0-9-][.-])(?<!\.-)(?:[a-z0-9-]+\.)+"
    r"(?:com|net|org|info|biz|us|uk|ru|de|co|io|ly|me|tk|tv|"
    r"xyz|online|site|club|top|gl|be|to|in|cn|pl|fr|es|it|nl|br|au|ca)\b"
    r"(?:/[^\s<>\"'()]*)?",
    re.IGNORECASE,
)
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_REPEATED_LETTER = re.compile(r"([^\W\d_])\1{2,}")
_WORD = re.compile(r"_[a-z]+_|[^\W_]+(?:'[^\W_]+)*")
_DIGIT = re.compile(r"\d")
_SPACE = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))


# Listed words are matched as the page shows them (the filter's own _INVISIBLE
# list is part of its features, so it stays as the model learned it).
def fold(text: str) -> str:
    """Text for matching listed words: compatibility forms folded, no case,
    no accents ("víagra" is "viagra", a keyword "café" finds "cafe"), nothing
    that shows nothing."""
    text = _IGNORABLE.sub("", _clean(text)).casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


# The link count, the blocklist and the classifier each ask for one body's links.
@functools.lru_cache(maxsize=16)
def links(text: str) -> tuple[str, ...]:
    """Every link in a comment body, an HTML anchor counting once."""
    text = _AUTOLINK.sub(r" \1 ", html.unescape(_clean(text)))
    found = []
    for anchor in _ANCHOR.findall(text):
        found += _HREF.findall(anchor)[:1] or _URL.findall(_TAG.sub(" ", anchor))[:1]
    return (*found, *_URL.findall(_TAG.sub(" ", _ANCHOR.sub(" ", text))))


def normalise(text: str) -> str:
    """The body as the filter reads it: lower case, links as one marker."""
    text = _AUTOLINK.sub(r" \1 ", _clean(text[:MAX_TEXT]))
    text = html.unescape(_TAG.sub(" ", text))
    text = text.replace(EMAIL_MASK, f" {EMAIL_MARK} ")
    text = text.replace(PHONE_MASK, f" {PHONE_MARK} ")
    text = _URL.sub(f" {URL_MARK} ", text).lower().replace("’", "'")
    text = _REPEATED_LETTER.sub(r"\1\1", text)
    return _SPACE.sub(" ", text).strip()


def host(url: str) -> str:
    """The host of a link, lower case without "www."; "" when there is none."""
    # Compatibility forms folded as a browser folds them: a website typed as
    # "ｓｐａｍ.example" leads to spam.example (the body's links are folded already).
    url = _clean(url).strip().lower()
    if not url:
        return ""
    if "://" not in url:
        url = "http://" + url
    try:
        name = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return name.removeprefix("www.").strip(".")


# Links a browser opens on another site without "scheme://" in them:
# "//spam.example" (protocol-relative, which Markdown links keep) and
# "https:/spam.example" or "http:spam.example" (on a page of the other scheme).
_LOOSE_START = re.compile(r"(?:https?:[/\\]*|[/\\]{2,})(?=[^/\\])", re.IGNORECASE)


def link_host(url: str) -> str:
    """host() of a link as a browser follows it, loose starts included; the
    classifier's tokens keep host() as they were learned."""
    url = url.strip()
    loose = _LOOSE_START.match(url)
    return host("http://" + url[loose.end() :] if loose else url)


def words(text: str) -> list[str]:
    """The words of a normalised text, leaving out anything with a digit."""
    return [word for word in _WORD.findall(text) if not _DIGIT.search(word)]


def stem(token: str) -> str | None:
    """The stem token of a word token ("w:..."), or None for a short word."""
    word = token[2:]
    return f"p:{word[:STEM]}" if len(word) > STEM else None


def _word_tokens(found: list[str]) -> list[str]:
    tokens = [f"w:{word}" for word in found]
    tokens += [f"p:{word[:STEM]}" for word in found if len(word) > STEM]
    tokens += [f"b:{first} {second}" for first, second in pairwise(found)]
    if found:
        tokens += [f"b:^ {found[0]}", f"b:{found[-1]} $"]
    if len(found) > 1:
        tokens.append(f"b:^ {found[0]} {found[1]}")
    return tokens


def _link_tokens(body: str) -> list[str]:
    found = list(dict.fromkeys(links(body)))
    tokens = [f"m:links:{min(len(found), 3)}"]
    for link in found:
        name = host(link)
        if name:
            tokens += [f"u:{name}", "u:." + ".".join(name.rsplit(".", 2)[-2:])]
            if is_own_site(name):
                tokens.append(OWN_SITE)
    return tokens


def _author_tokens(fields: dict) -> list[str]:
    tokens = []
    email = fields.get("author_email") or ""
    if "@" in email:
        tokens.append("e:" + email.rsplit("@", 1)[1].strip().lower())
    url_host = host(fields.get("author_url") or "")
    if url_host:
        tokens.append("f:" + url_host)
    return tokens


def sender_tokens(fields: dict) -> list[str]:
    """The commenter's own tokens (email domain, website host) as learned:
    a long one is hashed to fit, so no prefix tells it apart."""
    return [_fit(token) for token in _author_tokens(fields)]


def _fit(token: str) -> str:
    if len(token) <= MAX_TOKEN_LENGTH:
        return token
    return "h:" + hashlib.blake2b(token.encode(), digest_size=16).hexdigest()


def tokens(fields: dict) -> list[str]:
    """The distinct tokens of a comment, in first-seen order."""
    body = fields.get("body") or ""
    found = _word_tokens(words(normalise(body)))
    found += _link_tokens(body) + _author_tokens(fields)
    return list(dict.fromkeys(_fit(token) for token in found))
