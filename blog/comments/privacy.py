"""Step 3: what the site keeps of a commenter, decided before anything is stored.

Emails and phone numbers typed into a comment are masked; the commenter's
email is reduced to a keyed hash for public use (identicons, matching) and
kept raw in one private column; the IP address is kept only as a keyed hash
(of the address, or of its /64 for IPv6: see sender()) and a truncated
prefix (IPv4 /24, IPv6 /48), both purged after retention.

Masking errs towards privacy for anything shaped like a contact, and leaves
alone what a technical blog is full of: versions, dates, times, IP addresses,
prices, decimals, thousands and ISBNs, the "at" of prose and the "@" of code.
emails.py and phones.py say where the contacts of a text are; this module
reads the text as a reader would and masks them.

Masking reads the text as it will be read, not as it was typed: Markdown turns
"jane&#64;example.com" and "jane\\@example.com" into an address, and a browser
does the same with "mailto:jane%40example.com". So the patterns run over a
reading of the source with its character references, backslash escapes and
percent escapes decoded as deep as a reader would decode them (see
_MARKDOWN_LAYERS), and each contact found there is masked over the source
characters it came from. The rest of the source is kept byte for byte, so
"1\\. not a list" and "&lt;div&gt;" stay as they were typed. Addresses are
also read without emphasis and code marks, which the page does not show:
"jane@*example*.com". mask_html() then masks what the rendered HTML shows,
its links and its text read across inline tags, for what the source does not
spell out: "[jane@](https://x.example)example.com" is an address only once
rendered.
"""

import bisect
import hashlib
import hmac
import html
import ipaddress
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from urllib.parse import unquote

from . import emails, phones
from .ignorable import INVISIBLE as _INVISIBLE
from .spam import Outcome, Verdict

EMAIL_MASK = "[email hidden]"
PHONE_MASK = "[phone hidden]"

# What Markdown or a browser decodes: character references (as markdown-it
# reads them), backslash escapes of ASCII punctuation, and percent escapes
# of one character (ASCII, or UTF-8 such as "%EF%BC%A0" for "＠").
_CONTINUATION = "%[89abAB][0-9a-fA-F]"
_ENCODED = re.compile(
    r"&#(?:[xX][0-9a-fA-F]{1,6}|[0-9]{1,7});|&[A-Za-z][A-Za-z0-9]{1,31};"
    rf"|\\[{re.escape(string.punctuation)}]"
    rf"|%[0-7][0-9a-fA-F]|%[cdCD][0-9a-fA-F]{_CONTINUATION}"
    rf"|%[eE][0-9a-fA-F](?:{_CONTINUATION}){{2}}|%[fF][0-7](?:{_CONTINUATION}){{3}}"
)
# What a page shows as nothing: "jane\u200b@example.com" reads whole.
_READABLE = re.compile(rf"{_ENCODED.pattern}|{_INVISIBLE.pattern}")
# A tag of rendered HTML: bleach quotes every attribute value with "".
_TAG = re.compile(r'<(/?[a-z]+)(?:[^>"]|"[^"]*")*>')
_HTML = re.compile(rf"{_TAG.pattern}|{_ENCODED.pattern}")
# Inline tags show nothing between words; the edges of a block part them.
_INLINE_TAGS = {"a", "/a", "code", "/code", "em", "/em", "strong", "/strong"}
_ANCHOR = re.compile(r"<a\b.*", re.IGNORECASE | re.DOTALL)  # one whole tag
_HREF = re.compile(r'(\shref=")([^"]*)(")')
# The layers a reader sees through. Markdown: what markdown-it decodes, what
# bleach decodes again (it writes the text "&#64;" back as a live reference,
# so "&amp;#64;" shows "@"), and what a person decodes by eye ("&#64;" shown
# in code). HTML: what the browser decodes, tags and all, and then the eye.
_MARKDOWN_LAYERS = (_READABLE, _READABLE, _READABLE)
_HTML_LAYERS = tuple(
    re.compile(rf"{layer.pattern}|{_INVISIBLE.pattern}") for layer in (_HTML, _ENCODED)
)
# Emphasis and code marks inside an address ("jane@*example*.com") vanish on
# the page: addresses are read without them, so the source is masked too. Not
# phone numbers: "1_000_000_000" and "10*1000*1000" are numbers in code.
# An underscore inside a word is no mark (CommonMark): "jane_doe" shows whole.
_MARKS = "*_~`"
_MARK = r"[*~`]|(?<![^\W_])_|_(?![^\W_])"
_EMAIL_LAYERS = tuple(
    re.compile(rf"{layer.pattern}|{_MARK}") for layer in _MARKDOWN_LAYERS
)


@lru_cache(maxsize=1024)  # a long text repeats the same few encodings
def _decode(encoded: str) -> str:
    if encoded in _MARKS or _INVISIBLE.fullmatch(encoded):
        return ""
    if tag := _TAG.fullmatch(encoded):
        return "" if tag[1] in _INLINE_TAGS else "\n"
    if encoded[0] == "\\":
        return encoded[1]
    if encoded[0] == "%":
        return unquote(encoded, errors="replace")
    return html.unescape(encoded)


class _Reading:
    """A source as a reader sees it, each character traced to the span of
    source it was decoded from, so a contact found in the reading is masked
    where it was typed.

    Each pass keeps only its edits, not a position per character: building
    those lists took most of the time of masking a long comment of escapes.
    """

    def __init__(self, source: str, layers: tuple[re.Pattern, ...]):
        self.text = source
        self._passes = []
        for encoded in layers:
            if not self._decode_once(encoded):
                break

    def _decode_once(self, encoded: re.Pattern) -> bool:
        edits, shift = [], 0

        def decode(match: re.Match) -> str:
            nonlocal shift
            typed = match.group()
            decoded = _decode(typed)
            if decoded != typed:  # "&notanentity;" is read as typed
                start, end = match.span()
                edits.append((start + shift, start + shift + len(decoded), start, end))
                shift += len(decoded) - len(typed)
            return decoded

        text = encoded.sub(decode, self.text)
        if not edits:
            return False
        self.text = text
        self._passes.append(([edit[0] for edit in edits], edits))
        return True

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        first, last = start, end - 1
        for starts, edits in reversed(self._passes):
            first = _typed_at(first, starts, edits)[0]
            last = _typed_at(last, starts, edits)[1] - 1
        return first, last + 1


def _typed_at(position: int, starts: list[int], edits: list) -> tuple[int, int]:
    """The span typed for one character of a pass's reading."""
    index = bisect.bisect_right(starts, position) - 1
    if index < 0:
        return position, position + 1
    start, end, typed_start, typed_end = edits[index]
    if position < end:
        return typed_start, typed_end
    typed = typed_end + position - end
    return typed, typed + 1


def _emails(text: str) -> Iterator[tuple[int, int, str]]:
    for start, end in emails.spans(text):
        yield start, end, EMAIL_MASK


def _phones(text: str) -> Iterator[tuple[int, int, str]]:
    for start, end in phones.spans(text):
        yield start, end, PHONE_MASK


def _mask(source: str, find, layers=_MARKDOWN_LAYERS, in_html: bool = False) -> str:
    """Replace in the source what find() spots in the source's reading."""
    if not layers[0].search(source):
        spans = find(source)
    else:
        reading = _Reading(source, layers)
        spans = (
            (*reading.source_span(start, end), mask)
            for start, end, mask in find(reading.text)
        )
    parts, done = [], 0
    for start, end, mask in spans:
        if start < done:
            continue  # two contacts read from one reference ("&fflig;" is "ff")
        # The tags a contact spans stay, so the HTML keeps its shape; a link
        # among them loses its address, made of the contact's own part.
        tags = (
            [
                "<a>" if _ANCHOR.fullmatch(t[0]) else t[0]
                for t in _TAG.finditer(source, start, end)
            ]
            if in_html
            else []
        )
        parts += [source[done:start], mask, *tags]
        done = end
    parts.append(source[done:])
    return "".join(parts)


def mask_contacts(text: str) -> str:
    """Mask email addresses and phone numbers typed into a comment, however encoded."""
    # Emails first, so the digits of "5551234567@example.com" go with it.
    # Most text holds neither an address nor anything decoded into one.
    if emails.may_have(text) or _ENCODED.search(text):
        text = _mask(text, _emails, _EMAIL_LAYERS)
    return _mask(text, _phones)


def mask_html(rendered: str) -> str:
    """Mask contacts in what rendered HTML shows: its links and its text.

    The text is read across inline tags, so "jane@<em>example</em>.com" or a
    link the linkifier made inside an address is read whole.
    """
    rendered = _TAG.sub(
        lambda tag: _HREF.sub(lambda h: h[1] + mask_contacts(h[2]) + h[3], tag[0]),
        rendered,
    )
    rendered = _mask(rendered, _emails, _HTML_LAYERS, in_html=True)
    return _mask(rendered, _phones, _HTML_LAYERS, in_html=True)


def _keyed(value: str, key: str, purpose: str) -> str:
    message = f"{purpose}:{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def hash_email(email: str, key: str) -> str:
    """A keyed hash of a normalised email: stable per site, useless elsewhere."""
    return _keyed(email.strip().lower(), key, "email") if email else ""


SENDER_IPV6_PREFIX = 64  # one host's network: it picks any address inside at will


# Some proxies (Azure's gateway, IIS's ARR) put the client's port in
# X-Forwarded-For: every connection would otherwise be a new sender.
_WITH_PORT = re.compile(r"\[(?P<v6>[^\]]+)\](?::\d+)?|(?P<v4>[\d.]+):\d+")


def _ip(address: str):
    """The address parsed, an IPv4-mapped IPv6 one as its IPv4; None if none."""
    address = address.strip()
    with_port = _WITH_PORT.fullmatch(address)
    if with_port:
        address = with_port["v6"] or with_port["v4"]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    return (ip.ipv4_mapped or ip) if ip.version == 6 else ip


def _network(ip, prefix: int) -> str:
    return ipaddress.ip_network(f"{ip}/{prefix}", strict=False).compressed


def sender(address: str) -> str:
    """What stands for one sender: an IPv4 address, or the /64 of an IPv6 one.

    An IPv6 host makes up new addresses in its /64 whenever it likes (privacy
    extensions do it every day), so flood control, the rate limit and the
    blocklist count the /64 as one sender, as they count one IPv4 address.
    An IPv4-mapped IPv6 address is its IPv4 address; anything else stays as
    it is.
    """
    ip = _ip(address)
    if ip is None:
        return address.strip()
    return _network(ip, SENDER_IPV6_PREFIX) if ip.version == 6 else ip.compressed


def hash_ip(address: str, key: str) -> str:
    """A keyed hash of the sender an address stands for (see sender())."""
    if not address:
        return ""
    return _keyed(sender(address), key, "ip")


def truncate_ip(address: str) -> str:
    """The network of an address: IPv4 /24, IPv6 /48; '' for anything else."""
    ip = _ip(address)
    if ip is None:
        return ""
    return _network(ip, 24 if ip.version == 4 else 48)


# Addresses many people come from at once: the host itself (a proxy on it),
# private networks (a proxy or a LAN's router), carrier-grade NAT.
SHARED_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
        "100.64.0.0/10", "169.254.0.0/16", "::1/128", "fc00::/7", "fe80::/10",
    )
)  # fmt: skip


def is_shared(address_or_network: str) -> bool:
    """Whether an address, or a network kept of one, is many senders' at once."""
    try:
        network = ipaddress.ip_network(address_or_network.strip(), strict=False)
    except ValueError:
        return False
    return any(
        network.version == shared.version and network.subnet_of(shared)
        for shared in SHARED_NETWORKS
    )


@dataclass(frozen=True)
class Private:
    """What the site keeps of one comment's contacts."""

    body: str
    email_hash: str
    ip_hash: str
    ip_prefix: str
    verdict: Verdict


def protect(body: str, email: str, ip: str, key: str) -> Private:
    """Mask the body, hash the email and anonymise the address."""
    masked = mask_contacts(body)
    emails = masked.count(EMAIL_MASK) - body.count(EMAIL_MASK)
    phones = masked.count(PHONE_MASK) - body.count(PHONE_MASK)
    reason = f"masked {emails} email(s) and {phones} phone number(s) in the text"
    return Private(
        body=masked,
        email_hash=hash_email(email, key),
        ip_hash=hash_ip(ip, key),
        ip_prefix=truncate_ip(ip),
        verdict=Verdict("privacy", Outcome.PASS, reason),
    )


# What an import's report says of a comment given to vouching_for_no_one().
UNLINKED_STAFF = (
    "who has no account here: imported as a reader's comment that vouches for "
    "no one (create the account first to keep the link)"
)


def vouching_for_no_one(kept: Private) -> Private:
    """An imported staff comment whose user has no account here, kept without
    its email hash: without the user link it reads as a reader's comment, and
    a reader's approved comment lets anyone sending the form with its name and
    email skip moderation (require_approved_before). The form requires an
    email, so no submission has an empty hash."""
    return replace(kept, email_hash="")
