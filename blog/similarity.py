"""Similarity of posts: TF-IDF vectors of their words, plus shared labels.

A post's terms are the lowercased Unicode words of its title and body (three
to MAX_TERM_CHARS characters, no stop words or numbers; title words count
TITLE_WEIGHT times; the body read up to MAX_BODY_CHARS), weighted by sublinear
TF-IDF, cut to the VECTOR_TERMS heaviest (of equal weights, the term numbered
first) and scaled to unit length. Two posts score the cosine of their vectors
plus a boost per shared tag or category, larger for rarer labels; equal scores
go to the newer post. So a post without tags finds neighbours by its words, and
a shared tag lifts a neighbour above one that only reads alike. Candidates come
from an inverted index, never from all pairs: only posts that share a term or
label held by at most common_cut() posts are scored. Commoner terms are dropped
like stop words (so are terms no other post has); commoner labels still add
their boost, but only to pairs found otherwise.

Terms are numbered (blog/related.py keeps the numbers in RelatedTerm), and a
post's counts are two packed arrays, so weighing every post afresh is a few
numpy passes over all the counts, never a reading of their text.
"""

import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

# The index sums some 30 million weight products for 10,000 posts: numpy takes
# two seconds, pure Python took more than the 30 a full recompute may take.
import numpy as np

from .term_models import RelatedTerm

TITLE_WEIGHT = 3
MAX_BODY_CHARS = 20_000
# The longest term RelatedTerm holds; longer words are no terms.
MAX_TERM_CHARS = RelatedTerm.term.max_length
VECTOR_TERMS = 40
COMMON_SHARE = 0.05
MIN_COMMON = 50
LABEL_BOOST = {"tag": 0.2, "category": 0.08}
REASON_ITEMS = 3
# Counts stay below 2**16: a body read up to MAX_BODY_CHARS has fewer words.
TERM, COUNT = np.dtype("<i4"), np.dtype("<u2")

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
# Stored counts made under other rules than these are counted again.
RULES = repr(
    (WORD.pattern, sorted(STOP_WORDS), TITLE_WEIGHT, MAX_BODY_CHARS, MAX_TERM_CHARS)
)


@dataclass(frozen=True)
class Counts:
    """Term counts of many posts: each post's term ids ascending, then the next's."""

    lengths: np.ndarray  # how many terms each post has
    terms: np.ndarray
    counts: np.ndarray

    @classmethod
    def join(cls, packed: list) -> "Counts":
        """Counts of posts from their pack()ed (terms, counts) bytes, in order."""
        terms = np.frombuffer(b"".join([t for t, _ in packed]), TERM)
        lengths = np.fromiter((len(t) for t, _ in packed), np.int64, len(packed))
        counts = np.frombuffer(b"".join([c for _, c in packed]), COUNT)
        # As indexes, numpy takes 64-bit integers many times faster.
        return cls(lengths // TERM.itemsize, terms.astype(np.intp), counts)


def tokenise(text: str) -> list[str]:
    """The words of text that can tell posts apart, lowercased, in order."""
    return [
        word
        for word in WORD.findall(text.lower())
        if word not in STOP_WORDS and len(word) <= MAX_TERM_CHARS
    ]


def term_counts(title: str, text: str) -> Counter:
    """Term frequencies of a post; title words count TITLE_WEIGHT times."""
    # tokenise() with the per-word work done in C: most of a count's time.
    counts = Counter(WORD.findall(text[:MAX_BODY_CHARS].lower()))
    for word in STOP_WORDS.intersection(counts):
        del counts[word]
    if counts and max(map(len, counts)) > MAX_TERM_CHARS:
        for word in [word for word in counts if len(word) > MAX_TERM_CHARS]:
            del counts[word]
    for term in tokenise(title):
        counts[term] += TITLE_WEIGHT
    return counts


def fingerprint(title: str, text: str) -> str:
    """Names what term_counts() reads of a post, and the rules it reads it by."""
    digest = hashlib.blake2b(RULES.encode(), digest_size=16)
    for part in (f"{len(title)}:{title}", text[:MAX_BODY_CHARS]):
        digest.update(part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def pack(counts: Mapping[int, int]) -> tuple[bytes, bytes]:
    """A post's {term id: count} as stored: ids ascending, and their counts."""
    terms = sorted(counts)
    packed = np.array(terms, TERM).tobytes()
    return packed, np.array([counts[t] for t in terms], COUNT).tobytes()


def common_cut(posts: int) -> int:
    """The most posts a term or label may have and still suggest candidates."""
    return max(MIN_COMMON, int(COMMON_SHARE * posts))


def idf(holders, posts: int):
    return np.log((1 + posts) / (1 + holders)) + 1


def linking_idf(df: np.ndarray, posts: int) -> np.ndarray:
    """IDF by term id, of the terms that can link posts: in two or more, and
    not too common. 0 for the others."""
    linking = (df >= 2) & (df <= common_cut(posts))
    return np.where(linking, idf(df, posts), 0.0)


def vectors(counted: Counts, posts: int) -> tuple[np.ndarray, ...]:
    """Each post's VECTOR_TERMS heaviest TF-IDF weights, scaled to unit length.

    Returns (post number, term id, weight) arrays, by post, heaviest first.
    """
    # take() with positions: boolean masks over millions of terms are slower.
    idfs = linking_idf(np.bincount(counted.terms), posts)
    kept = np.flatnonzero(idfs.take(counted.terms) > 0)
    ends = np.searchsorted(kept, np.cumsum(counted.lengths))
    per_post = np.diff(ends, prepend=0)
    rows = np.repeat(np.arange(len(per_post)), per_post)
    terms = counted.terms.take(kept)
    counts = counted.counts.take(kept)
    weights = (1 + np.log(counts, dtype=np.float64)) * idfs.take(terms)
    if not weights.size:
        return rows, terms, weights
    # One sort orders by post, then by weight: the weight, scaled into (0, 0.5],
    # is taken from the post number. It is stable, so equal weights keep term
    # order. (Weights within about posts * 1e-15 of the largest may count as
    # equal: rounding, where the post number is large.)
    order = np.argsort(rows - weights / (2 * weights.max()), kind="stable")
    terms, weights = terms.take(order), weights.take(order)
    firsts = np.repeat(np.cumsum(per_post) - per_post, per_post)
    top = np.arange(len(rows)) - firsts < VECTOR_TERMS
    rows, terms, weights = rows[top], terms[top], weights[top]
    norms = np.sqrt(np.bincount(rows, weights=weights * weights))
    return rows, terms, weights / norms[rows]


def spans(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions start to start + length - 1 of every span, one after another."""
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(lengths.sum())


@dataclass(frozen=True)
class Labels:
    """Tags and categories, numbered, and which post has which."""

    names: list[tuple[str, str]]  # by number: ("tag"|"category", name)
    rows: np.ndarray  # per link of a post to a label: the post's number
    numbers: np.ndarray  # and the label's


class Corpus:
    """Vectors and labels of the public posts, with an inverted index over them.

    Each term or uncommon label is a column; a post's row holds its columns and
    their weights. Scoring post i multiplies its row into the postings of its
    columns, so only posts sharing a column with it are ever touched.
    """

    def __init__(self, ids, counted: Counts, labels: Labels):
        """ids: the posts, oldest first (by date, then id), numbered in that order."""
        posts = len(ids)
        self.ids = np.array(ids, np.int64)
        self.position = {post_id: i for i, post_id in enumerate(ids)}
        self.labels = labels
        holders = np.bincount(labels.numbers, minlength=len(labels.names))
        kinds = np.array([LABEL_BOOST[kind] for kind, _ in labels.names])
        # Rarer labels say more.
        self.boosts = kinds * idf(holders, posts) / idf(1, posts)
        self.common = holders > common_cut(posts)
        order = np.lexsort((labels.numbers, labels.rows))
        self.label_start = np.searchsorted(labels.rows[order], np.arange(posts + 1))
        self.label_numbers = labels.numbers[order]
        self._members: dict = {}
        self._label_sets: dict = {}
        rows, terms, weights = vectors(counted, posts)
        self.vector_start = np.searchsorted(rows, np.arange(posts + 1))
        self.vector_terms, self.vector_weights = terms, weights
        self._weights = np.zeros(int(terms.max(initial=-1)) + 1)
        self._index(rows, terms, weights)

    def _index(self, rows, terms, weights):
        first = int(terms.max()) + 1 if terms.size else 0
        uncommon = ~self.common[self.labels.numbers]
        numbers = self.labels.numbers[uncommon]
        row = np.concatenate((rows, self.labels.rows[uncommon]))
        column = np.concatenate((terms, first + numbers))
        query = np.concatenate((weights, self.boosts[numbers]))
        posting = np.concatenate((weights, np.ones(len(numbers))))
        by_row = np.argsort(row, kind="stable")
        self.row_start = np.searchsorted(row[by_row], np.arange(len(self.ids) + 1))
        self.columns, self.queries = column[by_row], query[by_row]
        by_column = np.argsort(column, kind="stable")
        self.holder, self.weight = row[by_column], posting[by_column]
        ends = np.arange(first + len(self.labels.names) + 1)
        self.start = np.searchsorted(column[by_column], ends)

    def label_numbers_of(self, i: int) -> np.ndarray:
        return self.label_numbers[self.label_start[i] : self.label_start[i + 1]]

    def members(self, label: int) -> np.ndarray:
        """Which posts have this label, by post number."""
        if label not in self._members:
            found = np.zeros(len(self.ids), bool)
            found[self.labels.rows[self.labels.numbers == label]] = True
            self._members[label] = found
        return self._members[label]

    def scores(self, i: int) -> np.ndarray:
        """Scores of every post against post number i; 0 for non-candidates."""
        part = slice(self.row_start[i], self.row_start[i + 1])
        columns, query = self.columns[part], self.queries[part]
        starts = self.start[columns]
        lengths = self.start[columns + 1] - starts
        positions = spans(starts, lengths)
        scores = np.bincount(
            self.holder[positions],
            weights=self.weight[positions] * np.repeat(query, lengths),
            minlength=len(self.ids),
        ).astype(np.float64)  # bincount of nothing counts in integers
        scores[i] = 0.0
        candidates = scores > 0
        numbers = self.label_numbers_of(i)
        for label in numbers[self.common[numbers]].tolist():
            scores += self.boosts[label] * (candidates & self.members(label))
        return scores

    def vector(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Post number i's term ids and their weights, heaviest first."""
        part = slice(self.vector_start[i], self.vector_start[i + 1])
        return self.vector_terms[part], self.vector_weights[part]

    def shared_labels(self, i: int, j: int) -> set[int]:
        """Numbers of the labels posts number i and j both have."""
        for k in (i, j):
            if k not in self._label_sets:
                self._label_sets[k] = set(self.label_numbers_of(k).tolist())
        return self._label_sets[i] & self._label_sets[j]

    def common_terms(self, i: int, others: np.ndarray) -> list[list[int]]:
        """For each post number in others, the ids of the terms that add most to
        its cosine with post number i."""
        terms, weights = self.vector(i)
        self._weights[terms] = weights  # i's vector, spread out by term id
        starts = self.vector_start[others]
        lengths = self.vector_start[others + 1] - starts
        positions = spans(starts, lengths)
        shared = self.vector_terms[positions]
        products = self.vector_weights[positions] * self._weights[shared]
        self._weights[terms] = 0.0
        other = np.repeat(np.arange(len(others)), lengths)
        order = np.lexsort((-shared, -products, other))
        other, shared, products = other[order], shared[order], products[order]
        ranks = np.arange(len(other)) - np.searchsorted(other, other)
        top = (ranks < REASON_ITEMS) & (products > 0)
        found: list[list[int]] = [[] for _ in others]
        for k, term in zip(other[top].tolist(), shared[top].tolist(), strict=True):
            found[k].append(term)
        return found

    def neighbours(self, post_id: int, count: int) -> list[tuple]:
        """The count best neighbours of a post, best first.

        Each is (id, score, shared labels, ids of the strongest common terms).
        """
        i = self.position[post_id]
        scores = self.scores(i)
        found = np.flatnonzero(scores > 0)
        if 0 < count < len(found):
            # Only the count best and any tied with the last need sorting.
            cut = np.partition(scores[found], len(found) - count)[len(found) - count]
            found = found[scores[found] >= cut]
        # Rows go from oldest to newest: of equal scores, the higher row first.
        best = found[np.lexsort((-found, -scores[found]))[:count]]
        names = self.labels.names
        return [
            (post, score, [names[n] for n in self.shared_labels(i, j)], common)
            for j, post, score, common in zip(
                best.tolist(),
                self.ids[best].tolist(),
                scores[best].tolist(),
                self.common_terms(i, best),
                strict=True,
            )
        ]
