"""Related posts: the pure scoring, the stored lists, their updates and the page."""

import dataclasses
import datetime
import math
import re
from collections import Counter

import pytest

from blog import content, db, related
from blog.models import (
    Post,
    PostCategory,
    PostStatus,
    PostTag,
    RelatedPost,
    utcnow,
)
from tests.factories import make_post

DAY = datetime.datetime(2024, 5, 1)
WAL = (
    "Write-ahead logging keeps readers going while the writer appends pages to "
    "the journal; a checkpoint copies them back into the database file."
)
WAL_AGAIN = (
    "The checkpoint moves journal pages back into the database file, so the "
    "write-ahead log stays short and readers stay fast."
)
GARDEN = "Tomatoes want sun, compost and a trellis; basil grows between them."
SAMPLE_POST = "/2024/03/17/sqlite-wal-mode-is-enough/"


def document(number, text, title="", tags=(), categories=()):
    date = DAY + datetime.timedelta(days=number)
    return related.Document(number, date, title, text, tags, categories)


def profile(number, vector, labels=()):
    return related.Profile(number, DAY, vector, frozenset(labels))


def stored_lists() -> dict:
    """Every stored list: {post id: [(related id, score, reason), ...] by rank}."""
    lists: dict = {}
    for row in RelatedPost.select().order_by(RelatedPost.post, RelatedPost.rank):
        lists.setdefault(row.post_id, []).append(
            (row.related_id, row.score, row.reason)
        )
    return lists


def row_ids() -> dict:
    """The row ids of each stored list: new ones mean the list was rewritten."""
    ids: dict = {}
    for row in RelatedPost.select(RelatedPost.id, RelatedPost.post):
        ids.setdefault(row.post_id, set()).add(row.id)
    return ids


def holding(lists: dict, post_id: int) -> set:
    return {
        owner
        for owner, entries in lists.items()
        if post_id in [related_id for related_id, _, _ in entries]
    }


def assert_common_terms(reason: str, *posts):
    """The reason's common terms are words that each of the posts has."""
    terms = reason.split("common terms: ")[1].split(", ")
    assert 1 <= len(terms) <= related.REASON_ITEMS
    for post in posts:
        words = set(related.tokenise(f"{post.title} {post.body_text}"))
        assert set(terms) <= words, post.title


def listed(post) -> list:
    return [item.post.id for item in related.for_post(post, count=10)]


# Pure scoring: no database


def test_tokenise_keeps_lowercased_words_of_three_letters_or_more():
    text = (
        "The WAL checkpoint ran 2024 times, at an OK pace: Überraschung, café au lait!"
    )
    assert related.tokenise(text) == [
        "wal",
        "checkpoint",
        "ran",
        "times",
        "pace",
        "überraschung",
        "café",
        "lait",
    ]


def test_term_counts_count_title_words_more_and_agree_with_tokenise():
    assert related.term_counts("", WAL) == Counter(related.tokenise(WAL))
    counts = related.term_counts("WAL checkpoints", WAL)
    assert counts["checkpoint"] == 1
    assert counts["wal"] == related.TITLE_WEIGHT
    assert counts["checkpoints"] == related.TITLE_WEIGHT


def test_term_counts_read_a_long_body_only_up_to_the_cap():
    text = "filler " * (related.MAX_BODY_CHARS // 7) + "zebra"
    counts = related.term_counts("", text)
    assert counts["filler"] == related.MAX_BODY_CHARS // 7
    assert "zebra" not in counts


def test_only_terms_that_can_link_posts_get_an_idf():
    df = {"unique": 1, "shared": 2, "wider": 10, "at-the-cut": 50, "everywhere": 51}
    idfs = related.inverse_document_frequencies(df, posts=100)
    assert set(idfs) == {"shared", "wider", "at-the-cut"}
    assert idfs["shared"] > idfs["wider"] > idfs["at-the-cut"]


def test_vectorise_keeps_the_heaviest_terms_at_unit_length():
    counts = {f"term{n}": n for n in range(1, 61)} | {"rare": 1, "ignored": 99}
    idfs = {f"term{n}": 1.0 for n in range(1, 61)} | {"rare": 9.0}
    vector = related.vectorise(counts, idfs)
    assert len(vector) == related.VECTOR_TERMS
    assert math.fsum(w * w for w in vector.values()) == pytest.approx(1.0)
    assert "rare" in vector and "term60" in vector
    assert "term1" not in vector and "ignored" not in vector
    assert vector["rare"] > vector["term60"]


def test_a_pair_scores_its_cosine_plus_the_boosts_of_shared_labels():
    sqlite, perf, databases = ("tag", "sqlite"), ("tag", "perf"), ("category", "DB")
    a = profile(1, {"wal": 0.8, "fsync": 0.6}, [sqlite, perf, databases])
    b = profile(2, {"wal": 0.6, "fsync": 0.8}, [sqlite, databases])
    boosts = {sqlite: 0.2, perf: 0.1, databases: 0.05}
    assert related.score_pair(a, b, boosts) == pytest.approx(0.96 + 0.25)
    assert related.score_pair(a, b, boosts) == related.score_pair(b, a, boosts)


def test_explain_names_shared_tags_category_and_strongest_common_terms():
    a = profile(
        1,
        {"wal": 0.8, "checkpoint": 0.5, "fsync": 0.3, "other": 0.1},
        [("tag", "sqlite"), ("tag", "performance"), ("category", "Databases")],
    )
    b = profile(
        2,
        {"wal": 0.9, "checkpoint": 0.4, "fsync": 0.1, "other": 0.1},
        [("tag", "sqlite"), ("tag", "performance"), ("category", "Databases")],
    )
    assert related.explain(a, b) == (
        "shared tags: performance, sqlite · same category: Databases"
        " · common terms: wal, checkpoint, fsync"
    )
    assert related.explain(a, profile(3, {}, [])) == ""


def test_the_inverted_index_scores_every_pair_as_score_pair_does():
    docs = [
        document(1, WAL, "Write-ahead logging", tags=("sqlite",)),
        document(2, WAL_AGAIN, "Checkpoints", tags=("sqlite", "perf")),
        document(3, GARDEN + " Compost pages.", "Tomatoes", categories=("Garden",)),
        document(4, GARDEN, "Basil", tags=("perf",), categories=("Garden",)),
        document(5, "Nothing shared here at all.", "Alone"),
    ]
    corpus = related.Corpus(related.profiles(docs))
    for i, a in enumerate(corpus.profiles):
        scores = corpus.scores(i)
        for j, b in enumerate(corpus.profiles):
            expected = 0.0 if i == j else related.score_pair(a, b, corpus.boosts)
            assert scores[j] == pytest.approx(expected)
    assert [entry[0] for entry in corpus.neighbours(1)] == [2, 3]
    assert [entry[0] for entry in corpus.neighbours(5)] == []


def test_a_label_on_too_many_posts_only_lifts_pairs_found_by_rarer_terms(
    monkeypatch,
):
    monkeypatch.setattr(related, "MIN_COMMON", 2)
    docs = [
        document(1, WAL, tags=("python",)),
        document(2, WAL_AGAIN, tags=("python",)),
        document(3, GARDEN, tags=("python",)),
        document(4, GARDEN),
    ]
    corpus = related.Corpus(related.profiles(docs))
    assert corpus.common == {("tag", "python")}
    wal, wal_again, garden, _ = corpus.profiles
    scores = corpus.scores(0)
    assert related.score_pair(wal, garden, corpus.boosts) > 0
    assert scores[2] == 0.0
    untagged = dataclasses.replace(wal_again, labels=frozenset())
    cosine = related.score_pair(wal, untagged, corpus.boosts)
    boost = corpus.boosts[("tag", "python")]
    assert scores[1] == pytest.approx(cosine + boost)


# Stored lists


def test_a_post_without_tags_gets_neighbours_by_its_text(app):
    untagged = make_post("Write-ahead logging", WAL)
    alike = make_post("Checkpoints", WAL_AGAIN, tags=["sqlite"])
    make_post("Tomatoes", GARDEN, tags=["garden"])
    make_post("Basil", GARDEN, tags=["garden"])
    related.recompute_all()
    assert listed(untagged) == [alike.id]
    [item] = related.for_post(untagged)
    assert item.reason.startswith("common terms: ")
    assert_common_terms(item.reason, untagged, alike)
    assert item.score > 0


def test_shared_tags_lift_a_neighbour_above_an_equally_similar_one(app):
    post = make_post("Write-ahead logging", WAL, tags=["sqlite"])
    tagged = make_post("Checkpoints", WAL_AGAIN, tags=["sqlite"])
    # Same words, and newer: it would come first on text alone.
    untagged = make_post("Checkpoints", WAL_AGAIN)
    assert untagged.date > tagged.date
    related.recompute_all()
    first, second = related.for_post(post)
    assert [first.post.id, second.post.id] == [tagged.id, untagged.id]
    assert first.score > second.score


def test_the_reason_names_shared_tags_and_common_terms(app):
    post = make_post("WAL", WAL, tags=["sqlite", "performance"], categories=["DB"])
    other = make_post(
        "More WAL", WAL_AGAIN, tags=["performance", "sqlite"], categories=["DB"]
    )
    related.recompute_all()
    [item] = related.for_post(post)
    assert item.reason.startswith(
        "shared tags: performance, sqlite · same category: DB · common terms: "
    )
    assert_common_terms(item.reason, post, other)


def test_drafts_scheduled_posts_and_pages_take_no_part(app):
    first = make_post("WAL", WAL)
    second = make_post("WAL again", WAL)
    hidden = [
        make_post("Draft", WAL, status=PostStatus.DRAFT),
        make_post("Scheduled", WAL, date=utcnow() + datetime.timedelta(days=3)),
        make_post("About", WAL, kind="page", slug="about"),
        make_post("Taken down", WAL, status=PostStatus.UNPUBLISHED),
    ]
    related.recompute_all()
    assert set(stored_lists()) == {first.id, second.id}
    related.update([post.id for post in hidden])
    lists = stored_lists()
    assert set(lists) == {first.id, second.id}
    assert [entry[0] for entry in lists[first.id]] == [second.id]
    assert [entry[0] for entry in lists[second.id]] == [first.id]


def test_for_post_reads_a_list_with_one_query(app, monkeypatch):
    posts = [make_post(f"WAL {n}", WAL, tags=["sqlite"]) for n in range(8)]
    related.recompute_all()
    statements = []
    monkeypatch.setattr(db.database.obj, "query_hooks", [statements.append])
    found = related.for_post(posts[0], count=5)
    shown = [(item.post.title, item.post.url, item.post.date) for item in found]
    assert len(statements) == 1
    assert len(shown) == 5
    assert all(title.startswith("WAL ") for title, _, _ in shown)
    assert related.for_post(posts[0], count=0) == []
    assert len(related.for_post(posts[0], count=20)) == 7


def test_for_post_skips_a_post_that_stopped_being_public(app):
    post, gone, kept = (make_post(f"WAL {n}", WAL) for n in range(3))
    related.recompute_all()
    Post.update(status=PostStatus.DRAFT).where(Post.id == gone.id).execute()
    assert listed(post) == [kept.id]


# Incremental updates match a full recompute


@pytest.fixture
def site(app, content_dir):
    """The sample content synced, with every list computed."""
    report = content.sync(content_dir)
    assert report.errors == []
    related.recompute_all()
    return app


def check_update(post_id: int) -> tuple[dict, dict, set]:
    """Run update([post_id]), then recompute_all(); compare the lists concerned.

    Those are its own, the ones that held it before, and the ones that hold it
    after the full recompute. Also returns the lists update() rewrote.
    """
    before, before_ids = stored_lists(), row_ids()
    related.update([post_id])
    incremental, after_ids = stored_lists(), row_ids()
    related.recompute_all()
    full = stored_lists()
    concerned = {post_id} | holding(before, post_id) | holding(full, post_id)
    for owner in concerned:
        assert incremental.get(owner) == full.get(owner), owner
    owners = before_ids.keys() | after_ids.keys()
    rewritten = {o for o in owners if before_ids.get(o) != after_ids.get(o)}
    return incremental, full, rewritten


def test_update_for_a_new_post_matches_a_full_recompute(site):
    new = make_post(
        "SQLite checkpoints under a PostgreSQL connection pool",
        WAL + " A connection pool in front of PostgreSQL and SQLite in WAL mode.",
        tags=["sqlite", "postgresql"],
        categories=["Databases"],
    )
    incremental, full, rewritten = check_update(new.id)
    assert len(full[new.id]) == related.STORED
    entered = holding(full, new.id)
    assert entered, "the new post enters no list"
    assert {new.id} | entered <= rewritten < set(full)


def test_update_for_a_changed_post_matches_a_full_recompute(site):
    post = Post.get(Post.slug == "sqlite-wal-mode-is-enough")
    held_by = holding(stored_lists(), post.id)
    assert held_by
    # Now it shares nothing with any other post.
    Post.update(title="Axolotls", body_text="Quokkas and axolotls.").where(
        Post.id == post.id
    ).execute()
    PostTag.delete().where(PostTag.post == post.id).execute()
    PostCategory.delete().where(PostCategory.post == post.id).execute()
    incremental, _, rewritten = check_update(post.id)
    assert holding(incremental, post.id) == set()
    assert post.id not in incremental
    assert held_by <= rewritten


def test_an_unpublished_post_leaves_every_list(site):
    post = Post.get(Post.slug == "sqlite-wal-mode-is-enough")
    assert holding(stored_lists(), post.id)
    Post.update(status=PostStatus.UNPUBLISHED).where(Post.id == post.id).execute()
    incremental, _, _ = check_update(post.id)
    assert post.id not in incremental
    assert holding(incremental, post.id) == set()


def test_update_after_a_post_was_deleted_fills_the_holes(site):
    post = Post.get(Post.slug == "sqlite-wal-mode-is-enough")
    held_by = holding(stored_lists(), post.id)
    assert held_by
    post.delete_instance()
    incremental, full, _ = check_update(post.id)
    for owner in held_by:
        assert incremental[owner] == full[owner]


def test_every_sample_post_gets_at_least_three_related_posts(site):
    published = list(Post.published())
    assert len(published) >= 10
    for post in published:
        found = related.for_post(post, count=5)
        assert len(found) >= 3, post.title
        assert post.id not in [item.post.id for item in found]
        assert all(item.reason for item in found)


def related_section(client) -> tuple[str, list[str]]:
    """The Related Posts section of the sample post's page, and its links."""
    html = client.get(SAMPLE_POST).get_data(as_text=True)
    found = re.search(r'<section class="related".*?</section>', html, re.S)
    assert found, "no related section"
    links = re.findall(r'<a href="(/\d{4}/\d\d/\d\d/[^"]+/)"', found.group(0))
    return found.group(0), links


def test_a_post_page_lists_its_related_posts_with_dates(site, client):
    section, links = related_section(client)
    assert "Related Posts" in section
    post = Post.get(Post.slug == "sqlite-wal-mode-is-enough")
    assert links == [item.post.url for item in related.for_post(post, count=5)]
    assert len(links) == 5
    assert section.count("<time datetime=") == len(links)
    assert SAMPLE_POST not in links


def test_the_page_shows_as_many_related_posts_as_the_setting_says(site, client):
    site.extensions["settings"].set("related_count", 2)
    _, links = related_section(client)
    assert len(links) == 2
