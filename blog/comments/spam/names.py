"""Whether a commenter's name reads as keywords for the website they give.

Spam that praises a post in general words puts its advertisement in the name
and website fields: "roofing contractor dallas" with dallas-roofing-pros.com.
A person writes "Jane Doe" with janedoe.dev. The signs, each weak alone:

    lower-case words   three or more words, none capitalised: a search
                       phrase, not a person ("sarah k" is a person)
    trade word         a word of selling services ("repair", "cheap", "lawyer")
    words in the host  the host repeats words of the name and says more
                       (dallas-roofing-pros); a host that is only the name
                       (janedoe, acme for "Tom at Acme") is anybody's own site
    generic praise     a short body of praise that names nothing of the post

A name reads as keywords with one sign of the name itself (the first two) and
a second sign of any kind, and only beside a website of its own: video sites,
social networks and code hosts say nothing of who sent the comment.
"""

import re

from .features import fold, host
from .sites import SUFFIXES, is_own_site

# Words a business puts in its name, singular; never a common surname
# ("Baker", "Smith", "Taylor", "Gardner" are people).
TRADE_WORDS = frozenset(
    """
    agency agent attorney bathroom best bet betting bitcoin boxes buy casino
    cbd center centre cheap cheapest cleaning clinic company consultant
    consulting contractor crypto deal dental dentist dentistry discount
    electrician emergency essay estate expert follower forex hire hvac
    installer insurance kitchen landscaping lawyer limo loan locksmith
    marketing mover moving online outlet payday pest pharmacy plumber
    plumbing pro quote realtor rehab remodeling removal renovation rental
    repair replica restoration roofer roofing salon sale seo service shop
    solicitor solution specialist store tutoring viagra wholesale
    """.split()
)
_ENDINGS = ("ers", "ing", "er", "es", "s")
_PRAISE = re.compile(
    r"\b(?:(?:great|nice|good|excellent|awesome|amazing|wonderful|superb|"
    r"beautiful|lovely|cool|helpful|useful|interesting|informative|fantastic)"
    r"\s+(?:blog\s+)?(?:post|article|blog|read|content|information|info|work|"
    r"piece)|informative|thanks?(?:\s+you)?\s+for\s+(?:sharing|posting|the\s+post)"
    r"|enjoyed\s+(?:reading|it|this)|keep\s+(?:it\s+up|up\s+the|sharing|posting|"
    r"writing)|well\s+(?:written|explained)|learned\s+a\s+lot|bookmarked)\b"
)
PRAISE_WORDS = 20  # longer than this, a comment says something of its own
_WORD = re.compile(r"\w+")
# Words that join a name's parts ("Tom at Acme", "Linda from the bakery"),
# found inside many hosts by chance.
_LINKING = frozenset({"and", "for", "from", "near", "the", "with"})


def _base(word: str) -> str:
    """A word without its ending: "cleaning", "cleaners" and "clean" meet."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _forms(word: str) -> set[str]:
    """A word, its singular and its base: "attorneys", "attorney", ...."""
    return {word, word.removesuffix("s"), word.removesuffix("es"), _base(word)}


def _own_labels(name: str) -> str:
    """The host's own labels, without "www." and the public suffix."""
    suffix = SUFFIXES.publicsuffix(name) or ""
    return name.removesuffix(suffix).strip(".")


def _host_repeats_name(words: list[str], site: str) -> bool:
    """Whether the host holds a word of the name and three letters more."""
    rest = re.sub(r"[^a-z]+", " ", site)
    found = False
    bases = {_base(w) for w in words if len(w) >= 3 and w not in _LINKING}
    for word in sorted(bases, key=len, reverse=True):
        pattern = re.escape(word) + "(?:" + "|".join(_ENDINGS + ("ed",)) + ")?"
        rest, hits = re.subn(pattern, " ", rest)
        found = found or hits > 0
    return found and len(rest.replace(" ", "")) >= 3


def generic_praise(body: str) -> bool:
    text = fold(body)
    return (
        len(_WORD.findall(text)) <= PRAISE_WORDS
        and "?" not in text
        and _PRAISE.search(text) is not None
    )


def own_site(url: str) -> str:
    """The website's host when it is somebody's own site, else ""."""
    site = host(url)
    return site if is_own_site(site) else ""


def keyword_signs(name: str, site: str, body: str) -> list[str] | None:
    """The signs that a name reads as keywords for its own site's host, or
    None when it does not."""
    raw = _WORD.findall(name)
    words = [fold(word) for word in raw]
    signs = []
    if len(raw) >= 3 and all(word.isalpha() and word.islower() for word in raw):
        signs.append("lower-case words")
    trade = next((w for w in words if TRADE_WORDS & _forms(w)), None)
    if trade:
        signs.append(f'trade word "{trade}"')
    if not signs:  # the name itself must read as keywords
        return None
    if _host_repeats_name(words, _own_labels(site)):
        signs.append(f'name words in the website "{site}" beside others')
    if generic_praise(body):
        signs.append("generic praise")
    return signs if len(signs) >= 2 else None
