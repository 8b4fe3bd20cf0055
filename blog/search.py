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
from peewee import Cast, Expression, ForeignKeyField, Model, chunked, fn
from playhouse import fts_parser
from playhouse.postgres_ext import TSVectorField
from playhouse.sqlite_ext import FTS5Model, SearchField

from . import markup
from .db import database, is_sqlite, write_transaction
from .models import Post, PostStatus
from .pagination import Page, PageNotFound, counted_page
from .term_models import Category, PostCategory, PostTag, Tag

# The search box's maxlength: longer queries are cut, which also bounds the work.
MAX_QUERY_LENGTH = 200
# Rows per write and per IN (...) list: well under SQLite's variable limit.
BATCH = 500
# From this many posts on, an index() run is a bulk load that changes the
# statistics PostgreSQL plans with.
BULK = 1000
# PostgreSQL refuses a tsvector over 1 MB; no real post is near this long.
MAX_BODY = 200_000
# Private-use characters mark matches in snippets: stripped from indexed text,
# so escaping the rest and then turning them into <mark> is exact.
OPEN, CLOSE = "\ue000", "\ue001"
# PostgreSQL's parser skips anything that looks like an HTML tag, and the text
# inside <script> and <style>; posts about HTML quote such tags, so on
# PostgreSQL "<" stands in as this character, a separator to the parser.
LT = "\ue002"
MARKERS = re.compile(f"[{OPEN}{CLOSE}{LT}]")
SPACES = re.compile(r"\s+")
# A word with a star after it, to search as a prefix; not in a "phrase" (an
# unclosed one runs to the end), where FTS5 takes the star for a separator.
PREFIX = re.compile(r"(\w+)\*")
PHRASE = re.compile(r'"[^"]*(?:"|$)')
# Control characters (NUL among them) cannot be sent to PostgreSQL.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SNIPPET_TOKENS = 32
# bm25 weights, in column order: title, tags and categories, author, body.
WEIGHTS = (10.0, 4.0, 2.0, 1.0)
# PostgreSQL ranks weight A (title) > B (terms) > C (author) > D (body);
# normalization 1 divides by the log of the length, as bm25 does in its way.
PG_CONFIG = "blog_english"  # made by migrations/0028_search_words.py
PG_NORMALIZATION = 1
# Two fragments of up to 18 words: about as long as an FTS5 snippet.
PG_HEADLINE = (
    f"StartSel={OPEN}, StopSel={CLOSE}, MaxWords=18, MinWords=8, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


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


class PostDocument(Model):
    post = ForeignKeyField(Post, primary_key=True, on_delete="CASCADE")
    document = TSVectorField()

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


class Tsearch:
    """PostgreSQL: a weighted tsvector per post, with a GIN index."""

    def __init__(self, config: str):
        self.config = config

    @staticmethod
    def remove(post_ids):
        PostDocument.delete().where(PostDocument.post.in_(post_ids)).execute()

    @staticmethod
    def clear():
        PostDocument.delete().execute()

    def store(self, documents):
        rows = [(d.post_id, self.vector(d)) for d in documents]
        if rows:
            fields = [PostDocument.post, PostDocument.document]
            PostDocument.insert_many(rows, fields).execute()

    def vector(self, document: Document):
        parts = zip(
            (document.title, document.terms, document.author, document.body),
            "ABCD",
            strict=True,
        )
        weighted = [
            fn.setweight(fn.to_tsvector(self.config, text.replace("<", LT)), weight)
            for text, weight in parts
        ]
        vector = weighted[0]
        for part in weighted[1:]:
            vector = vector.concat(part)
        return vector

    @staticmethod
    def analyze():
        """Refresh planner statistics, without which it scans every row."""
        database.execute_sql("ANALYZE post_search")

    def tsquery(self, terms: str):
        """The reader's query; word* is a prefix, as in FTS5.

        websearch_to_tsquery drops the star, so each starred word's lexemes
        get the ":*" of tsquery syntax in the query's text form.
        """
        prefixes = sorted(set(PREFIX.findall(PHRASE.sub(" ", terms))))
        if not prefixes:
            return fn.websearch_to_tsquery(self.config, terms)
        as_text = "websearch_to_tsquery(%s, %s)::text"
        sql = "SELECT " + ", ".join([as_text] * (1 + len(prefixes)))
        params = [value for word in [terms, *prefixes] for value in (self.config, word)]
        whole, *lexemes = database.execute_sql(sql, params).fetchone()
        for lexeme in filter(None, lexemes):
            # Whole lexemes only: "'o'" must not match inside "'o''brien'".
            alone = f"(?<![^\\s(!]){re.escape(lexeme)}(?=$|[\\s)])"
            whole = re.sub(alone, lambda found: found[0] + ":*", whole)
        return Cast(whole, "tsquery")

    def matches(self, terms: str, tsquery=None):
        """Matching post ids."""
        tsquery = tsquery or self.tsquery(terms)
        # "T" is a query with nothing to look up (only exclusions): FTS5 finds
        # nothing for it, and so should PostgreSQL rather than every post.
        searchable = fn.querytree(tsquery) != "T"
        return PostDocument.select(PostDocument.post.alias("post_id")).where(
            Expression(PostDocument.document, "@@", tsquery) & searchable
        )

    def hits(self, terms: str):
        """Matching post ids with a score, lower is better."""
        tsquery = self.tsquery(terms)
        rank = fn.ts_rank_cd(PostDocument.document, tsquery, PG_NORMALIZATION)
        return self.matches(terms, tsquery).select_extend((rank * -1).alias("score"))

    def snippets(self, post_ids, terms: str) -> dict:
        # Turns "<" into LT, as indexing does, and drops any marker in the text.
        unmarked = "<" + OPEN + CLOSE + LT
        text = fn.translate(fn.left(Post.body_text, MAX_BODY), unmarked, LT)
        tsquery = self.tsquery(terms)
        headline = fn.ts_headline(self.config, text, tsquery, PG_HEADLINE)
        rows = Post.select(Post.id, headline).where(Post.id.in_(post_ids))
        return dict(rows.tuples())


def _backend():
    return Fts5 if is_sqlite() else Tsearch(_pg_config())


def _pg_config() -> str:
    # Migrations before 0028 reindex with this code, before PG_CONFIG exists.
    visible = database.execute_sql(
        "SELECT 1 FROM pg_ts_config"
        " WHERE cfgname = %s AND pg_ts_config_is_visible(oid)",
        (PG_CONFIG,),
    ).fetchone()
    return PG_CONFIG if visible else "english"


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
    return _clean(CONTROL.sub(" ", terms[:MAX_QUERY_LENGTH]))


def _empty_page(number: int, per_page: int) -> Page:
    page = Page([], number, per_page, 0)
    if number > page.pages:
        raise PageNotFound(f"there is no page {number}")
    return page


def highlight(marked: str) -> Markup:
    """Escape a snippet, then turn its match markers into <mark> elements."""
    # Body text keeps the line breaks and the spaces around inline markup.
    escaped = str(escape(SPACES.sub(" ", marked).strip())).replace(LT, "&lt;")
    return Markup(escaped.replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))
