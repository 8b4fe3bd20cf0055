"""The learning classifier: tokens, counting, scoring, stores and moderator lessons."""

import gzip
import importlib
import json

import pytest

from blog import db
from blog.comment_models import Comment, SpamLesson, SpamModelVersion, SpamToken
from blog.comments.spam import build_default, classifier, evaluate, features, stores
from blog.comments.spam.classifier import (
    COMMENT_WEIGHT,
    DEFAULT_MODEL,
    TOTALS,
    Classifier,
    DatabaseStore,
    MemoryStore,
    learn_from_decision,
)
from blog.comments.spam.corpora import Example, read
from tests.conftest import shared_data
from tests.factories import make_post

SPAM = {"body": "Check out my channel and subscribe! http://promo.example/win"}
HAM = {"body": "The part about checkpoints finally made WAL click for me."}
W = COMMENT_WEIGHT


def example(body: str, spam: bool, **fields) -> Example:
    values = {"author_name": "", "author_email": "", "author_url": "", "body": body}
    return Example({**values, **fields}, spam, "test")


def trained(store=None) -> Classifier:
    model = Classifier(store if store is not None else MemoryStore())
    for _ in range(3):
        model.learn(SPAM, True)
        model.learn(HAM, False)
    return model


def db_rows() -> dict:
    rows = SpamToken.select(SpamToken.token, SpamToken.spam, SpamToken.ham).tuples()
    return {token: (spam, ham) for token, spam, ham in rows}


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Hello <b>World</b>", "hello world"),
        ("ＦＲＥＥ money", "free money"),  # fullwidth letters (NFKC)
        ("fr\u200bee\ufeff", "free"),  # invisible characters
        ("Tom &amp; Jerry&#39;s", "tom & jerry's"),
        ("line<br />break", "line break"),
        ("soooooo gooood", "soo good"),
        ("see http://x.example/a?b=1 and www.y.example", "see _url_ and _url_"),
        ("visit shop.example.com now", "visit _url_ now"),
        ("mail [email hidden] or [phone hidden]", "mail _email_ or _phone_"),
    ],
)
def test_normalise(raw, expected):
    assert features.normalise(raw) == expected


def test_tokens_name_each_kind_with_its_prefix():
    tokens = features.tokens(
        {
            "author_name": "Cheap Pills",
            "author_email": "bob.smith@mail.example",
            "author_url": "https://www.shop.example/x",
            "body": "Buy 100 pills at http://pills.example/a now",
        }
    )
    assert {"w:buy", "w:pills", "w:_url_", "w:now"} <= set(tokens)
    assert {"b:buy pills", "b:^ buy", "b:^ buy pills", "b:now $"} <= set(tokens)
    assert "p:pill" in tokens and "p:buy" not in tokens  # stems of longer words
    assert {"u:pills.example", "m:links:1"} <= set(tokens)
    assert {"e:mail.example", "f:shop.example"} <= set(tokens)
    assert "w:100" not in tokens and not any("cheap" in t for t in tokens)
    assert not any("bob" in t or "smith" in t for t in tokens)  # never the address
    assert len(tokens) == len(set(tokens))


@pytest.mark.parametrize(
    ("body", "own"),
    [
        ("see http://pills.example/a", True),
        ("my shop www.cheap-pills.co.uk today", True),
        ("at http://203.0.113.9/promo", True),
        ("https://ann.blogspot.com/post", True),  # kept apart by the suffix list
        (
            "https://www.youtube.com/watch?v=x and https://en.wikipedia.org/wiki/Y",
            False,
        ),
        ("https://github.com/pallets/flask", False),
        ("no link at all", False),
    ],
)
def test_a_link_to_somebodys_own_site_has_its_token(body, own):
    assert (features.OWN_SITE in features.tokens({"body": body})) is own


@pytest.mark.parametrize(
    "body",
    [
        "Cheap pills <http://pills.example/a> today",
        "Cheap pills <www.pills.example> today",
        "Cheap pills &lt;http://pills.example/a&gt; today",
    ],
)
def test_a_markdown_autolink_is_a_link_not_a_tag(body):
    tokens = features.tokens({"body": body})
    assert "u:pills.example" in tokens and "m:links:1" in tokens
    assert "w:_url_" in tokens and features.OWN_SITE in tokens


@pytest.mark.parametrize(
    "body, host",
    [
        ("便宜的药请访问shop.pills.ru 谢谢", "shop.pills.ru"),  # no space in Chinese
        ("ご覧くださいshop.pills.ru", "shop.pills.ru"),
        ("see cheap_shop.pills.ru", "shop.pills.ru"),
        # Words of a script written with spaces: no host made of a word's end.
        ("Günstig: überpills.ru", None),
        ("Straße.de", None),
    ],
)
def test_a_domain_right_after_a_letter_of_another_script_is_a_link(body, host):
    tokens = features.tokens({"body": body})
    hosts = [token for token in tokens if token.startswith("u:")]
    if host is None:
        assert hosts == [] and "m:links:0" in tokens
    else:
        assert f"u:{host}" in hosts and "m:links:1" in tokens


def test_a_token_longer_than_the_column_is_hashed_to_fit():
    word = "abcdefghij" * 10
    tokens = features.tokens({"body": word})
    assert f"w:{word}" not in tokens
    assert all(len(token) <= features.MAX_TOKEN_LENGTH for token in tokens)
    assert any(token.startswith("h:") for token in tokens)


def test_an_empty_model_gives_no_probability():
    assert Classifier(MemoryStore()).probability(HAM) is None
    only_spam = Classifier(MemoryStore())
    only_spam.learn(SPAM, True)
    assert only_spam.probability(SPAM) is None


def test_learning_separates_spam_from_ham():
    model = trained()
    assert model.probability(SPAM) > 0.9 > 0.1 > model.probability(HAM)


@pytest.mark.parametrize("spam", [True, False])
def test_learn_then_unlearn_restores_the_counts_exactly(spam):
    store = trained().store
    before = store.dump()
    model = Classifier(store)
    model.learn({"body": "Something entirely new, and checkpoints"}, spam)
    assert store.dump() != before
    model.learn({"body": "Something entirely new, and checkpoints"}, spam, -1)
    assert store.dump() == before


def test_more_spam_evidence_never_lowers_the_probability():
    model = trained()
    comment = {"body": "limited offer, subscribe today"}
    seen = [model.probability(comment)]
    for _ in range(4):
        model.learn({"body": "a limited offer for you"}, True)
        seen.append(model.probability(comment))
    assert seen == sorted(seen) and seen[-1] > seen[0]
    for _ in range(4):
        model.learn({"body": "a limited offer for you"}, False)
        seen.append(model.probability(comment))
    assert seen[4:] == sorted(seen[4:], reverse=True)


def test_words_never_seen_dilute_the_evidence_either_way():
    model = trained()
    padding = " zebra quartz meadow"
    for word, spam in [("subscribe", True), ("checkpoints", False)]:
        plain = model.probability({"body": word})
        padded = model.probability({"body": word + padding})
        assert (padded < plain) is spam, word


def test_a_word_never_seen_speaks_through_its_stem():
    model = trained()
    assert features.stem("w:subscribers") == "p:subs"
    assert features.stem("w:wal") is None
    # Both also carry the link count "none", which only ham had: the stem of
    # "subscribe" (spam) lifts one and nothing lifts the other.
    with_stem = model.probability({"body": "subscribers"})
    assert with_stem - model.probability({"body": "zebras"}) > 0.3


def test_a_text_message_weighs_less_than_a_comment(tmp_path):
    sms = tmp_path / "sms.txt"
    sms.write_text("spam\tWIN a prize now\nham\tsee you at lunch\n")
    model = Classifier(MemoryStore())
    model.train(read(sms) + [example("Nice post", False)])
    assert model.store.rows[TOTALS] == [1, 1 + W]
    assert model.store.rows["w:win"] == [1, 0]
    assert model.store.rows["w:nice"] == [0, W]


def test_learning_mostly_spam_does_not_make_the_filter_bolder():
    """The prior, all a comment of unknown tokens gets, only ever leans to ham."""
    assert classifier.judge({TOTALS: (10 * W, 10 * W)}, [])[0] == 0
    assert classifier.judge({TOTALS: (90 * W, 10 * W)}, [])[0] == 0
    assert classifier.judge({TOTALS: (10 * W, 90 * W)}, [])[0] < -1


def test_training_learns_copies_of_one_message_once():
    model = Classifier(MemoryStore())
    campaign = "Check out this video on YouTube right now friends"
    learned = model.train(
        [example(f"{campaign} {n}", True) for n in range(5)]
        + [example("Nice post", False), example("Nice post", False)]
        + [example("Nice post", True)]
    )
    assert learned == {"spam": 2, "ham": 1}
    assert model.store.rows[TOTALS] == [2 * W, W]


def test_the_database_store_counts_and_scores_like_the_memory_store(app):
    examples = [example(SPAM["body"], True), example(HAM["body"], False)]
    examples += [example("free money at http://win.example", True)]
    memory, database = Classifier(MemoryStore()), Classifier(DatabaseStore())
    memory.train(examples)
    database.train(examples)
    assert db_rows() == memory.store.dump()
    for fields in (SPAM, HAM, {"body": "free money"}, {"body": "unseen words"}):
        assert database.probability(fields) == pytest.approx(memory.probability(fields))
    database.learn(SPAM, True, -1)
    memory.learn(SPAM, True, -1)
    assert db_rows() == memory.store.dump()


def test_unlearning_in_the_database_drops_rows_that_reach_zero(app):
    database = Classifier(DatabaseStore())
    database.learn(HAM, False)
    database.learn({"body": "brand new words"}, True)
    database.learn({"body": "brand new words"}, True, -1)
    assert not SpamToken.select().where(SpamToken.token == "w:brand").exists()
    assert db_rows()[TOTALS] == (0, W)


def test_counts_kept_by_a_worker_follow_another_workers_change(app):
    store = DatabaseStore()
    store.add({"w:cheap": (W, 0), TOTALS: (W, W)})
    assert store.counts(["w:cheap", "w:absent"]) == {"w:cheap": (W, 0)}
    # Another worker learns: its rows and a new version, in one transaction.
    with db.write_transaction():
        SpamToken.update(spam=2 * W).where(SpamToken.token == "w:cheap").execute()
        SpamToken.create(token="w:absent", spam=0, ham=W)
        SpamModelVersion.update(version=SpamModelVersion.version + 1).execute()
    assert store.counts(["w:cheap", "w:absent"]) == {
        "w:cheap": (2 * W, 0),
        "w:absent": (0, W),
    }


def test_a_worker_asks_the_database_only_for_tokens_it_has_not_kept(app, monkeypatch):
    store = DatabaseStore()
    store.add({"w:one": (W, 0)})
    asked, ask = [], stores._COUNTS.execute
    monkeypatch.setattr(
        stores._COUNTS,
        "execute",
        lambda packed: asked.append(packed) or ask(packed),
    )
    for tokens in (["w:one", "w:two"], ["w:one", "w:two"], ["w:one", "w:three"]):
        assert store.counts(tokens) == {"w:one": (W, 0)}
    assert asked == [db.pack(["w:one", "w:two"]), db.pack(["w:three"])]


def test_every_change_of_the_counts_gives_a_new_version(app):
    def version():
        return SpamModelVersion.get_by_id(1).version

    store = DatabaseStore()
    store.add({"w:word": (W, 0)})
    first = version()
    store.add({"w:word": (W, 0)})
    second = version()
    store.subtract(["w:word"], True, W)
    assert len({first, second, version()}) == 3


@pytest.mark.parametrize("on_database", [False, True])
def test_taking_back_more_than_was_counted_stops_at_zero(app, on_database):
    store = DatabaseStore() if on_database else MemoryStore()
    store.add({"w:rare": (1, 2), "w:once": (3, 0)})
    store.subtract(["w:rare", "w:once"], True, W)
    rows = db_rows() if on_database else store.dump()
    assert rows == {"w:rare": (0, 2)}


def make_comment(body: str, **fields) -> Comment:
    values = {"post": make_post(), "author_name": "Reader", "status": "pending"}
    return Comment.create(body=body, **{**values, **fields})


def test_a_decision_is_learned_once_per_comment(app):
    comment = make_comment(SPAM["body"], author_url="https://promo.example")
    assert learn_from_decision(comment, True) is True
    once = db_rows()
    assert learn_from_decision(comment, True) is False
    assert db_rows() == once and once[TOTALS] == (W, 0)
    assert "f:promo.example" in json.loads(SpamLesson.get().tokens)


def test_a_flipped_decision_takes_back_exactly_what_was_learned(app):
    classifier.live().learn(HAM, False)
    before = db_rows()
    comment = make_comment(SPAM["body"])
    learn_from_decision(comment, True)
    # An edit between two decisions must not leave the first text counted.
    comment.body = "Thanks, this cleared up my confusion about checkpoints."
    comment.save()
    learn_from_decision(comment, False)
    expected = MemoryStore(before)
    Classifier(expected).learn({"body": comment.body, "author_name": "Reader"}, False)
    assert db_rows() == expected.dump()
    assert SpamLesson.get(SpamLesson.comment == comment.id).spam is False


def test_the_default_model_loads_without_a_database():
    store = classifier.load_default()
    spam_docs, ham_docs = store.rows[TOTALS]
    # About 400 YouTube spam and 500 ham (copies learned once) and the blog
    # seed's 84 spam and 170 ham at a comment's weight, plus the SMS
    # collection at a text message's.
    assert 480 * W < spam_docs < 580 * W and 670 * W < ham_docs < 870 * W
    model = Classifier(store)
    assert model.probability({"body": "subscribe to my channel please"}) > 0.9
    assert model.probability({"body": "I love this song so much"}) < 0.5


def test_a_model_of_another_features_version_is_refused(tmp_path):
    old = tmp_path / "old.json.gz"
    with gzip.open(old, "wt") as file:
        json.dump({"features": features.FEATURES_VERSION + 1, "tokens": {}}, file)
    with pytest.raises(ValueError, match="rebuild"):
        classifier.load_default(old)


def test_a_saved_model_loads_back_and_is_byte_stable(tmp_path):
    store = trained().store
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    classifier.save(store, first)
    classifier.save(store.copy(), second)
    assert first.read_bytes() == second.read_bytes()
    assert classifier.load_default(first).dump() == store.dump()


def test_seeding_fills_only_an_empty_table(app, tmp_path):
    model = tmp_path / "model.json.gz"
    classifier.save(trained().store, model)
    assert classifier.seed_from_default(model) == len(trained().store.rows)
    assert db_rows() == trained().store.dump()
    assert classifier.seed_from_default(model) == 0


def test_rebuilding_keeps_the_default_and_every_decision_and_drops_the_rest(
    app, tmp_path
):
    model = tmp_path / "model.json.gz"
    classifier.save(trained().store, model)
    classifier.seed_from_default(model)
    spam = make_comment(SPAM["body"], author_url="https://promo.example")
    learn_from_decision(spam, True)
    SpamToken.create(token="w:stale", spam=7, ham=0)  # an old version's token
    SpamLesson.update(tokens='["w:stale"]').execute()

    assert classifier.rebuild(model) == 1

    expected = trained().store.copy()
    Classifier(expected).learn(classifier.comment_fields(spam), True)
    assert db_rows() == expected.dump()
    lesson = SpamLesson.get()
    assert json.loads(lesson.tokens) == features.tokens(classifier.comment_fields(spam))


def test_the_features_migration_rebuilds_only_a_model_in_use(app, monkeypatch):
    migration = importlib.import_module("migrations.0008_spam_features_v2")
    rebuilt = []
    monkeypatch.setattr(classifier, "rebuild", lambda: rebuilt.append(True))
    migration.up(None, db.database)
    assert rebuilt == []
    SpamToken.create(token=TOTALS, spam=1, ham=1)
    migration.up(None, db.database)
    assert rebuilt == [True]


def test_held_out_youtube_files_keep_ham_out_of_the_spam_folder():
    """The leave-one-file-out protocol on the shared corpora (README table).

    The target is F1 >= 0.95 with at most 1% of ham sent to spam; the filter
    keeps ham out (2 of 552 sent to spam) and reaches F1 0.96, 0.94 and 0.90
    (see README), so this guards the measured level rather than the target.
    """
    youtube, sms = evaluate.read_corpora(shared_data("spam"))
    reports = evaluate.held_out(youtube, sms, evaluate.default_settings())
    assert len(reports) == 3
    for name, report in reports.items():
        assert report["ham_to_spam"] <= 0.01, (name, report)
        assert report["f1"] >= 0.90, (name, report)
        assert report["precision"] >= 0.99, (name, report)


def test_the_tubespam_split_of_each_file_stays_near_its_measured_level():
    """Per file, 70/30 trained on the 70% alone: F1 0.93-0.96 (README)."""
    youtube, sms = evaluate.read_corpora(shared_data("spam"))
    settings = evaluate.default_settings()
    reports = evaluate.seventy_thirty(youtube, sms, settings, rest=False)
    for name, report in reports.items():
        assert report["f1"] >= 0.92, (name, report)


def test_the_shipped_default_model_is_what_the_corpora_build_now(tmp_path):
    """A change to the features or the masking that reads a corpus text
    differently needs the model rebuilt (build_default), or `blog init`
    loads counts the live comments' tokens never meet."""
    store, _ = build_default.build(shared_data("spam"))
    classifier.save(store, tmp_path / "built.json.gz")
    assert (tmp_path / "built.json.gz").read_bytes() == DEFAULT_MODEL.read_bytes()
