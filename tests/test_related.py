"""Related posts: the similarity scoring, the stored lists, their updates, the page."""

import datetime
import math
import re
import time
from collections import Counter

import numpy as np
import pytest

from blog import content, db, publishing, related, similarity
from blog.models import Post, PostStatus, utcnow
from blog.term_models import PostCategory, PostTag, RelatedCounts, RelatedPost
from tests.factories import make_post

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


def document(number, text, title="", tags=(), categories=()) -> dict:
    """A post for a corpus of documents; a higher number is a newer post."""
    labels = [("tag", name) for name in tags]
    labels += [("category", name) for name in categories]
    return {"id": number, "title": title, "text": text, "labels": labels}


def corpus_of(docs) -> tuple[similarity.Corpus, list[str]]:
    """A corpus of documents counted with a vocabulary of their own, and its words."""
    vocabulary: dict = {}
    packed = []
    for doc in docs:
        counts = similarity.term_counts(doc["title"], doc["text"])
        ids = {vocabulary.setdefault(t, len(vocabulary)): n for t, n in counts.items()}
        packed.append(similarity.pack(ids))
    numbers: dict = {}
    links = [
        (row, numbers.setdefault(label, len(numbers)))
        for row, doc in enumerate(docs)
        for label in doc["labels"]
    ]
    rows, labels = np.array(links, np.int64).reshape(-1, 2).T
    corpus = similarity.Corpus(
        [doc["id"] for doc in docs],
        similarity.Counts.join(packed),
        similarity.Labels(list(numbers), rows, labels),
    )
    return corpus, list(vocabulary)


def boost(corpus, label) -> float:
    return corpus.boosts[corpus.labels.names.index(label)]


def vector(corpus, i) -> dict:
    """Post number i's term weights: {term id: weight}."""
    return dict(zip(*map(np.ndarray.tolist, corpus.vector(i)), strict=True))


def pair_score(corpus, i, j) -> float:
    """The score of two posts of corpus by its definition, without the index."""
    a, b = vector(corpus, i), vector(corpus, j)
    cosine = math.fsum(weight * b[term] for term, weight in a.items() if term in b)
    shared = corpus.shared_labels(i, j)
    return cosine + math.fsum(corpus.boosts[label] for label in shared)


def stored_lists() -> dict:
    """Every stored list: {post id: [(related id, score, reason), ...] by rank}."""
    lists: dict = {}
    for row in RelatedPost.select().order_by(RelatedPost.post, RelatedPost.rank):
        lists.setdefault(row.post_id, []).append(
            (row.related_id, row.score, row.reason)
        )
    return lists


def stored_counts() -> dict:
    """Every post's stored term counts: {post id: (fingerprint, terms, counts)}."""
    return {
        row.post_id: (row.fingerprint, bytes(row.terms), bytes(row.counts))
        for row in RelatedCounts.select()
    }


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
    assert 1 <= len(terms) <= similarity.REASON_ITEMS
    for post in posts:
        words = set(similarity.tokenise(f"{post.title} {post.body_text}"))
        assert set(terms) <= words, post.title


def listed(post) -> list:
    return [item.post.id for item in related.for_post(post, count=10)]


# Similarity: no database


def test_tokenise_keeps_lowercased_words_of_three_letters_or_more():
    text = (
        "The WAL checkpoint ran 2024 times, at an OK pace: Überraschung, café au lait!"
    )
    assert similarity.tokenise(text) == [
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
    assert similarity.term_counts("", WAL) == Counter(similarity.tokenise(WAL))
    counts = similarity.term_counts("WAL checkpoints", WAL)
    assert counts["checkpoint"] == 1
    assert counts["wal"] == similarity.TITLE_WEIGHT
    assert counts["checkpoints"] == similarity.TITLE_WEIGHT


def test_term_counts_read_a_long_body_only_up_to_the_cap():
    text = "filler " * (similarity.MAX_BODY_CHARS // 7) + "zebra"
    counts = similarity.term_counts("", text)
    assert counts["filler"] == similarity.MAX_BODY_CHARS // 7
    assert "zebra" not in counts


def test_words_too_long_to_be_terms_are_dropped():
    long = "x" * (similarity.MAX_TERM_CHARS + 1)
    longest = "y" * similarity.MAX_TERM_CHARS
    assert similarity.tokenise(f"{long} {longest} wal") == [longest, "wal"]
    assert set(similarity.term_counts(long, f"{long} {longest}")) == {longest}


def test_only_terms_that_can_link_posts_get_an_idf():
    # Term ids: unique, shared, wider, at the cut, everywhere.
    df = np.array([1, 2, 10, 50, 51])
    idfs = similarity.linking_idf(df, posts=100)
    assert idfs[0] == idfs[4] == 0.0
    assert idfs[1] > idfs[2] > idfs[3] > 0


def test_vectors_keep_the_heaviest_terms_at_unit_length():
    # Post 0 holds terms 0-59 (term n counted n + 1 times), term 60 once and
    # term 61, which every post has; post 1 holds 0-60 once; 2-99 hold 61.
    first = {n: n + 1 for n in range(60)} | {60: 1, 61: 99}
    packed = [similarity.pack(first), similarity.pack(dict.fromkeys(range(61), 1))]
    packed += [similarity.pack({61: 1})] * 98
    rows, terms, weights = similarity.vectors(similarity.Counts.join(packed), posts=100)
    vector = dict(zip(terms[rows == 0].tolist(), weights[rows == 0], strict=True))
    assert len(vector) == similarity.VECTOR_TERMS
    assert math.fsum(w * w for w in vector.values()) == pytest.approx(1.0)
    assert 59 in vector and 60 not in vector and 61 not in vector
    assert vector[59] > vector[40] > vector[20]
    assert list(weights[rows == 0]) == sorted(vector.values(), reverse=True)
    # Equal weights: the lower term ids are kept.
    assert terms[rows == 1].tolist() == list(range(similarity.VECTOR_TERMS))
    assert (rows >= 2).sum() == 0


def test_explain_names_shared_tags_category_and_common_terms():
    shared = {("tag", "sqlite"), ("tag", "performance"), ("category", "Databases")}
    assert related.explain(shared, ["wal", "checkpoint"]) == (
        "shared tags: performance, sqlite · same category: Databases"
        " · common terms: wal, checkpoint"
    )
    assert related.explain({("tag", "sqlite")}, []) == "shared tags: sqlite"
    assert related.explain(set(), []) == ""


def test_the_inverted_index_scores_every_pair_by_the_definition():
    docs = [
        document(0, "", "", tags=("sqlite",)),
        document(1, WAL, "Write-ahead logging", tags=("sqlite",)),
        document(2, WAL_AGAIN, "Checkpoints", tags=("sqlite", "perf")),
        document(3, GARDEN + " Compost pages.", "Tomatoes", categories=("Garden",)),
        document(4, GARDEN, "Basil", tags=("perf",), categories=("Garden",)),
        document(5, "Nothing shared here at all.", "Alone"),
    ]
    corpus, _ = corpus_of(docs)
    for i in range(len(docs)):
        scores = corpus.scores(i)
        for j in range(len(docs)):
            expected = 0.0 if i == j else pair_score(corpus, i, j)
            assert scores[j] == pytest.approx(expected)
    assert pair_score(corpus, 1, 2) > boost(corpus, ("tag", "sqlite")) > 0
    assert [entry[0] for entry in corpus.neighbours(1, related.STORED)] == [2, 0, 3]
    # The empty post is found by its tag alone: no common terms.
    assert [entry[0] for entry in corpus.neighbours(0, related.STORED)] == [2, 1]
    assert [entry[3] for entry in corpus.neighbours(0, related.STORED)] == [[], []]
    assert [entry[0] for entry in corpus.neighbours(5, related.STORED)] == []


def test_a_neighbour_comes_with_shared_labels_and_strongest_common_terms():
    docs = [
        document(1, WAL, "WAL", tags=("sqlite", "perf"), categories=("DB",)),
        document(2, WAL_AGAIN, "WAL", tags=("sqlite",), categories=("DB",)),
        document(3, GARDEN, "Garden"),
    ]
    corpus, words = corpus_of(docs)
    [(found, score, labels, common)] = corpus.neighbours(1, related.STORED)
    assert found == 2 and score == pytest.approx(pair_score(corpus, 0, 1))
    assert set(labels) == {("tag", "sqlite"), ("category", "DB")}
    a, b = vector(corpus, 0), vector(corpus, 1)
    products = sorted((a[t] * b[t] for t in a.keys() & b.keys()), reverse=True)
    assert 1 <= len(common) <= similarity.REASON_ITEMS
    assert [a[t] * b[t] for t in common] == products[: len(common)]
    both = set(similarity.tokenise(f"WAL {WAL}")) & set(
        similarity.tokenise(f"WAL {WAL_AGAIN}")
    )
    assert {words[t] for t in common} <= both


def test_a_label_on_too_many_posts_only_lifts_pairs_found_by_rarer_terms(
    monkeypatch,
):
    monkeypatch.setattr(similarity, "MIN_COMMON", 2)
    docs = [
        document(1, WAL, tags=("python",)),
        document(2, WAL_AGAIN, tags=("python",)),
        document(3, GARDEN, tags=("python",)),
        document(4, GARDEN),
    ]
    corpus, _ = corpus_of(docs)
    names = corpus.labels.names
    assert [names[n] for n in np.flatnonzero(corpus.common)] == [("tag", "python")]
    scores = corpus.scores(0)
    assert pair_score(corpus, 0, 2) > 0
    assert scores[2] == 0.0
    assert scores[1] == pytest.approx(pair_score(corpus, 0, 1))
    assert scores[1] > boost(corpus, ("tag", "python"))


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
    alone = make_post("Axolotls", "Quokkas and axolotls.")
    related.recompute_all()
    # As in a request, which has read them: posts' addresses need the zone.
    app.extensions["settings"].all()
    statements = []
    monkeypatch.setattr(db.database.obj, "query_hooks", [statements.append])
    found = related.for_post(posts[0], count=5)
    shown = [(item.post.title, item.post.url, item.post.date) for item in found]
    assert len(statements) == 1
    assert len(shown) == 5
    assert all(title.startswith("WAL ") for title, _, _ in shown)
    assert related.for_post(posts[0], count=0) == []
    assert len(related.for_post(posts[0], count=20)) == 7
    # An empty list costs a second query, to tell it from one never computed.
    statements.clear()
    assert related.for_post(alone) == []
    assert len(statements) == 2


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
    incremental, after_ids, counts = stored_lists(), row_ids(), stored_counts()
    related.recompute_all()
    full = stored_lists()
    assert counts == stored_counts()
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


# Stored term counts


def counting(monkeypatch) -> list:
    """The titles of the posts term_counts() counts from now on."""
    titles = []
    count = similarity.term_counts

    def spy(title, text):
        titles.append(title)
        return count(title, text)

    monkeypatch.setattr(similarity, "term_counts", spy)
    return titles


def test_stored_counts_are_those_of_the_public_posts(site):
    public = {post.id for post in Post.published()}
    assert stored_counts().keys() == public
    post = Post.get(Post.slug == "sqlite-wal-mode-is-enough")
    _, terms, counts = stored_counts()[post.id]
    assert len(terms) == 2 * len(counts) > 0
    Post.update(status=PostStatus.UNPUBLISHED).where(Post.id == post.id).execute()
    scheduled = make_post("Later", WAL, date=utcnow() + datetime.timedelta(days=1))
    related.update([post.id, scheduled.id])
    assert stored_counts().keys() == public - {post.id}


def test_update_counts_only_the_changed_post(site, monkeypatch):
    new = make_post("Checkpoints again", WAL_AGAIN, tags=["sqlite"])
    titles = counting(monkeypatch)
    incremental, full, _ = check_update(new.id)
    assert titles == ["Checkpoints again"]
    assert holding(incremental, new.id) == holding(full, new.id) != set()


def test_a_full_recompute_counts_again_only_the_posts_whose_text_changed(
    site, monkeypatch
):
    post = Post.get(Post.slug == "sqlite-wal-mode-is-enough")
    titles = counting(monkeypatch)
    related.recompute_all()
    assert titles == []
    Post.update(body_text=GARDEN).where(Post.id == post.id).execute()
    related.recompute_all()
    assert titles == [post.title]
    reusing = stored_lists()
    RelatedCounts.delete().execute()
    related.recompute_all()
    assert len(titles) == 1 + Post.published().count()
    assert stored_lists() == reusing


def test_update_notices_posts_made_public_or_hidden_without_it(site):
    """A post published, and one taken down, with nobody calling update()."""
    arrived = make_post("WAL checkpoints", WAL + " " + WAL_AGAIN, tags=["sqlite"])
    hidden = Post.get(Post.slug == "sqlite-wal-mode-is-enough")
    assert holding(stored_lists(), hidden.id)
    Post.update(status=PostStatus.DRAFT).where(Post.id == hidden.id).execute()
    untouched = make_post("Tomatoes", GARDEN)
    incremental, full, _ = check_update(untouched.id)
    assert holding(incremental, arrived.id) == holding(full, arrived.id) != set()
    assert incremental[arrived.id] == full[arrived.id]
    assert holding(incremental, hidden.id) == set()
    assert hidden.id not in stored_counts()


def test_a_post_made_public_by_its_date_gets_its_list_when_first_shown(site, client):
    post = make_post(
        "WAL checkpoints in SQLite",
        WAL + " " + WAL_AGAIN,
        tags=["sqlite"],
        date=utcnow() + datetime.timedelta(seconds=1),
    )
    publishing.refresh([post.id])  # as saving it in the editor does
    assert post.id not in stored_lists()
    assert post.id not in stored_counts()
    time.sleep(1.2)
    html = client.get(post.url).get_data(as_text=True)
    section = re.search(r'<section class="related".*?</section>', html, re.S)
    assert section, "no related section"
    lists = stored_lists()
    assert len(lists[post.id]) == related.STORED
    assert post.url not in section.group(0)
    for item in lists[post.id][:5]:
        assert Post.get_by_id(item[0]).url in section.group(0)
    entered = holding(lists, post.id)
    assert entered
    related.recompute_all()
    full = stored_lists()
    for owner in {post.id} | entered | holding(full, post.id):
        assert lists.get(owner) == full.get(owner), owner
