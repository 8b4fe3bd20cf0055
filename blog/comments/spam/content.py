"""Content checks: the spam defences that need only a comment's own fields.

    links       many links in the body and website field: hold
    name        a name made of keywords beside its own website: hold
    staff       the name or email of a user of this site: hold
    keywords    a moderation keyword holds, a disallowed keyword is spam
    blocklist   a sender or link host seen in confirmed spam: spam
    classifier  the learning filter's spam probability against two thresholds;
                spam also needs one strong sign of it, else it holds

Each runs only when its switch in the discussion settings is on. Live
comments and `blog spam evaluate` call the same content_verdicts(), so the
figures the command prints are the filter's real behaviour.
"""

import functools
import html
import re
from collections.abc import Callable, Mapping
from typing import NamedTuple

from ...markup import render_comment
from . import Outcome, Verdict, blocklist
from .classifier import Classifier, live
from .features import fold, links
from .names import keyword_signs, own_site
from .staff import NO_STAFF, Staff, check_staff

KEYWORD_FIELDS = ("author_name", "author_email", "author_url", "body")
# A link as the comment renderer writes it; a "<" in the text is escaped.
_RENDERED_HREF = re.compile(r'<a href="([^"]*)"')
_RENDERED_TAG = re.compile(r"<[^>]*>")
_WORD_CHAR = re.compile(r"\w")
_WORDS = re.compile(r"\w+")
# What the renderer links as a bare domain but readers write as a file name
# ("setup.py", "README.md", "main.tf"): one name, and a top-level domain that
# is also a common file extension.
_FILE_NAME = re.compile(
    r"http://[\w-]+\.(?:cc|md|ml|pm|ps|py|rs|sh|so|tf)", re.IGNORECASE
)


def shown_links(body: str) -> tuple[str, ...]:
    """The links readers see in a comment body: those its rendering makes.

    Markdown autolinks, and bare domains under the many top-level domains
    the renderer links, are links the text's own pattern (links()) misses.
    """
    found = _RENDERED_HREF.findall(render_comment(body))
    return tuple(html.unescape(href) for href in found)


def shown_text(body: str) -> str:
    """A comment body's text as readers see it: entities and Markdown applied."""
    return html.unescape(_RENDERED_TAG.sub("", render_comment(body)))


def link_count(fields: dict) -> int:
    """Links in the body, plus one for a filled-in website field."""
    body = fields.get("body") or ""
    website = 1 if (fields.get("author_url") or "").strip() else 0
    # The text may name addresses the renderer leaves unlinked, and the
    # renderer links some the text's pattern misses: the larger count holds.
    shown = [link for link in shown_links(body) if not _FILE_NAME.fullmatch(link)]
    return max(len(links(body)), len(shown)) + website


def check_links(fields: dict, settings: Mapping) -> Verdict:
    count = link_count(fields)
    reason = f"{count} link" if count == 1 else f"{count} links"
    held = count >= settings["link_threshold"]
    return Verdict("links", Outcome.HOLD if held else Outcome.PASS, reason)


def check_name(fields: dict, settings: Mapping) -> Verdict:
    """Hold, never spam: a shop owner's honest comment may read alike."""
    site = own_site(fields.get("author_url") or "")
    if not site:
        return Verdict("name", Outcome.PASS, "no website of its own")
    signs = keyword_signs(
        fields.get("author_name") or "",
        site,
        shown_text(fields.get("body") or ""),
    )
    if signs is None:
        return Verdict("name", Outcome.PASS, "not a name of keywords")
    return Verdict("name", Outcome.HOLD, "name reads as keywords: " + ", ".join(signs))


class _Listed(NamedTuple):
    """A keyword list made ready to match: each keyword's pattern, as listed,
    and an index by a word every text that holds the keyword holds."""

    patterns: list[tuple[str, str]]  # (keyword as listed, its pattern)
    by_word: dict[str, list[int]]
    wordless: list[int]  # "$$$": tried on every text


@functools.lru_cache(maxsize=32)
def _listed(keywords: tuple) -> _Listed:
    """Whole words or phrases: "spam" is not found in "spammer".

    Only an edge that is a letter or digit must meet a word's edge:
    "@mail.example" is found in "bob@mail.example", ".ru" after "shop".
    So every run of letters and digits of a keyword is a whole word of a text
    it is found in, and a text is tried only against the keywords whose
    longest word it has: a list of 40,000 (as people paste from community
    blocklists) costs a comment a set lookup a word, not 40,000 searches.
    """
    patterns, by_word, wordless = [], {}, []
    for keyword in keywords:
        words = fold(keyword).split()
        if words:
            phrase = r"\s+".join(re.escape(word) for word in words)
            before = r"(?<!\w)" if _WORD_CHAR.match(words[0]) else ""
            after = r"(?!\w)" if _WORD_CHAR.match(words[-1][-1]) else ""
            runs = _WORDS.findall(" ".join(words))
            index = len(patterns)
            if runs:
                by_word.setdefault(max(runs, key=len), []).append(index)
            else:
                wordless.append(index)
            # Compiled when a text is tried against it: 40,000 took 3 s.
            patterns.append((" ".join(keyword.split()), before + phrase + after))
    return _Listed(patterns, by_word, wordless)


def keyword_hit(keywords, fields: dict) -> tuple[str, str] | None:
    """The first listed keyword found, and the field it is in; or None."""
    return _hit(keywords, _keyword_texts(fields))


def _hit(keywords, texts) -> tuple[str, str] | None:
    listed = _listed(tuple(keywords))
    for field, text in texts:
        tried = set(listed.wordless)
        for word in set(_WORDS.findall(text)) & listed.by_word.keys():
            tried.update(listed.by_word[word])
        for index in sorted(tried):
            keyword, pattern = listed.patterns[index]
            if _compiled(pattern).search(text):
                return keyword, field
    return None


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _keyword_texts(fields: dict) -> list[tuple[str, str]]:
    """Each field as written, and the body also as shown: "v&#105;agra" and
    "vi*a*gra" show as "viagra"."""
    texts = []
    for field in KEYWORD_FIELDS:
        value = fields.get(field) or ""
        texts.append((field, fold(value)))
        if field == "body" and value:
            texts.append((field, fold(shown_text(value))))
    return texts


def check_keywords(fields: dict, settings: Mapping) -> Verdict:
    texts = None  # read once for both lists, and only if one has a keyword
    for key, outcome, kind in (
        ("disallowed_keywords", Outcome.SPAM, "disallowed"),
        ("moderation_keywords", Outcome.HOLD, "moderation"),
    ):
        if not settings[key]:
            continue
        texts = texts or _keyword_texts(fields)
        hit = _hit(settings[key], texts)
        if hit:
            keyword, field = hit
            where = field.removeprefix("author_").replace("_", " ")
            return Verdict(
                "keywords", outcome, f'{kind} keyword "{keyword}" in {where}'
            )
    return Verdict("keywords", Outcome.PASS, "no listed keyword")


def check_blocklist(fields: dict, matcher: Callable) -> Verdict:
    body = fields.get("body") or ""
    reason = matcher(
        fields.get("email_hash") or "",
        fields.get("author_url") or "",
        fields.get("ip_hash") or "",
        links(body) + shown_links(body),
    )
    if reason:
        return Verdict("blocklist", Outcome.SPAM, reason)
    return Verdict("blocklist", Outcome.PASS, "not on the blocklist")


def check_classifier(fields: dict, settings: Mapping, classifier) -> Verdict:
    judged = classifier.judge(fields)
    if judged is None:
        return Verdict("classifier", Outcome.PASS, "the filter has learned nothing yet")
    p, strong = judged
    shown = _shown(p, (settings["classifier_hold"], settings["classifier_spam"]))
    reason = f"spam probability {shown}"
    if p >= settings["classifier_spam"]:
        # An honest reader's comment in the spam folder is never seen again:
        # without one clear sign of spam it waits for a moderator instead.
        outcome = Outcome.SPAM if strong else Outcome.HOLD
        if not strong:
            reason += ", but no word or link in it is a strong sign of spam"
    elif p >= settings["classifier_hold"]:
        outcome = Outcome.HOLD
    else:
        outcome = Outcome.PASS
    return Verdict("classifier", outcome, reason, round(p, 4))


def _shown(p: float, thresholds) -> str:
    """p to two decimals, or as many more as keep it on its side of each
    threshold: a comment held at 0.8196 must not read "0.82" where spam is
    from 0.82."""
    digits = 2
    while digits < 17 and any(
        (float(f"{p:.{digits}f}") >= limit) != (p >= limit) for limit in thresholds
    ):
        digits += 1
    return f"{p:.{digits}f}"


def _no_staff() -> Staff:
    return NO_STAFF


def content_verdicts(
    fields: dict,
    settings: Mapping,
    classifier: Classifier | None = None,
    matcher: Callable = blocklist.match,
    staff: Callable[[], Staff] = _no_staff,
) -> list[Verdict]:
    """The verdict of every content check switched on, in a fixed order.

    fields: author_name, author_email, author_url, body (privacy already
    applied), email_hash, ip_hash. The classifier and the blocklist default to
    the live ones in the database; evaluation passes in-memory stand-ins.
    staff is asked only when its check runs, and is nobody by default: the
    live staff's email hashes need the site's key (pipeline.prepare).
    """
    verdicts = []
    if settings["check_links"]:
        verdicts.append(check_links(fields, settings))
    if settings["check_name"]:
        verdicts.append(check_name(fields, settings))
    if settings["check_staff"]:
        verdicts.append(check_staff(fields, staff()))
    if settings["check_keywords"]:
        verdicts.append(check_keywords(fields, settings))
    if settings["check_blocklist"]:
        verdicts.append(check_blocklist(fields, matcher))
    if settings["check_classifier"]:
        verdicts.append(check_classifier(fields, settings, classifier or live()))
    return verdicts
