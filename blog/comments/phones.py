"""Where the phone numbers of a text are, for privacy's masking.

Errs towards privacy for anything shaped like a phone number, and leaves
alone the numbers a technical blog is full of: versions, dates, times, IP
addresses, prices, decimals, thousands, years and ISBNs.
"""

import re
from collections.abc import Iterator

# A run of digits with phone separators, whole; _phone_end finds where a
# number in it may end, _looks_like_phone decides.
_PHONE = re.compile(
    r"(?<![\w.,/#=$€£¥%+-])(?<!\d:)"
    r"(?:\+|00)?[ \u00a0]?(?:\(\d{1,5}\)[ \u00a0]?)?\d((?:[ \u00a0.()-]{0,2}\d)++)"
)
_PHONE_SEPARATORS = " \u00a0.()-"
# The dashes, spaces, brackets, dots and plus signs a number is typed with
# besides ASCII's: word processors' en dashes and non-breaking hyphens, French
# narrow spaces, the full-width forms of Japanese and Chinese input methods
# (and the long-vowel mark they put for a dash). Each is read as its ASCII
# one, a character for a character, so the spans found stay in place.
_AS_ASCII = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d\u30fc", "-")
    | dict.fromkeys("\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007", " ")
    | dict.fromkeys("\u2008\u2009\u200a\u202f\u205f\u3000", " ")
    | {"\uff08": "(", "\uff09": ")", "\uff0e": ".", "\uff0b": "+"}
)
# German and Austrian numbers part the area code with a slash ("030/1234567",
# "+49 30/1234567"): read as a dash. Not inside a path, and not a date's
# "01/02", whose parts are too short.
_AREA_SLASH = re.compile(
    r"(?<![\w/.,-])(?:0\d{1,4}|\+\d{1,3}[ \u00a0]\d{2,5})/(?=\d{3})"
)
# An extension after a number ("ext. 89", "x89", "(ext. 89)", "poste 12",
# "Durchwahl 3", a tel: link's ";ext=89") is part of it: left showing, it
# names the person's own line.
_EXTENSION_WORD = (
    r"(?:ext(?:n|ension)?|x|poste|durchwahl|dw|int|interno|ramal)\.?:?[ \u00a0]{0,2}"
)
_EXTENSION = re.compile(
    rf"(?:;ext=\d{{1,6}}|,?[ \u00a0]{{0,2}}(?:{_EXTENSION_WORD}\d{{1,6}}"
    rf"|\({_EXTENSION_WORD}\d{{1,6}}\)))(?![\w/%-]|[.,:]\d)",
    re.IGNORECASE,
)
# What a number may not run into: a word, a path, a percentage, a range, a
# decimal or a time; an extension it may.
_NOT_AFTER_PHONE = re.compile(rf"(?=[\w/%-]|[.,:]\d)(?!{_EXTENSION.pattern})", re.I)
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
    if _is_isbn13(digits):
        return False
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


def _is_isbn13(digits: str) -> bool:
    """A book's number: 978 or 979, then ten digits, the last a check digit
    that a phone number matches one time in ten."""
    if len(digits) != 13 or not digits.startswith(("978", "979")):
        return False
    return sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0


# A cheap test that most comments fail, sparing them the full pattern.
_MAY_HAVE_PHONE = re.compile(r"\d(?:\D{0,3}\d){6}")


def _phone_end(text: str, run: re.Match) -> int | None:
    """Where the longest number of a run may end (after a digit); None if nowhere.

    Found in one pass back from the run's end: a pattern that backtracks to
    its shorter numbers, and tries again from each number inside it, took
    13 s over a comment of "1- 1- 1- ..." that can end nowhere.
    """
    for end in range(run.end(), run.start(1), -1):
        if text[end - 1] not in _PHONE_SEPARATORS and not _NOT_AFTER_PHONE.match(
            text, end
        ):
            return end
    return None


_GAP = re.compile(r"[ \u00a0]+")
MAX_PHONE_DIGITS = 15


def _numbers_in(run: str) -> Iterator[tuple[int, int]]:
    """The phone numbers of a run: the whole, or else the ones it starts with.

    "0612345678 0798765432" is one run, too long for one number: it is read
    from the left, space by space, as the longest phone number there, then the
    next. A run that starts with no phone number holds none ("1 000 000 000
    000 000"), nor does one read past what it starts with ("555 123 4567 9-5").
    """
    if _looks_like_phone(run):
        yield 0, len(run)
        return
    gaps = [gap.span() for gap in _GAP.finditer(run)]
    starts = [0] + [end for _, end in gaps]
    ends = [start for start, _ in gaps] + [len(run)]
    index = 0
    while index < len(starts):
        last = _longest_phone(run, starts[index], ends, index)
        if last is None:
            return
        yield starts[index], ends[last]
        index = last + 1


def _longest_phone(run: str, start: int, ends: list[int], first: int) -> int | None:
    """Which end, from the first on, closes the longest phone number from start."""
    fitting = []
    for number in range(first, len(ends)):
        digits = sum(char.isdigit() for char in run[start : ends[number]])
        if digits > MAX_PHONE_DIGITS:
            break
        fitting.append(number)
    return next(
        (n for n in reversed(fitting) if _looks_like_phone(run[start : ends[n]])), None
    )


# Click-to-chat links: the number a path or a query value names there is a
# phone number, where elsewhere it is left alone (an id, a page).
_CHAT_LINK = re.compile(
    r"(?:\b(?:wa|t)\.me/|[?&](?:phone|tel|mobile|number)=)"
    r"(?P<number>(?:\+|%2[bB])?\d{7,15})(?!\d)",
    re.IGNORECASE,
)


def spans(text: str) -> Iterator[tuple[int, int]]:
    """Where the phone numbers of a text are: (start, end) pairs, in order."""
    if not _MAY_HAVE_PHONE.search(text):
        return
    text = _AREA_SLASH.sub(lambda code: code[0][:-1] + "-", text.translate(_AS_ASCII))
    chats = [link.span("number") for link in _CHAT_LINK.finditer(text)]
    yield from sorted([*_written(text), *chats]) if chats else _written(text)


def _written(text: str) -> Iterator[tuple[int, int]]:
    """The numbers written as phone numbers, in order."""
    done = 0
    while run := _PHONE.search(text, done):
        end = _phone_end(text, run)
        if end is None:
            # Nor may a number starting inside the run end anywhere in it.
            done = run.end()
            continue
        found = text[run.start() : end]
        # Keep the space the match may have swallowed before the number.
        start = run.start() + len(found) - len(found.lstrip())
        for first, last in _numbers_in(text[start:end]):
            extension = _EXTENSION.match(text, start + last)
            if extension:
                last, end = extension.end() - start, max(end, extension.end())
            yield start + first, start + last
        done = end
