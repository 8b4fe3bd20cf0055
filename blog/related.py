"""Related posts: the lists of similar posts, precomputed and kept up to date.

blog/similarity.py scores posts; this module stores the results. Only
published posts dated in the past take part. RelatedPost holds the STORED best
neighbours of each post; for_post() reads the start of one with one query,
skipping posts no longer public. RelatedCounts holds the term counts of every
post that took part in the last scoring, so scoring reads no post's text:
recompute_all() counts again only posts whose text changed (by fingerprint),
and update() only the posts it is given and posts that became public, or
stopped being, without it being told.

update(post_ids) weighs every post afresh from the stored counts (the term
statistics of the moment, never stale ones), so each list it writes is the one
recompute_all() would write; but it writes only the lists a changed post leaves
or enters: its own, those holding it now, and those of its candidates whose
lowest stored score it reaches (less ENTRY_MARGIN, as stored scores may be
older). The approximation: every other list keeps the scores of its last
computation, made with the IDF of that time. One post more among N moves them
by O(1/N), so they drift slowly (on 400 synthetic posts, 98% of the shown
entries still matched a full recompute after 20 updates) until the next
recompute_all(). A post made public by its date passing, not by a change, is
counted and enters lists at the next update(), or when for_post() is first
asked for its list, whichever comes first; pages of other posts rendered
between its date and then show it from their next rendering. A post deleted
outright leaves holes in the lists that held it, filled when update() is given
its id.
"""

import sys
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from peewee import chunked, fn

from . import similarity
from .db import database, serialise, write_transaction
from .models import Post, utcnow
from .prepared import Prepared
from .similarity import Corpus, Counts, Labels
from .term_models import (
    Category,
    PostCategory,
    PostTag,
    RelatedCounts,
    RelatedPost,
    RelatedTerm,
    Tag,
)

STORED = 10
ENTRY_MARGIN = 0.1
INSERT_BATCH = 500


@dataclass(frozen=True)
class Related:
    """One entry of a related list, as the post template shows it."""

    post: Post  # read as a record: its columns, url and is_public
    reason: str
    score: float


def explain(shared_labels: Iterable, common_terms: list[str]) -> str:
    """Why a post is listed under another: shared tags and categories, then
    the strongest terms they have in common."""
    shared, parts = sorted(shared_labels), []
    for kind, heading in (("tag", "shared tags"), ("category", "same category")):
        names = [name for k, name in shared if k == kind][: similarity.REASON_ITEMS]
        if names:
            parts.append(f"{heading}: {', '.join(names)}")
    if common_terms:
        parts.append(f"common terms: {', '.join(common_terms)}")
    return " · ".join(parts)[: RelatedPost.reason.max_length]


@dataclass
class Public:
    """The posts a reader may see now, their stored counts and what to store."""

    ids: list[int]  # oldest first
    packed: dict  # post id: (terms, counts) bytes, as stored or counted now
    fresh: dict  # post id: (fingerprint, terms, counts) counted now
    gone: set  # posts with stored counts that take no part now

    def corpus(self) -> Corpus:
        counted = Counts.join([self.packed[post_id] for post_id in self.ids])
        return Corpus(self.ids, counted, _labels(self.ids))


def _public(recount) -> Public:
    """Public posts with their stored counts, the posts in recount counted anew.

    recount: post ids, or None to count again every post whose text changed.
    """
    query = Post.published().select(Post.id).order_by(Post.date, Post.id)
    ids = [post_id for (post_id,) in _raw(query)]
    query = RelatedCounts.select(
        RelatedCounts.post,
        RelatedCounts.fingerprint,
        RelatedCounts.terms,
        RelatedCounts.counts,
    )
    stored = {row[0]: row[1:] for row in _raw(query)}
    if recount is None:
        marks = {post_id: mark for post_id, (mark, _, _) in stored.items()}
        fresh = _count(ids, marks)
    else:
        fresh = _count((set(recount) | (set(ids) - stored.keys())) & set(ids))
    packed = {post_id: (t, c) for post_id, (_, t, c) in (stored | fresh).items()}
    return Public(ids, packed, fresh, stored.keys() - set(ids))


def _raw(query) -> list[tuple]:
    """The rows of query as the driver returns them, unconverted: many times faster."""
    return database.execute(query).fetchall()


def _count(post_ids, stored: Mapping | None = None) -> dict:
    """{post id: (fingerprint, terms, counts)} of these posts, counted now.

    With stored fingerprints, only the posts whose text differs are counted.
    """
    body = fn.SUBSTR(Post.body_text, 1, similarity.MAX_BODY_CHARS)
    counted = {}
    for batch in chunked(sorted(post_ids), INSERT_BATCH):
        query = Post.select(Post.id, Post.title, body).where(Post.id.in_(batch))
        for post_id, title, text in _raw(query):
            mark = similarity.fingerprint(title, text)
            if stored is None or stored.get(post_id) != mark:
                counts = similarity.term_counts(title, text)
                # Interned, all posts holding a term share one string.
                terms = tuple(map(sys.intern, counts))
                counted[post_id] = (mark, terms, array("i", counts.values()))
    numbers = _term_ids({term for _, terms, _ in counted.values() for term in terms})
    packed = {}
    for post_id, (mark, terms, ns) in counted.items():
        ids = [numbers[term] for term in terms]
        packed[post_id] = (mark, *similarity.pack(dict(zip(ids, ns, strict=True))))
    return packed


def _term_ids(terms: set[str]) -> dict[str, int]:
    """The ids of these terms, numbering the new ones."""
    found: dict = {}
    for batch in chunked(sorted(terms), INSERT_BATCH):
        query = RelatedTerm.select(RelatedTerm.term, RelatedTerm.id)
        found.update(_raw(query.where(RelatedTerm.term.in_(batch))))
    new = sorted(terms - found.keys())
    if not new:
        return found
    with write_transaction():
        for batch in chunked(new, INSERT_BATCH):
            rows = [(term,) for term in batch]
            insert = RelatedTerm.insert_many(rows, [RelatedTerm.term])
            insert.on_conflict_ignore().execute()
    for batch in chunked(new, INSERT_BATCH):
        query = RelatedTerm.select(RelatedTerm.term, RelatedTerm.id)
        found.update(_raw(query.where(RelatedTerm.term.in_(batch))))
    return found


def _labels(post_ids: list[int]) -> Labels:
    """The tags and categories of these posts, numbered in the order given."""
    names: list = []
    links = []
    for kind, label, link, field in (
        ("tag", Tag, PostTag, PostTag.tag),
        ("category", Category, PostCategory, PostCategory.category),
    ):
        found = _raw(label.select(label.id, label.name).order_by(label.id))
        pairs = np.array(_raw(link.select(link.post, field)), np.int64).reshape(-1, 2)
        ids = np.array([label_id for label_id, _ in found], np.int64)
        pairs[:, 1] = len(names) + np.searchsorted(ids, pairs[:, 1])
        names += [(kind, name) for _, name in found]
        links.append(pairs)
    posts, numbers = np.concatenate(links).T
    rows = _numbers(post_ids, posts)
    return Labels(names, rows[rows >= 0], numbers[rows >= 0])


def _numbers(post_ids: list[int], found: np.ndarray) -> np.ndarray:
    """The numbers of the posts found among post_ids (numbered in order), or -1."""
    number = np.full(max([0, *post_ids, *found.tolist()]) + 1, -1)
    number[post_ids] = np.arange(len(post_ids))
    return number[found]


def recompute_all() -> None:
    """Recompute every related list."""
    public = _public(None)
    _write(public.corpus(), public)


def update(post_ids) -> None:
    """Recompute the related lists these posts enter or leave."""
    changed = set(post_ids)
    if not changed:
        return
    public = _public(changed)
    corpus = public.corpus()
    # Posts that became public, or stopped being, with nobody telling us.
    moved = changed | public.fresh.keys() | public.gone
    if len(moved) * 4 >= len(corpus.ids):
        # Most lists would change anyway: rewriting them all is simpler and as fast.
        _write(corpus, public)
        return
    affected = moved | _listing(moved) | _holed(changed)
    lowest = _lowest_stored(corpus)
    for post_id in moved & corpus.position.keys():
        affected |= _entered(corpus, post_id, lowest)
    _write(corpus, public, sorted(affected))


def _entered(corpus: Corpus, post_id: int, lowest: np.ndarray) -> set[int]:
    """Posts whose list this post may now enter.

    lowest: by post number, the lowest score of its stored list if full, or 0.
    """
    scores = corpus.scores(corpus.position[post_id])
    reached = (scores > 0) & (scores >= lowest * (1 - ENTRY_MARGIN))
    return set(corpus.ids[reached].tolist())


def _lowest_stored(corpus: Corpus) -> np.ndarray:
    """By post number, the lowest score of its stored list if full, else 0."""
    query = RelatedPost.select(RelatedPost.post, RelatedPost.score)
    full = np.array(_raw(query.where(RelatedPost.rank == STORED))).reshape(-1, 2)
    rows = _numbers(corpus.ids.tolist(), full[:, 0].astype(np.int64))
    lowest = np.zeros(len(corpus.ids))
    lowest[rows[rows >= 0]] = full[rows >= 0, 1]
    return lowest


def _holed(changed: set) -> set[int]:
    """Lists with holes, if some of these posts were deleted outright."""
    # Their rows in lists cascaded away. Looked for only then: it reads every row.
    query = Post.select(Post.id).where(Post.id.in_(list(changed)))
    if len(_raw(query)) == len(changed):
        return set()
    query = (
        RelatedPost.select(RelatedPost.post)
        .group_by(RelatedPost.post)
        .having(fn.MAX(RelatedPost.rank) > fn.COUNT(RelatedPost.id))
    )
    return {post_id for (post_id,) in _raw(query)}


def _listing(post_ids: set) -> set[int]:
    """Posts whose stored lists hold any of these posts."""
    query = RelatedPost.select(RelatedPost.post).where(
        RelatedPost.related.in_(list(post_ids))
    )
    return {post_id for (post_id,) in _raw(query.distinct())}


def _rows(corpus: Corpus, post_ids: list[int]) -> list[tuple]:
    """The rows of fresh related lists of these posts."""
    lists = [
        (post_id, corpus.neighbours(post_id, STORED))
        for post_id in post_ids
        if post_id in corpus.position
    ]
    terms = {t for _, found in lists for *_, common in found for t in common}
    words: dict = {}
    for batch in chunked(sorted(terms), INSERT_BATCH):
        query = RelatedTerm.select(RelatedTerm.id, RelatedTerm.term)
        words.update(_raw(query.where(RelatedTerm.id.in_(batch))))
    return [
        (post_id, rank, related, score, explain(labels, [words[t] for t in common]))
        for post_id, found in lists
        for rank, (related, score, labels, common) in enumerate(found, start=1)
    ]


def _write(corpus: Corpus, public: Public, post_ids: list[int] | None = None):
    """Store the counts made now, and fresh lists of post_ids (None: of all)."""
    everything = post_ids is None
    post_ids = corpus.ids.tolist() if everything else post_ids
    # Scored before the write lock is taken, so nobody waits on the scoring.
    rows = _rows(corpus, post_ids)
    counts = [(post_id, *row) for post_id, row in public.fresh.items()]
    fields = [RelatedPost.post, RelatedPost.rank, RelatedPost.related]
    fields += [RelatedPost.score, RelatedPost.reason]
    columns = [RelatedCounts.post, RelatedCounts.fingerprint]
    columns += [RelatedCounts.terms, RelatedCounts.counts]
    with write_transaction():
        # One writer of the lists at a time on PostgreSQL too: two first readers
        # of a newly public post each write its list, and the second's rows
        # would collide with the first's uncommitted ones (a 500).
        serialise("related posts")
        if everything:
            RelatedPost.delete().execute()
        for batch in chunked([] if everything else post_ids, INSERT_BATCH):
            RelatedPost.delete().where(RelatedPost.post.in_(batch)).execute()
        _insert(fields, rows)
        for batch in chunked(sorted(public.gone | public.fresh.keys()), INSERT_BATCH):
            RelatedCounts.delete().where(RelatedCounts.post.in_(batch)).execute()
        _insert(columns, counts)


def _insert(fields: list, rows: list[tuple]):
    """insert_many() of rows of these fields' values.

    The SQL of a batch is built once: peewee building it value by value took
    half the time of a full recompute.
    """
    statements: dict = {}
    for batch in chunked(rows, INSERT_BATCH):
        if len(batch) not in statements:
            insert = fields[0].model.insert_many(batch, fields)
            statements[len(batch)] = insert.sql()[0]
        database.execute_sql(statements[len(batch)], [v for row in batch for v in row])


def for_post(post: Post, count: int = 5) -> list[Related]:
    """The first count related posts of post that are public now.

    One query; a second when there are none, as a post made public by its date
    passing has no list yet: it is then counted and enters lists here.
    """
    found = _listed(post, count)
    if found or count <= 0 or not _unseen(post):
        return found
    # No invalidate_pages(): pages cached before the post's date expired then
    # (see cacheable()), and a bump would drop the page being made for all.
    update([post.id])
    return _listed(post, count)


def _unseen(post: Post) -> bool:
    """Whether post is public but took part in no scoring yet."""
    if post.kind != "post" or not post.is_public:
        return False
    return not RelatedCounts.select().where(RelatedCounts.post == post.id).exists()


def _listed(post: Post, count: int) -> list[Related]:
    rows = _LISTED.records(Post, utcnow(), post.id, count)
    return [Related(row, row.related_reason, row.related_score) for row in rows]


_LISTED = Prepared(
    lambda now, post_id, count: (
        Post.published(now)
        .select(
            *Post.listing_fields(),
            RelatedPost.score.alias("related_score"),
            RelatedPost.reason.alias("related_reason"),
        )
        .join(RelatedPost, on=(RelatedPost.related == Post.id))
        .where(RelatedPost.post == post_id)
        .order_by(RelatedPost.rank)
        .limit(count)
    )
)
