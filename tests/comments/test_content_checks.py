"""content_verdicts: every content check, each behind its switch."""

import random

import pytest

from blog.comments.spam import Outcome, strongest
from blog.comments.spam.classifier import TOTALS, Classifier
from blog.comments.spam.content import content_verdicts, keyword_hit, link_count
from blog.comments.spam.stores import MemoryStore
from tests import worst_cases
from tests.comments.conftest import default_settings

SWITCHES = [
    "check_links",
    "check_name",
    "check_staff",
    "check_keywords",
    "check_blocklist",
    "check_classifier",
]
CHECKS = ["links", "name", "staff", "keywords", "blocklist", "classifier"]
FIELDS = {
    "author_name": "Reader",
    "author_email": "reader@example.net",
    "author_url": "",
    "body": "A kind word about the post.",
    "email_hash": "e" * 64,
    "ip_hash": "i" * 64,
}


class FixedClassifier:
    """Stands in for the learning filter with a chosen probability."""

    def __init__(self, p, strong=True):
        self.p, self.strong = p, strong

    def judge(self, fields):
        return None if self.p is None else (self.p, self.strong)


def never_blocked(*_fields):
    return None


def verdicts(fields=None, classifier=None, matcher=never_blocked, **settings):
    values = default_settings(**settings)
    found = content_verdicts(
        {**FIELDS, **(fields or {})},
        values,
        classifier or FixedClassifier(0.1),
        matcher,
    )
    return {verdict.check: verdict for verdict in found}


@pytest.mark.parametrize("switch, check", list(zip(SWITCHES, CHECKS, strict=True)))
def test_each_check_runs_only_when_its_switch_is_on(switch, check):
    assert check in verdicts()
    off = verdicts(**{switch: False})
    assert check not in off
    assert set(off) == set(CHECKS) - {check}


def test_with_every_switch_off_nothing_is_checked():
    assert verdicts(**dict.fromkeys(SWITCHES, False)) == {}


@pytest.mark.parametrize(
    "body, url, expected",
    [
        ("no links at all", "", 0),
        ("see http://a.example/x", "", 1),
        ("see http://a.example/x", "https://me.example", 2),
        ("www.a.example and https://b.example/p and shop.example.com", "", 3),
        ("the same http://a.example twice http://a.example", "", 2),
        ('<a href="http://a.example/x">http://a.example/x</a>', "", 1),
        ("[text](https://a.example/x)", "", 1),
        ("e.g. this, i.e. that; version 1.2.3", "", 0),
    ],
)
def test_links_are_counted_in_the_body_and_the_website(body, url, expected):
    assert link_count({"body": body, "author_url": url}) == expected


@pytest.mark.parametrize(
    "body, expected",
    [
        ("<http://a.example.com> and <https://b.example.com/x>", 2),  # autolinks
        ("[a](<http://a.example.com>) [b](<http://b.example.com>)", 2),
        ("<www.a.example.com> <b.example.com>", 2),  # shown as text, linked
        ("<x a.example.com b.example.com>", 2),
        ("buy at shop.example.pro or shop.example.su", 2),  # linked top-level domains
    ],
)
def test_every_link_the_comment_shows_is_counted(body, expected):
    assert link_count({"body": body, "author_url": ""}) == expected


@pytest.mark.parametrize(
    "body, expected",
    [
        ("I edited setup.py and README.md, then ran build.rs", 0),
        ("Rename main.py to app.py and install.sh to run.sh", 0),
        ("main.tf, lib.pm, parser.ml and main.cc", 0),
        ("see https://docs.rs/serde and http://example.py/x", 2),
    ],
)
def test_file_names_the_renderer_links_are_not_counted(body, expected):
    """A technical blog's readers name files whose extension is a country's
    top-level domain: the renderer links them, but nobody wrote a link."""
    assert link_count({"body": body, "author_url": ""}) == expected


@pytest.mark.parametrize("unit", worst_cases.CHECK_RUNS)
def test_a_longest_run_a_link_or_tag_may_start_in_holds_no_link(unit):
    found = verdicts({"body": worst_cases.repeated(unit)})
    assert found["links"].reason == "0 links"
    assert found["blocklist"].outcome == Outcome.PASS


def test_a_blocked_host_is_found_in_a_link_the_comment_shows():
    asked = []

    def matcher(email_hash, url, ip_hash, links):
        asked.extend(links)

    verdicts(
        {"body": "go to <http://spam.example/x> or shop.example.pro"}, matcher=matcher
    )
    assert "http://spam.example/x" in asked
    assert "http://shop.example.pro" in asked


@pytest.mark.parametrize(
    "count, outcome, reason",
    [(1, Outcome.PASS, "1 link"), (2, Outcome.PASS, "2 links"),
     (3, Outcome.HOLD, "3 links"), (4, Outcome.HOLD, "4 links")],
)  # fmt: skip
def test_links_from_the_threshold_hold(count, outcome, reason):
    body = " ".join(f"http://site{n}.example/" for n in range(count))
    verdict = verdicts({"body": body}, link_threshold=3)["links"]
    assert (verdict.outcome, verdict.reason) == (outcome, reason)


KEYWORD_CASES = [
        ({"body": "Buy Viagra now"}, "viagra", ("viagra", "body")),
        ({"body": "BUY VIAGRA"}, "Viagra", ("Viagra", "body")),
        ({"body": "viagras and viagraX"}, "viagra", None),
        ({"body": "antiviagra"}, "viagra", None),
        ({"body": "cheap   watches here"}, "cheap watches", ("cheap watches", "body")),
        ({"body": "cheap fake watches"}, "cheap watches", None),
        ({"author_name": "Casino King"}, "casino", ("casino", "author_name")),
        ({"author_email": "x@casino.example"}, "casino", ("casino", "author_email")),
        ({"author_url": "https://casino.example"}, "casino", ("casino", "author_url")),
        ({"author_url": "https://mycasino.example"}, "casino", None),
        ({"body": "ｖｉａｇｒａ"}, "viagra", ("viagra", "body")),  # fullwidth
        ({"body": "via\u200bgra"}, "viagra", ("viagra", "body")),  # zero-width
        # Other code points that show nothing: a grapheme joiner, a variation
        # selector, a Mongolian separator, a Hangul filler, a tag character.
        ({"body": "vi\u034fagra"}, "viagra", ("viagra", "body")),
        ({"body": "vi\ufe0fagra"}, "viagra", ("viagra", "body")),
        ({"body": "vi\u180eagra"}, "viagra", ("viagra", "body")),
        ({"body": "vi\u3164agra"}, "viagra", ("viagra", "body")),
        ({"author_name": "Cas\U000e0041ino"}, "casino", ("casino", "author_name")),
        ({"body": "ask for $$$ now"}, "$$$", ("$$$", "body")),
        ({"body": "Buy v&#105;agra"}, "viagra", ("viagra", "body")),  # entity
        ({"body": "Buy &#x56;iagra"}, "viagra", ("viagra", "body")),
        ({"body": "Buy vi*a*gra"}, "viagra", ("viagra", "body")),  # shown: viagra
        ({"body": "Buy vi`a`gra"}, "viagra", ("viagra", "body")),
        ({"body": "Buy víagra"}, "viagra", ("viagra", "body")),  # accents
        ({"body": "Buy v&iacute;agra"}, "viagra", ("viagra", "body")),
        ({"body": "Buy vi\u0301agra"}, "viagra", ("viagra", "body")),
        ({"body": "a cafe racer"}, "Café", ("Café", "body")),
        (
            {"author_email": "bob@mail.example"},
            "@mail.example",
            ("@mail.example", "author_email"),
        ),
        ({"author_url": "http://shop.example.ru/"}, ".ru", (".ru", "author_url")),
        ({"body": "see shop.example.rules"}, ".ru", None),
        ({"body": "call 555-spam- now"}, "-spam-", ("-spam-", "body")),
        ({"body": "nothing here"}, "", None),
]  # fmt: skip


@pytest.mark.parametrize("fields, keyword, hit", KEYWORD_CASES)
def test_keywords_match_whole_words_and_phrases_in_every_field(fields, keyword, hit):
    assert keyword_hit([keyword], {**FIELDS, **fields}) == hit


def test_a_long_list_finds_the_keyword_each_alone_would_find_first():
    """The list is searched through an index by word: what it finds must be
    what trying every keyword in turn, field by field, finds."""
    rng = random.Random(11)
    words = "buy now cheap here viagra casino example mail ru spam watches call"
    near = [
        " ".join(rng.sample(words.split(), rng.randint(1, 2)))
        + rng.choice(["", "s", "-", "!"])
        for _ in range(150)
    ]
    listed = [keyword for _, keyword, _ in KEYWORD_CASES] + near
    rng.shuffle(listed)
    for fields, _, _ in KEYWORD_CASES:
        fields = {**FIELDS, **fields}
        alone = next(
            (
                hit
                for field in ("author_name", "author_email", "author_url", "body")
                for keyword in listed
                if (hit := keyword_hit([keyword], {field: fields[field]}))
            ),
            None,
        )
        assert keyword_hit(listed, fields) == alone


def test_a_disallowed_keyword_is_spam_and_says_which_and_where():
    verdict = verdicts(
        {"author_name": "Best Casino"},
        disallowed_keywords=["casino"],
        moderation_keywords=["best"],
    )["keywords"]
    assert verdict.outcome == Outcome.SPAM
    assert verdict.reason == 'disallowed keyword "casino" in name'


def test_a_moderation_keyword_holds():
    verdict = verdicts(
        {"body": "Is this a loan offer?"}, moderation_keywords=["loan offer"]
    )["keywords"]
    assert verdict.outcome == Outcome.HOLD
    assert verdict.reason == 'moderation keyword "loan offer" in body'


def test_no_listed_keyword_passes():
    verdict = verdicts(disallowed_keywords=["casino"])["keywords"]
    assert verdict.outcome == Outcome.PASS


def test_the_blocklist_is_asked_with_the_senders_fields_and_links():
    asked = []

    def matcher(email_hash, url, ip_hash, links):
        asked.append((email_hash, url, ip_hash, list(links)))
        return "host spam.example is on the blocklist (comment 1 marked spam)"

    fields = {"author_url": "https://me.example", "body": "go http://spam.example/x"}
    verdict = verdicts(fields, matcher=matcher)["blocklist"]
    assert verdict.outcome == Outcome.SPAM and "spam.example" in verdict.reason
    assert asked == [
        ("e" * 64, "https://me.example", "i" * 64, ["http://spam.example/x"])
    ]


def test_a_sender_not_on_the_blocklist_passes():
    assert verdicts()["blocklist"].outcome == Outcome.PASS


@pytest.mark.parametrize(
    "p, outcome",
    [(0.1, Outcome.PASS), (0.49, Outcome.PASS), (0.5, Outcome.HOLD),
     (0.89, Outcome.HOLD), (0.9, Outcome.SPAM), (0.999, Outcome.SPAM)],
)  # fmt: skip
def test_the_classifier_probability_meets_two_thresholds(p, outcome):
    found = verdicts(
        classifier=FixedClassifier(p), classifier_hold=0.5, classifier_spam=0.9
    )
    verdict = found["classifier"]
    assert verdict.outcome == outcome
    assert verdict.score == p and f"{p:.2f}" in verdict.reason


@pytest.mark.parametrize(
    "p, outcome, shown",
    [(0.8996, Outcome.HOLD, "0.8996"), (0.9, Outcome.SPAM, "0.90"),
     (0.89999, Outcome.HOLD, "0.89999"), (0.49996, Outcome.PASS, "0.49996"),
     (0.5, Outcome.HOLD, "0.50"), (0.9004, Outcome.SPAM, "0.90")],
)  # fmt: skip
def test_the_probability_shown_is_on_the_side_of_the_threshold_it_is(p, outcome, shown):
    """Rounded to two decimals, 0.8996 would read "0.90" on a held comment
    where spam is from 0.90."""
    found = verdicts(
        classifier=FixedClassifier(p), classifier_hold=0.5, classifier_spam=0.9
    )
    verdict = found["classifier"]
    assert (verdict.outcome, verdict.reason) == (outcome, f"spam probability {shown}")


def test_a_classifier_that_learned_nothing_passes_without_a_score():
    verdict = verdicts(classifier=FixedClassifier(None))["classifier"]
    assert verdict.outcome == Outcome.PASS and verdict.score is None


def test_the_strongest_verdict_decides():
    found = verdicts(
        {"body": "http://a.example http://b.example"}, classifier=FixedClassifier(0.95)
    )
    assert found["links"].outcome == Outcome.HOLD
    assert strongest(found.values()) == Outcome.SPAM


# The text tokens of "alpha beta" (features.tokens), each four times as common
# in spam as in ham: together they score far past the spam threshold.
MILD = {
    token: (35, 5)
    for token in ["w:alpha", "w:beta", "b:alpha beta", "b:^ alpha", "b:beta $"]
    + ["b:^ alpha beta"]
}


@pytest.mark.parametrize(
    "alpha, outcome", [((35, 5), Outcome.HOLD), ((100, 5), Outcome.SPAM)]
)
def test_spam_needs_one_strong_sign_of_it_else_the_comment_waits(alpha, outcome):
    """An honest comment in the spam folder is never seen again: a score piled
    up of mild leanings holds; one token ten times likelier in spam is spam."""
    rows = {TOTALS: (400, 400), **MILD, "w:alpha": alpha}
    classifier = Classifier(MemoryStore(rows))
    verdict = verdicts({"body": "alpha beta"}, classifier=classifier)["classifier"]
    assert verdict.score > 0.95
    assert verdict.outcome == outcome
    strong = outcome == Outcome.SPAM
    assert (
        "no word or link in it is a strong sign of spam" in verdict.reason
    ) != strong
