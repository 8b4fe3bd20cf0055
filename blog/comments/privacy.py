"""Step 3: what the site keeps of a commenter, decided before anything is stored.

Emails and phone numbers typed into a comment are masked; the commenter's
email is reduced to a keyed hash for public use (identicons, matching) and
kept raw in one private column; the IP address is kept only as a keyed hash
(of the address, or of its /64 for IPv6: see sender()) and a truncated
prefix (IPv4 /24, IPv6 /48), both purged after retention.

Masking errs towards privacy for anything shaped like a contact, and leaves
alone the numbers a technical blog is full of: versions, dates, times, IP
addresses, prices, decimals and thousands.
"""

import hashlib
import hmac
import ipaddress
import re
from dataclasses import dataclass

from .spam import Outcome, Verdict

EMAIL_MASK = "[email hidden]"
PHONE_MASK = "[phone hidden]"

_LOCAL = r"[\w.+%'-]*\w"
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_OPEN, _CLOSE = r"[\[({<]", r"[\])}>]"
# "@" or "＠" bare or spaced on both sides ("@app.route" is code, not an
# address), "[at]", "(at)", "{at}", "<at>" with optional spaces around.
_AT = rf"(?:[@＠]|\s+[@＠]\s+|\s*{_OPEN}\s*at\s*{_CLOSE}\s*)"
# A dot spaced on both sides ("example . com") but not a full stop ("com. Hi").
_DOT = rf"(?:\.|\s+\.\s+|\s*{_OPEN}\s*(?:dot|\.)\s*{_CLOSE}\s*)"
_TLD = r"[^\W\d_]{2,24}"
_SYMBOLIC = rf"{_LOCAL}{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}{_TLD}"
# "jane at example dot com": plain words only when both "at" and "dot" are
# spelt out, so "look at example.com" stays as it is.
_SPELT = rf"{_LOCAL}\s+at\s+{_LABEL}(?:\s+dot\s+{_LABEL})*\s+dot\s+{_TLD}"
_EMAIL = re.compile(
    rf"(?<![\w.+%'-])(?:{_SYMBOLIC}|{_SPELT})(?![\w@＠-]|\.[^\W_])", re.IGNORECASE
)

# A run of digits with phone separators; _looks_like_phone decides.
_PHONE = re.compile(
    r"(?<![\w.,/#=$€£¥%+-])(?<!\d:)"
    r"(?:\+|00)?[ \u00a0]?(?:\(\d{1,5}\)[ \u00a0]?)?\d(?:[ \u00a0.()-]{0,2}\d)+"
    r"(?![\w/%-]|[.,:]\d)"
)
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_YEAR = re.compile(r"(?:1[89]|2\d)\d\d")


def _looks_like_phone(candidate: str) -> bool:
    text = candidate.strip()
    digits = re.sub(r"\D", "", text)
    if not 7 <= len(digits) <= 15:
        return False
    if _DATE.fullmatch(text) or _IPV4.fullmatch(text):
        return False
    if text.startswith(("+", "00", "(")):
        return True
    groups = re.findall(r"\d+", text)
    if len(groups) == 1:
        # A bare number is a phone only when long: "1000000" is a count.
        return len(digits) >= 9
    if all(_YEAR.fullmatch(group) for group in groups):
        return False
    if len(groups) == 2 and "." in text:
        return False  # a decimal number
    if any(len(group) == 1 for group in groups[1:]):
        return False  # a version, an ISBN: phone groups after the first are longer
    thousands = len(groups[0]) <= 2 and all(len(g) == 3 for g in groups[1:])
    return not (thousands and groups[0][0] != "0")


# Cheap tests that most comments fail, sparing them the full patterns.
_MAY_HAVE_SYMBOL = re.compile(rf"[@＠]|{_OPEN}\s*at\s*{_CLOSE}", re.IGNORECASE)
_SPELT_AT = re.compile(r"\sat\s", re.IGNORECASE)
_SPELT_DOT = re.compile(r"\sdot\s", re.IGNORECASE)
_MAY_HAVE_PHONE = re.compile(r"\d(?:\D{0,3}\d){6}")


def mask_contacts(text: str) -> str:
    """Mask email addresses and phone numbers typed into a comment."""
    if _MAY_HAVE_SYMBOL.search(text) or (
        _SPELT_AT.search(text) and _SPELT_DOT.search(text)
    ):
        text = _EMAIL.sub(EMAIL_MASK, text)
    if _MAY_HAVE_PHONE.search(text):
        text = _PHONE.sub(_mask_phone, text)
    return text


def _mask_phone(match: re.Match) -> str:
    found = match.group()
    if not _looks_like_phone(found):
        return found
    # Keep the space the match may have swallowed before the number.
    lead = found[: len(found) - len(found.lstrip())]
    return lead + PHONE_MASK


def _keyed(value: str, key: str, purpose: str) -> str:
    message = f"{purpose}:{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def hash_email(email: str, key: str) -> str:
    """A keyed hash of a normalised email: stable per site, useless elsewhere."""
    return _keyed(email.strip().lower(), key, "email") if email else ""


SENDER_IPV6_PREFIX = 64  # one host's network: it picks any address inside at will


def sender(address: str) -> str:
    """What stands for one sender: an IPv4 address, or the /64 of an IPv6 one.

    An IPv6 host makes up new addresses in its /64 whenever it likes (privacy
    extensions do it every day), so flood control, the rate limit and the
    blocklist count the /64 as one sender, as they count one IPv4 address.
    An IPv4-mapped IPv6 address is its IPv4 address; anything else stays as
    it is.
    """
    address = address.strip()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped:
        return ip.ipv4_mapped.compressed
    if ip.version == 6:
        network = f"{ip}/{SENDER_IPV6_PREFIX}"
        return ipaddress.ip_network(network, strict=False).compressed
    return ip.compressed


def hash_ip(address: str, key: str) -> str:
    """A keyed hash of the sender an address stands for (see sender())."""
    if not address:
        return ""
    return _keyed(sender(address), key, "ip")


def truncate_ip(address: str) -> str:
    """The network of an address: IPv4 /24, IPv6 /48; '' for anything else."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


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
