"""Content checks: the spam defences that need only the comment's own fields.

Live comments and `blog spam evaluate` run these same checks, so the figures
the command prints are the filter's real behaviour.
"""

import re
from collections.abc import Callable, Mapping

from . import Outcome, Verdict, blocklist
from .classifier import Classifier, live
from .features import normalise

KEYWORD_FIELDS = ("author_name", "author_email", "author_url", "body")


def link_count(fields: dict) -> int:
    _text, links = normalise(fields.get("body") or "")
    return len(links) + (1 if (fields.get("author_url") or "").strip() else 0)


def check_links(fields, settings) -> Verdict:
    count = link_count(fields)
    if count >= settings["link_threshold"]:
        return Verdict(
            "links",
            Outcome.HOLD,
            f"{count} links (hold from {settings['link_threshold']})",
        )
    return Verdict("links", Outcome.PASS, f"{count} links")


def _keyword_hit(keywords, fields) -> tuple[str, str] | None:
    for keyword in keywords:
        pattern = re.compile(
            rf"(?<!\w){re.escape(keyword.strip())}(?!\w)", re.IGNORECASE
        )
        for field in KEYWORD_FIELDS:
            if keyword.strip() and pattern.search(fields.get(field) or ""):
                return keyword.strip(), field
    return None


def check_keywords(fields, settings) -> Verdict:
    for key, outcome in (
        ("disallowed_keywords", Outcome.SPAM),
        ("moderation_keywords", Outcome.HOLD),
    ):
        hit = _keyword_hit(settings[key], fields)
        if hit:
            kind = "disallowed" if outcome == Outcome.SPAM else "moderation"
            return Verdict(
                "keywords",
                outcome,
                f"{kind} keyword {hit[0]!r} in {hit[1].replace('_', ' ')}",
            )
    return Verdict("keywords", Outcome.PASS, "no listed keyword")


def check_blocklist(fields, settings, matcher: Callable = blocklist.match) -> Verdict:
    reason = matcher(
        fields.get("email_hash", ""),
        fields.get("author_url", ""),
        fields.get("ip_hash", ""),
    )
    if reason:
        return Verdict("blocklist", Outcome.SPAM, reason)
    return Verdict("blocklist", Outcome.PASS, "not on the blocklist")


def check_classifier(fields, settings, classifier: Classifier) -> Verdict:
    p = classifier.probability(fields)
    if p is None:
        return Verdict("classifier", Outcome.PASS, "the filter has learned nothing yet")
    if p >= settings["classifier_spam"]:
        outcome = Outcome.SPAM
    elif p >= settings["classifier_hold"]:
        outcome = Outcome.HOLD
    else:
        outcome = Outcome.PASS
    return Verdict("classifier", outcome, f"spam probability {p:.2f}", round(p, 4))


def content_verdicts(
    fields: dict,
    settings: Mapping,
    classifier: Classifier | None = None,
    matcher: Callable = blocklist.match,
) -> list[Verdict]:
    """Every enabled content check's verdict, in a fixed order."""
    verdicts = []
    if settings["check_links"]:
        verdicts.append(check_links(fields, settings))
    if settings["check_keywords"]:
        verdicts.append(check_keywords(fields, settings))
    if settings["check_blocklist"]:
        verdicts.append(check_blocklist(fields, settings, matcher))
    if settings["check_classifier"]:
        verdicts.append(check_classifier(fields, settings, classifier or live()))
    return verdicts
