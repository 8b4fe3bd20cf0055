"""Related posts: TF-IDF neighbours by words, tags and categories, precomputed.

Scoring. A post's terms are the lowercased Unicode words of its title and body
(three characters or more, no stop words or numbers; title words count
TITLE_WEIGHT times; the body read up to MAX_BODY_CHARS), weighted by sublinear
TF-IDF, cut to the VECTOR_TERMS heaviest and scaled to unit length. Two posts
score the cosine of their vectors plus a boost per shared tag or category,
larger for rarer labels; equal scores go to the newer post. So a post without
tags finds neighbours by its words, and a shared tag lifts a neighbour above
one that only reads alike. Only published posts dated in the past take part.
Candidates come from an inverted index, never from all pairs: only posts that
share a term or label held by at most common_cut() posts are scored. Commoner
terms are dropped like stop words (so are terms no other post has); commoner
labels still add their boost, but only to pairs found otherwise.

recompute_all() rewrites every list (the STORED best per post) in RelatedPost;
for_post() reads the start of one with one query, skipping posts no longer public.

update(post_ids) rebuilds the term statistics (no term table is stored: half
the CPU of a recompute), so each list it writes is the one recompute_all() would
write; but it writes only the lists a changed post leaves or enters: its own,
those holding it now, and those of its candidates whose lowest stored score it
reaches (less ENTRY_MARGIN, as stored scores may be older). The approximation:
every other list keeps the scores of its last computation, made with the IDF of
that time. One post more among N moves them by O(1/N), so they drift slowly (on
400 synthetic posts, 98% of the shown entries still matched a full recompute
after 20 updates) until the next recompute_all(). A post made public by its date
passing, not by a change, enters lists at the next update() or recompute_all().
"""

import datetime
import math
import re
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

# The index sums some 30 million weight products for 10,000 posts: numpy takes
# two seconds, pure Python took more than the 30 a full recompute may take.
import numpy as np
from peewee import chunked, fn

from .db import write_transaction
from .models import Category, Post, PostCategory, PostTag, RelatedPost, Tag

STORED = 10
TITLE_WEIGHT = 3
MAX_BODY_CHARS = 20_000
VECTOR_TERMS = 40
COMMON_SHARE = 0.05
MIN_COMMON = 50
LABEL_BOOST = {"tag": 0.2, "category": 0.08}
ENTRY_MARGIN = 0.1
REASON_ITEMS = 3
INSERT_BATCH = 500

# A word: a letter (or underscore) then two or more word characters.
WORD = re.compile(r"[^\W\d]\w{2,}")
STOP_WORDS = frozenset(
    """
    about above after again against all also among and any are aren because been before
    being below between both but can cannot could couldn did didn does doesn doing don
    down during each even ever every few for from further get gets got had hadn has hasn
    have haven having her here hers herself him himself his how however into isn its
    itself just let like made make makes many may might more most much must mustn myself
    need needs nor not now off once one only other ought our ours ourselves out over own
    per put quite rather really same say says see seen shall shan she should shouldn
    since some still such than that the their theirs them themselves then there these
    they thing things this those though through too under until upon use used uses using
    very via was wasn way well were weren what when where whether which while who whom
    whose why will with within without won would wouldn yet you your yours yourself
    yourselves etc less lot lots onto yes
    """.split()
)


@dataclass(frozen=True)
class Document:
    """What scoring reads of a post."""

    id: int
    date: datetime.datetime
    title: str
    text: str
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    """A post as scoring sees it: term weights and ("tag"|"category", name) labels."""

    id: int
    date: datetime.datetime
    vector: dict
    labels: frozenset


@dataclass(frozen=True)
class Related:
    """One entry of a related list, as the post template shows it."""

    post: Post
    reason: str
    score: float


def tokenise(text: str) -> list[str]:
    """The words of text that can tell posts apart, lowercased, in order."""
    return [word for word in WORD.findall(text.lower()) if word not in STOP_WORDS]


def term_counts(title: str, text: str) -> Counter:
    """Term frequencies of a post; title words count TITLE_WEIGHT times."""
    # tokenise() with the per-word work done in C: most of a recompute's time.
    counts = Counter(WORD.findall(text[:MAX_BODY_CHARS].lower()))
    for word in STOP_WORDS.intersection(counts):
        del counts[word]
    for term in tokenise(title):
        counts[term] += TITLE_WEIGHT
    return counts


def common_cut(posts: int) -> int:
    """The most posts a term or label may have and still suggest candidates."""
    return max(MIN_COMMON, int(COMMON_SHARE * posts))


def idf(holders: int, posts: int) -> float:
    return math.log((1 + posts) / (1 + holders)) + 1


def inverse_document_frequencies(df: Mapping, posts: int) -> dict:
    """IDF of the terms that can link posts: in two or more, and not too common."""
    cut = common_cut(posts)
    return {term: idf(n, posts) for term, n in df.items() if 2 <= n <= cut}


def vectorise(counts: Mapping, idfs: Mapping) -> dict:
    """The VECTOR_TERMS heaviest TF-IDF weights of counts, scaled to unit length."""
    weights = [
        ((1 + math.log(counts[term])) * idfs[term], term)
        for term in idfs.keys() & counts.keys()
    ]
    top = sorted(weights, reverse=True)[:VECTOR_TERMS]
    norm = math.sqrt(sum(weight * weight for weight, _ in top))
    return {term: weight / norm for weight, term in top}


def score_pair(a: Profile, b: Profile, boosts: Mapping) -> float:
    """Cosine of the term vectors plus the boosts of the shared labels."""
    cosine = sum(w * b.vector[term] for term, w in a.vector.items() if term in b.vector)
    return cosine + sum(boosts[label] for label in a.labels & b.labels)


def explain(a: Profile, b: Profile) -> str:
    """Why b is listed under a: shared tags and categories, strongest common terms."""
    shared, parts = sorted(a.labels & b.labels), []
    for kind, heading in (("tag", "shared tags"), ("category", "same category")):
        names = [name for k, name in shared if k == kind][:REASON_ITEMS]
        if names:
            parts.append(f"{heading}: {', '.join(names)}")
    common = [(a.vector[t] * b.vector[t], t) for t in a.vector.keys() & b.vector.keys()]
    if common:
        common.sort(reverse=True)
        terms = ", ".join(term for _, term in common[:REASON_ITEMS])
        parts.append(f"common terms: {terms}")
    return " · ".join(parts)[: RelatedPost.reason.max_length]


def profiles(documents: Iterable[Document]) -> list[Profile]:
    """Profiles of documents, weighted by the term statistics of them all."""
    df: Counter = Counter()
    counted = []
    for doc in documents:
        counts = term_counts(doc.title, doc.text)
        # Interned, all posts holding a term share one string: 4 kB a post
        # where a Counter of its own strings would take 25 kB.
        terms = tuple(map(sys.intern, counts))
        df.update(terms)
        labels = [("tag", name) for name in doc.tags]
        labels += [("category", name) for name in doc.categories]
        frequencies = array("i", counts.values())
        counted.append((doc.id, doc.date, frozenset(labels), terms, frequencies))
    idfs = inverse_document_frequencies(df, len(counted))
    return [
        Profile(
            post_id, date, vectorise(dict(zip(terms, n, strict=True)), idfs), labels
        )
        for post_id, date, labels, terms, n in counted
    ]


class Corpus:
    """Profiles of the published posts, with an inverted index over them.

    Each term or uncommon label is a column; a post's row holds its columns and
    their weights. Scoring post i multiplies its row into the postings of its
    columns, so only posts sharing a column with it are ever touched.
    """

    def __init__(self, profiles: list[Profile]):
        self.profiles = profiles
        self.position = {p.id: i for i, p in enumerate(profiles)}
        holders = Counter(label for p in profiles for label in p.labels)
        posts, cut = len(profiles), common_cut(len(profiles))
        # Rarer labels say more.
        self.boosts = {
            label: LABEL_BOOST[label[0]] * idf(n, posts) / idf(1, posts)
            for label, n in holders.items()
        }
        self.common = {label for label, n in holders.items() if n > cut}
        self.members = {
            label: np.array([label in p.labels for p in profiles])
            for label in self.common
        }
        dates = np.array([p.date for p in profiles], "datetime64[us]")
        self.dates = dates.astype(np.int64)
        self.ids = np.array([p.id for p in profiles], np.int64)
        self._index()

    def _index(self):
        columns: dict = {}
        self.rows = []  # per post: its columns and their weights as the query
        postings = []  # per post: the weights of its columns in the postings
        for profile in self.profiles:
            cells = [(term, w, w) for term, w in profile.vector.items()]
            cells += [
                (label, self.boosts[label], 1.0)
                for label in sorted(profile.labels - self.common)
            ]
            cells = sorted(
                (columns.setdefault(k, len(columns)), q, p) for k, q, p in cells
            )
            cols, queries, posting = zip(*cells, strict=True) if cells else ((), (), ())
            self.rows.append((np.array(cols, np.int64), np.array(queries, np.float64)))
            postings.extend(posting)
        column = np.concatenate([np.zeros(0, np.int64)] + [r[0] for r in self.rows])
        order = np.argsort(column, kind="stable")
        lengths = [len(row[0]) for row in self.rows]
        self.holder = np.repeat(np.arange(len(self.profiles)), lengths)[order]
        self.weight = np.array(postings, np.float64)[order]
        per_column = np.bincount(column, minlength=len(columns))
        self.start = np.concatenate(([0], np.cumsum(per_column)))

    def scores(self, i: int) -> np.ndarray:
        """Scores of every post against post number i; 0 for non-candidates."""
        columns, query = self.rows[i]
        starts = self.start[columns]
        lengths = self.start[columns + 1] - starts
        offsets = np.cumsum(lengths) - lengths
        positions = np.repeat(starts - offsets, lengths) + np.arange(lengths.sum())
        scores = np.bincount(
            self.holder[positions],
            weights=self.weight[positions] * np.repeat(query, lengths),
            minlength=len(self.profiles),
        ).astype(np.float64)  # bincount of nothing counts in integers
        scores[i] = 0.0
        candidates = scores > 0
        for label in self.profiles[i].labels & self.common:
            scores += self.boosts[label] * (candidates & self.members[label])
        return scores

    def neighbours(self, post_id: int, count: int = STORED) -> list[tuple]:
        """The count best neighbours of a post, best first: (id, score, reason)."""
        i = self.position[post_id]
        scores = self.scores(i)
        found = np.flatnonzero(scores > 0)
        order = np.lexsort((-self.ids[found], -self.dates[found], -scores[found]))
        profile = self.profiles[i]
        return [
            (int(self.ids[j]), float(scores[j]), explain(profile, self.profiles[j]))
            for j in found[order[:count]]
        ]

    def entered(self, post_id: int, floors: Mapping) -> set[int]:
        """Posts whose list this post may now enter.

        floors: {post id: (entries stored, lowest stored score)}.
        """
        scores = self.scores(self.position[post_id])
        entered = set()
        for j in np.flatnonzero(scores > 0):
            stored, lowest = floors.get(int(self.ids[j]), (0, 0.0))
            if stored < STORED or scores[j] >= lowest * (1 - ENTRY_MARGIN):
                entered.add(int(self.ids[j]))
        return entered


def documents() -> Iterator[Document]:
    """Every post a reader may see now, with its tag and category names."""
    tags = _names(PostTag.select(PostTag.post, Tag.name).join(Tag))
    categories = _names(
        PostCategory.select(PostCategory.post, Category.name).join(Category)
    )
    query = (
        Post.published()
        .select(Post.id, Post.date, Post.title, Post.body_text)
        .order_by(Post.id)
        .tuples()
    )
    for row in query.iterator():
        yield Document(*row, tags.get(row[0], ()), categories.get(row[0], ()))


def _names(query) -> dict:
    found: dict = {}
    for post_id, name in query.tuples().iterator():
        found.setdefault(post_id, []).append(name)
    return {post_id: tuple(sorted(names)) for post_id, names in found.items()}


def recompute_all() -> None:
    """Recompute every related list."""
    _write(Corpus(profiles(documents())))


def update(post_ids) -> None:
    """Recompute the related lists these posts enter or leave."""
    changed = set(post_ids)
    if not changed:
        return
    corpus = Corpus(profiles(documents()))
    if len(changed) * 4 >= len(corpus.profiles):
        # Most lists would change anyway: rewriting them all is simpler and as fast.
        _write(corpus)
        return
    floors, holed = _stored_floors()
    affected = changed | holed | _listing(changed)
    for post_id in changed & corpus.position.keys():
        affected |= corpus.entered(post_id, floors)
    _write(corpus, sorted(affected))


def _stored_floors() -> tuple[dict, set]:
    """{post: (entries, lowest score)} of the stored lists, and those with holes."""
    # A hole is where a listed post was deleted and its row cascaded away.
    query = RelatedPost.select(
        RelatedPost.post,
        fn.COUNT(RelatedPost.id),
        fn.MIN(RelatedPost.score),
        fn.MAX(RelatedPost.rank),
    ).group_by(RelatedPost.post)
    floors, holed = {}, set()
    for post_id, stored, lowest, last in query.tuples():
        floors[post_id] = (stored, lowest)
        if last > stored:
            holed.add(post_id)
    return floors, holed


def _listing(post_ids: set) -> set[int]:
    """Posts whose stored lists hold any of these posts."""
    query = RelatedPost.select(RelatedPost.post).where(
        RelatedPost.related.in_(list(post_ids))
    )
    return {post_id for (post_id,) in query.distinct().tuples()}


def _write(corpus: Corpus, post_ids: list[int] | None = None):
    """Replace the stored lists of post_ids (of every post if None) with fresh ones."""
    everything = post_ids is None
    post_ids = [p.id for p in corpus.profiles] if everything else post_ids
    # Scored before the write lock is taken, so nobody waits on the scoring.
    rows = [
        (post_id, rank, *neighbour)
        for post_id in post_ids
        if post_id in corpus.position
        for rank, neighbour in enumerate(corpus.neighbours(post_id), start=1)
    ]
    fields = [RelatedPost.post, RelatedPost.rank, RelatedPost.related]
    fields += [RelatedPost.score, RelatedPost.reason]
    with write_transaction():
        if everything:
            RelatedPost.delete().execute()
        for batch in chunked([] if everything else post_ids, INSERT_BATCH):
            RelatedPost.delete().where(RelatedPost.post.in_(batch)).execute()
        for batch in chunked(rows, INSERT_BATCH):
            RelatedPost.insert_many(batch, fields).execute()


def for_post(post: Post, count: int = 5) -> list[Related]:
    """The first count related posts of post that are public now: one query."""
    query = (
        Post.published()
        .select(
            *Post.listing_fields(),
            RelatedPost.score.alias("related_score"),
            RelatedPost.reason.alias("related_reason"),
        )
        .join(RelatedPost, on=(RelatedPost.related == Post.id))
        .where(RelatedPost.post == post.id)
        .order_by(RelatedPost.rank)
        .limit(count)
        .objects()
    )
    return [Related(row, row.related_reason, row.related_score) for row in query]
