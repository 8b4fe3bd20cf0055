"""Where the email addresses of a text are, for privacy's masking.

An address is found however it is written to dodge robots: "jane@example.com",
"jane(at)example(dot)com", "jane dot doe at gmail dot com", "jane [at] example
[dot] com", "jane @ example . com", "jane AT example DOT com", "jane arroba
gmail punto com". What sets it apart from prose is how it is written:

- A tight "@" or a bracketed at ("[at]", "(@)", " -at- ") is always an
  address, as are a foreign word for at ("arroba", "arobase", "chiocciola",
  "ät", "собака") and an upper-case "AT": prose writes none of them.
- A plain "at", or an "@" spaced on both sides, is an address only if its
  host ends in a real top-level domain and either a dot is spelt out
  ("dot", spaced, bracketed) or it looks like an address in other ways: a
  mailbox provider's host ("jane at gmail.com") or a user name no word has
  ("jane.doe at example.com"). So "look at example.com", "hosted at fly.io",
  "at the end of the day" and the matrix product "x @ self.weights" stay,
  while "sign in at gmail.com" is masked: a rare miss, on privacy's side.
  "jane at acme.com" is masked after words that give an address ("email me
  at", "my email is", "contact:"), and stays elsewhere: nothing else tells
  it from "look at acme.com".

Code is read like prose: an address in a code block is as public as one in a
sentence (`git config user.email jane@example.com`), so "ssh
deploy@prod.example.com" is masked too. What code writes that is no address
stays: decorators and mentions ("@app.route"), hosts with no top-level domain
("root@localhost", "pi@192.168.1.10"), scp and git remotes
("git@github.com:owner/repo.git"), package versions ("react@18.2.0").
"""

import re
from collections.abc import Iterator

from .spam.sites import SUFFIXES

PUNYCODE_TLD = r"(?i:xn--[a-z0-9]+(?:-[a-z0-9]+)*)"

_LOCAL = r"[\w.+%'-]*\w"
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
# Brackets, or a pair of dashes or slashes spaced off ("jane -at- example
# -dot- com"; tight, "state-of-the-art-at-scale.io" is a word).
_OPENERS = "[({<-/"
_OPEN, _CLOSE = r"[\[({<]", r"[\])}>]"
_FOREIGN_AT_WORD = r"(?:arroba|arobase|chiocciola|ät|собака)"
_FOREIGN_AT = rf"\s*{_OPEN}\s*{_FOREIGN_AT_WORD}\s*{_CLOSE}\s*|\s+{_FOREIGN_AT_WORD}\s+"
_AT = (
    rf"[@＠]|\s*{_OPEN}\s*(?:[@＠]|at)\s*{_CLOSE}\s*|\s+(?:[@＠]|at)\s+"
    rf"|\s+-\s*at\s*-\s+|\s+/\s*at\s*/\s+"
)
# A full stop; full-width and ideographic ones only before a Latin letter or
# digit: Chinese and Japanese put no space after their full stop, so
# "感谢@小明。这篇" is a mention and the next sentence.
_STOP = r"(?:\.|[．。｡](?=[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]))"
# A dot spelt out: bracketed, spaced on both sides ("example . com", not the
# full stop of "com. Hi"), or a word. English "at" takes only "dot": "look
# at this point in time" is prose.
_DOT_WORD = r"(?:punto|ponto|point|punkt|punt|точка)"
_BRACKETED_DOT = (
    rf"\s*{_OPEN}\s*(?:dot|{_DOT_WORD}|\.)\s*{_CLOSE}\s*"
    rf"|\s+-\s*(?:dot|{_DOT_WORD})\s*-\s+|\s+/\s*(?:dot|{_DOT_WORD})\s*/\s+"
)
_DOT = rf"{_STOP}|{_BRACKETED_DOT}|\s+\.\s+|\s+dot\s+"
_FOREIGN_DOT = rf"{_DOT}|\s+{_DOT_WORD}\s+"
# No top-level domain is an image type: "logo@2x.png" names a picture.
_IMAGE_TYPE = r"(?:png|jpe?g|gif|svg|webp|avif|bmp|ico|tiff?)(?![^\W_])"
# An internationalised one is letters (.рф), or punycode as DNS writes it.
_TLD = rf"(?!{_IMAGE_TYPE})(?:[^\W\d_]{{2,24}}|{PUNYCODE_TLD})"


def _host(dot: str) -> str:
    # Tight dots first, so "jane@example.com dot matrix" ends at ".com".
    tight = rf"{_LABEL}(?:(?:{_STOP}|{_BRACKETED_DOT}){_LABEL})*"
    spelt = rf"{_LABEL}(?:(?:{dot}){_LABEL})*"
    return rf"(?:{tight}(?:{_STOP}|{_BRACKETED_DOT})|{spelt}(?:{dot})){_TLD}"


# Ends where no name goes on: not before a letter, an "@", a hyphen, a dot and
# a letter, nor a colon and a path ("git@github.com:owner/repo.git").
_END = rf"(?![\w@＠-]|{_STOP}[^\W_]|:(?:[^\W\d_]|[~/]))"
_ADDRESS = re.compile(
    rf"(?<![\w.+%'-])(?P<local>{_LOCAL})"
    rf"(?:(?P<foreign>{_FOREIGN_AT})(?P<fhost>{_host(_FOREIGN_DOT)})"
    rf"|(?P<at>{_AT})(?P<host>{_host(_DOT)})){_END}",
    re.IGNORECASE,
)
# A spelt-out dot inside the user name, read backwards from the "at":
# "jane dot doe at gmail dot com" is one address, not "jane dot" and one.
_SPELT_LOCAL_DOT = re.compile(
    rf"(?<![\w.+%'-]){_LOCAL}(?:{_BRACKETED_DOT}|\s+(?:dot|{_DOT_WORD})\s+|\s+\.\s+)$",
    re.IGNORECASE,
)
# How far back a spelt user name is read: a user name has at most 64
# characters, and spelt out each of its dots may take six (" [dot] ").
_LOCAL_REACH = 64 + 6 * 32
_REAL_DOT = re.compile(_STOP)
_SEPARATOR = re.compile(rf"{_BRACKETED_DOT}|\s+\.\s+|\s+\w+\s+|{_STOP}", re.I)
# Where a weak address is a link's host instead: "at github.com/jane".
_URL_GOES_ON = re.compile(r"/|:\d")

# Free mailbox providers: "jane at gmail.com" is an address, not a place.
MAILBOX_HOSTS = frozenset(
    """
    gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.de yahoo.es
    ymail.com hotmail.com hotmail.co.uk hotmail.fr hotmail.de outlook.com
    outlook.fr outlook.de live.com live.fr msn.com icloud.com me.com mac.com
    aol.com proton.me protonmail.com protonmail.ch pm.me tutanota.com tuta.io
    gmx.de gmx.net gmx.com gmx.at gmx.ch web.de t-online.de freenet.de
    posteo.de mailbox.org yandex.ru yandex.com mail.ru qq.com 163.com 126.com
    zoho.com fastmail.com fastmail.fm hey.com orange.fr free.fr laposte.net
    wanadoo.fr sfr.fr libero.it virgilio.it seznam.cz wp.pl o2.pl onet.pl
    naver.com hanmail.net daum.net comcast.net verizon.net att.net
    sbcglobal.net btinternet.com bigpond.com rediffmail.com riseup.net
    """.split()
)
# A user name no word has: "jane.doe", "jane_doe", "jane+blog"; but not a
# version, a file or a library ("3.12 at python.org", "config.yaml at
# github.com", "Node.js at nodejs.org").
_USER_NAME = re.compile(r"(?!v?\d[\d.]*$)\w+[._+][\w.+]*", re.IGNORECASE)
_FILE_TYPE = re.compile(
    r".*\.(?:js|ts|py|rb|rs|go|io|net|json|ya?ml|toml|md|txt|cfg|ini|conf|sh|html?|"
    r"css|xml|csv|lock|log|php|java|c|h|cpp)",
    re.IGNORECASE,
)

# Words that give an address: "email me at", "write to", "my email is",
# "contact:". Read in the few words before a plain "at" address.
_GIVEN = re.compile(
    r"(?:\b(?:e-?mail|mail|contact|reach|write|ping|message)\s+(?:me|us)"
    r"(?:\s+(?:at|on|via|to))?|\bwrite\s+to|\b(?:e-?mail|contact)(?:\s+address)?\s*:"
    r"|\b(?:e-?mail|address)\s+is)\s*$",
    re.IGNORECASE,
)
_GIVEN_WITHIN = 40

# Cheap tests that most comments fail, sparing them the full pattern.
_MAY_HAVE_SYMBOL = re.compile(
    rf"[@＠]|{_OPEN}\s*at\s*{_CLOSE}|[-/]\s*at\s*[-/]|{_FOREIGN_AT_WORD}", re.IGNORECASE
)
_SPELT_AT = re.compile(r"\sat\s", re.IGNORECASE)
_ANY_DOT = re.compile(r"[.．。｡]|dot", re.IGNORECASE)


def may_have(text: str) -> bool:
    """Whether a text may hold an address at all: most comments may not."""
    return bool(
        _MAY_HAVE_SYMBOL.search(text)
        or (_SPELT_AT.search(text) and _ANY_DOT.search(text))
    )


def spans(text: str) -> Iterator[tuple[int, int]]:
    """Where the addresses of a text are: (start, end) pairs, in order."""
    if not may_have(text):
        return
    position = 0
    while found := _ADDRESS.search(text, position):
        if _is_address(found, text):
            yield _whole_local(text, found.start(), position), found.end()
            position = found.end()
        else:
            # A longer near miss may hide an address that starts inside it.
            position = found.start() + 1


def _whole_local(text: str, start: int, floor: int) -> int:
    """Where an address starts once the spelt dots of its user name are read."""
    floor = max(floor, start - _LOCAL_REACH)
    while found := _SPELT_LOCAL_DOT.search(text, floor, start):
        start = found.start()
    return start


def _is_address(found: re.Match, text: str) -> bool:
    if found["foreign"]:
        return True
    at = found["at"]
    if at in ("@", "＠") or at.strip() == "AT" or at.strip()[0] in _OPENERS:
        return True
    host = found["host"]
    labels = _SEPARATOR.split(host)
    name = ".".join(labels).lower()
    spelt = any(not _REAL_DOT.fullmatch(dot) for dot in _SEPARATOR.findall(host))
    if not (spelt or _looks_like_mail(found, name, text)):
        return False
    # A plain "at" or a spaced "@" needs a real top-level domain: "x @
    # self.weights" is code.
    return SUFFIXES.publicsuffix(name, accept_unknown=False) is not None


def _looks_like_mail(found: re.Match, name: str, text: str) -> bool:
    """Whether "local at name", all its dots real, is an address, not prose."""
    if _URL_GOES_ON.match(text, found.end()):
        return False
    local, start = found["local"], found.start()
    if name in MAILBOX_HOSTS or _GIVEN.search(
        text[max(0, start - _GIVEN_WITHIN) : start]
    ):
        return True
    return bool(_USER_NAME.fullmatch(local)) and not _FILE_TYPE.fullmatch(local)
