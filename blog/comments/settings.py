"""Discussion settings: every switch and threshold of the comment pipeline."""

from ..settings import ORDERED, Definition, define

GROUP = "discussion"


def _d(key, default, help_, **limits):
    return Definition(key, default, help_, group=GROUP, **limits)


define(
    _d(
        "comments_enabled",
        True,
        "Accept comments at all; off closes every post (shown comments stay).",
    ),
    _d("hold_all", False, "Hold every comment for moderation."),
    _d(
        "require_approved_before",
        False,
        "A commenter needs an approved comment under the same name and email.",
    ),
    _d(
        "close_after_days",
        0,
        "Close comments on posts older than this (0: never).",
        minimum=0,
        maximum=36500,
    ),
    _d(
        "thread_depth",
        5,
        "Deepest reply level; deeper replies attach at this level.",
        minimum=1,
        maximum=20,
    ),
    _d(
        "comments_per_page",
        50,
        "Top-level comments per page under a post.",
        minimum=5,
        maximum=500,
    ),
    _d(
        "comment_order",
        "oldest",
        "Order of comments under a post.",
        choices=("oldest", "newest"),
    ),
    _d(
        "max_comment_length",
        65525,
        "Longest comment accepted, in characters; longer ones are refused.",
        minimum=100,
        maximum=1_000_000,
    ),
    _d("check_honeypot", True, "Treat a filled decoy field as spam."),
    _d("check_form_age", True, "Check the age of the signed form token."),
    _d(
        "min_form_seconds",
        3,
        "A form sent sooner than this after it was served is spam.",
        minimum=0,
        maximum=600,
    ),
    _d(
        "max_form_hours",
        72,
        "A form older than this is refused as expired.",
        minimum=1,
        maximum=720,
    ),
    _d(
        "check_flood",
        True,
        "Refuse a second comment from one address or email too soon.",
    ),
    _d(
        "flood_seconds",
        15,
        "Minimum seconds between two comments of one commenter.",
        minimum=1,
        maximum=3600,
    ),
    _d("check_rate", True, "Limit comments per address over a window."),
    _d(
        "rate_limit",
        5,
        "Comments allowed per address within the rate window.",
        minimum=1,
        maximum=1000,
    ),
    _d(
        "rate_window_minutes",
        10,
        "The rate window, in minutes.",
        minimum=1,
        maximum=1440,
    ),
    _d(
        "check_duplicate",
        True,
        "Refuse the same text twice on one post from one commenter.",
    ),
    _d("check_links", True, "Hold comments with many links."),
    _d(
        "link_threshold",
        2,
        "Hold a comment with at least this many links.",
        minimum=1,
        maximum=100,
    ),
    _d(
        "check_name",
        True,
        "Hold comments whose name reads as keywords for their own website, "
        "such as roofing contractor dallas with dallas-roofing-pros.com.",
    ),
    _d(
        "check_staff",
        True,
        "Hold comments sent under the name (or a look-alike of it) or the email "
        "of a user of this site; staff answer from the moderation queue.",
    ),
    _d("check_keywords", True, "Apply the moderation and disallowed keyword lists."),
    _d(
        "moderation_keywords",
        [],
        "Words or phrases that hold a comment (one per line; on the command "
        "line, separated by commas).",
    ),
    _d(
        "disallowed_keywords",
        [],
        "Words or phrases that send a comment to spam (one per line; on the "
        "command line, separated by commas).",
    ),
    _d(
        "check_blocklist",
        True,
        "Send comments from blocked emails, hosts or addresses to spam.",
    ),
    _d("check_classifier", True, "Score comments with the learning spam filter."),
    _d(
        "classifier_hold",
        0.5,
        "Spam probability from which a comment is held.",
        minimum=0.0,
        maximum=1.0,
    ),
    _d(
        "classifier_spam",
        0.82,
        "Spam probability from which a comment is spam, when one word or link "
        "in it is a strong sign of spam (else it is held).",
        minimum=0.0,
        maximum=1.0,
    ),
    _d(
        "ip_retention_days",
        30,
        "Days to keep hashed and truncated IP data; never less than the rate "
        "window and the flood gap, which need it (0: only that long).",
        minimum=0,
        maximum=3650,
    ),
    _d(
        "spam_retention_days",
        30,
        "Days before spam and trash are purged.",
        minimum=1,
        maximum=3650,
    ),
)
# Held from a lower probability than sent to spam, or nothing is ever held.
ORDERED.append(("classifier_hold", "classifier_spam"))
