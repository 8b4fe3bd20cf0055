"""Step 3: what the site keeps of a commenter, decided before anything is stored.

Emails and phone numbers typed into a comment are masked; the commenter's
email is reduced to a keyed hash for public use (identicons, matching) and
kept raw in one private column; the IP address is kept only as a keyed hash
and a truncated prefix (IPv4 /24, IPv6 /48), both purged after retention.
"""

import hashlib
import hmac
import ipaddress
import re

EMAIL_MASK = "[email hidden]"
PHONE_MASK = "[phone hidden]"

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+(?:@|\s*[\[(]at[\])]\s*)[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b",
    re.IGNORECASE,
)
# Seven or more digits with the usual separators, optionally in international form.
_PHONE = re.compile(r"(?<![\w/.#-])\+?\(?\d[\d\s().-]{5,}\d(?![\w/-])")


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _looks_like_phone(candidate: str) -> bool:
    digits = sum(char.isdigit() for char in candidate)
    return 7 <= digits <= 15 and not _DATE.fullmatch(candidate.strip())


def mask_contacts(text: str) -> str:
    """Mask email addresses and phone numbers typed into a comment."""
    text = _EMAIL.sub(EMAIL_MASK, text)
    return _PHONE.sub(
        lambda m: PHONE_MASK if _looks_like_phone(m.group()) else m.group(), text
    )


def _keyed(value: str, key: str, purpose: str) -> str:
    message = f"{purpose}:{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def hash_email(email: str, key: str) -> str:
    """A keyed hash of a normalised email: stable per site, useless elsewhere."""
    return _keyed(email.strip().lower(), key, "email") if email else ""


def hash_ip(address: str, key: str) -> str:
    return _keyed(address.strip(), key, "ip") if address else ""


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
