"""Full-text search over published posts: SQLite FTS5 or PostgreSQL tsvector.

One interface for both databases. index() and rebuild() keep a search table
(made by migrations/0002_search.py; 0028 on PostgreSQL) in step with the
posts; query() ranks the published posts matching a reader's words and cuts a
highlighted snippet.

A reader's query is web-search text on both databases: words are ANDed,
"quoted phrases" match in order, OR joins alternatives, -word excludes and
word* is a prefix. It is translated, never pasted, into
the database's query language (peewee's fts_parser for FTS5,
websearch_to_tsquery on PostgreSQL), so no input can make a syntax error.
There is no implicit prefix match: a prefix counts as much as a whole word in
bm25, so "wal" would rank a post titled "Walking" above one about WAL.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from markupsafe import Markup, escape
from peewee import chunked
from playhouse import fts_parser
from playhouse.sqlite_ext import FTS5Model, SearchField

from . import markup
from .db import database, is_sqlite, write_transaction
from .models import Post, PostStatus
from .pagination import Page, PageNotFound, counted_page
from .search_postgres import (
    CLOSE,
    LT,
    MARKERS,
    MAX_BODY,
    OPEN,
    PHRASE,
    SEP,
    Tsearch,
    pg_config,
)
from .term_models import Category, PostCategory, PostTag, Tag

# The search box's maxlength: longer queries are cut, which also bounds the work.
MAX_QUERY_LENGTH = 200
# Rows per write and per IN (...) list: well under SQLite's variable limit.
BATCH = 500
# From this many posts on, an index() run is a bulk load that changes the
# statistics PostgreSQL plans with.
BULK = 1000
SPACES = re.compile(r"\s+")
# Typed in capitals, as FTS5 reads them; PostgreSQL would search the words.
AND = re.compile(r"(?<!\S)AND(?!\S)")
NOT = re.compile(r"(?<!\S)NOT\s+")
# Control characters (NUL among them) cannot be sent to PostgreSQL.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SNIPPET_TOKENS = 32
# bm25 weights, in column order: title, tags and categories, author, body.
WEIGHTS = (10.0, 4.0, 2.0, 1.0)


@dataclass
class Result:
    post: Post
    snippet: Markup


@dataclass
class Document:
    """The text of one post as it goes into the index."""

    post_id: int
    title: str
    terms: str
    author: str
    body: str


class PostSearch(FTS5Model):
    title = SearchField()
    terms = SearchField()
    author = SearchField()
    body = SearchField()

    class Meta:
        database = database
        table_name = "post_search"


class Fts5:
    """SQLite: an FTS5 table keyed by rowid = post id."""

    # One prepared statement run for every row: for 10,000 posts a third
    # faster than peewee's insert_many, which writes out every value.
    INSERT = (
        "INSERT INTO post_search (rowid, title, terms, author, body)"
        " VALUES (?, ?, ?, ?, ?)"
    )

    @staticmethod
    def remove(post_ids):
        PostSearch.delete().where(PostSearch.rowid.in_(post_ids)).execute()

    @staticmethod
    def clear():
        PostSearch.delete().execute()

    @staticmethod
    def store(documents):
        rows = [(d.post_id, d.title, d.terms, d.author, d.body) for d in documents]
        database.cursor().executemany(Fts5.INSERT, rows)

    @staticmethod
    def matches(terms: str):
        """Matching post ids."""
        return PostSearch.select(PostSearch.rowid.alias("post_id")).where(
            PostSearch.match(fts_parser.parse(terms))
        )

    @staticmethod
    def hits(terms: str):
        """Matching post ids with a score, lower is better."""
        score = PostSearch.bm25(*WEIGHTS).alias("score")
        return Fts5.matches(terms).select_extend(score)

    @staticmethod
    def snippets(post_ids, terms: str) -> dict:
        snippet = PostSearch.body.snippet(OPEN, CLOSE, "…", SNIPPET_TOKENS)
        rows = PostSearch.select(PostSearch.rowid, snippet).where(
            PostSearch.match(fts_parser.parse(terms)) & PostSearch.rowid.in_(post_ids)
        )
        return dict(rows.tuples())

    @staticmethod
    def analyze():
        """Nothing to do: FTS5 keeps the statistics its planner needs."""


def _backend():
    return Fts5 if is_sqlite() else Tsearch(pg_config())


def index(post_ids):
    """(Re)index these posts; drop those that are gone or no longer public."""
    backend, post_ids = _backend(), sorted(set(post_ids))
    with write_transaction():
        for batch in chunked(post_ids, BATCH):
            backend.remove(batch)
            backend.store(documents(batch))
        # Autovacuum would catch up within a minute; queries until then are slow.
        if len(post_ids) >= BULK:
            backend.analyze()


def rebuild():
    """Index every post afresh."""
    with write_transaction():
        _backend().clear()
        index(post_id for (post_id,) in _indexable().select(Post.id).tuples())


def _indexable():
    # Scheduled posts are indexed too: query() hides them until their time.
    return Post.select().where(
        (Post.kind == "post") & (Post.status == PostStatus.PUBLISHED)
    )


def documents(post_ids) -> list[Document]:
    """What the index holds for those of these posts that may be searched."""
    post_ids = list(post_ids)
    rows = (
        _indexable()
        .select(
            Post.id,
            Post.title,
            Post.author,
            Post.summary,
            Post.summary_html,
            Post.body_text,
        )
        .where(Post.id.in_(post_ids))
        .tuples()
    )
    names = _names_by_post(post_ids)
    return [
        Document(
            post_id=post_id,
            title=_clean(title),
            terms=_clean(" ".join(names[post_id])),
            author=_clean(author),
            body=_clean(_searched_text(summary, summary_html, body_text)[:MAX_BODY]),
        )
        for post_id, title, author, summary, summary_html, body_text in rows
    ]


def _searched_text(summary: str, summary_html: str, body_text: str) -> str:
    # An author's summary says what the post is about in words the body may
    # not use; an empty one is only the body's start (summary_html).
    if not summary.strip():
        return body_text
    return f"{markup.plain_text(summary_html)}\n{body_text}"


def _names_by_post(post_ids) -> defaultdict:
    """Tag and category names of these posts: {post_id: [name, ...]}."""
    names = defaultdict(list)
    for link, term in ((PostTag, Tag), (PostCategory, Category)):
        rows = link.select(link.post, term.name).join(term)
        for post_id, name in rows.where(link.post.in_(post_ids)).tuples():
            names[post_id].append(name)
    return names


def _clean(text: str) -> str:
    # Queries are NFKC too: a word saved with decomposed accents (as some
    # editors write them) or in full width is found as it is typed.
    return MARKERS.sub("", unicodedata.normalize("NFKC", text))


def query(terms: str, number: int, per_page: int) -> Page:
    """One page of the published posts matching terms, best match first."""
    terms = _normalize(terms)
    if not any(char.isalnum() for char in terms):
        return _empty_page(number, per_page)
    backend = _backend()
    # Counted without scores: scoring every match, again for the page, took
    # PostgreSQL 22 of the 28 ms a count of 585 matches cost.
    page = counted_page(
        _published(backend.matches(terms)).count(),
        number,
        per_page,
        lambda limit, offset: list(
            _published(backend.hits(terms), ranked=True).limit(limit).offset(offset)
        ),
    )
    ids = [post.id for post in page.items]
    posts = {post.id: post for post in Post.select().where(Post.id.in_(ids))}
    snippets = backend.snippets(ids, terms)
    page.items = [
        Result(posts[post_id], highlight(snippets.get(post_id, "")))
        for post_id in ids
        if post_id in posts
    ]
    return page


def _published(hits, ranked: bool = False):
    """Ids of the published posts among hits; if ranked, best first.

    Ranking only ids keeps whole posts out of the sort; materializing the hits
    stops SQLite from probing the search index once per published post.
    """
    hits = hits.cte("hits", materialized=True)
    found = (
        Post.published()
        .select(Post.id)
        .join(hits, on=(hits.c.post_id == Post.id))
        .with_cte(hits)
    )
    if ranked:
        return found.order_by(hits.c.score, Post.date.desc(), Post.id.desc())
    return found


def _normalize(terms: str) -> str:
    return _operators(_clean(CONTROL.sub(" ", terms[:MAX_QUERY_LENGTH])))


def _operators(terms: str) -> str:
    """FTS5's AND and NOT (outside phrases) in web-search terms, for both."""
    pieces = re.split(f"({PHRASE.pattern})", terms)
    pieces[::2] = [NOT.sub("-", AND.sub(" ", piece)) for piece in pieces[::2]]
    return "".join(pieces)


def _empty_page(number: int, per_page: int) -> Page:
    page = Page([], number, per_page, 0)
    if number > page.pages:
        raise PageNotFound(f"there is no page {number}")
    return page


def highlight(marked: str) -> Markup:
    """Escape a snippet, then turn its match markers into <mark> elements."""
    # Body text keeps the line breaks and the spaces around inline markup.
    marked = SPACES.sub(" ", marked.replace(SEP, "")).strip()
    escaped = str(escape(marked)).replace(LT, "&lt;")
    return Markup(escaped.replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))
