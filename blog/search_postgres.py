"""PostgreSQL's side of blog/search.py: a weighted tsvector per post.

PostgreSQL's parser reads "node.js", "std::io", "1.0" or a URL as one token,
where FTS5's unicode61 sees the words in them; SEP after each ASCII
punctuation mark splits them the same way in the text and in the query, so
"std io" finds "std::io" and a reader's "async/await" finds "async-await".
"""

import re

from peewee import Cast, Expression, ForeignKeyField, Model, fn
from playhouse.postgres_ext import TSVectorField

from .db import database
from .models import Post

# PostgreSQL refuses a tsvector over 1 MB; no real post is near this long.
MAX_BODY = 200_000
# Private-use characters mark matches in snippets: stripped from indexed text,
# so escaping the rest and then turning them into <mark> is exact.
OPEN, CLOSE = "\ue000", "\ue001"
# PostgreSQL's parser skips anything that looks like an HTML tag, and the text
# inside <script> and <style>; posts about HTML quote such tags, so on
# PostgreSQL "<" stands in as this character, a separator to the parser.
LT = "\ue002"
# A separator to the parser, put after punctuation (see above).
SEP = "\ue003"
MARKERS = re.compile(f"[{OPEN}{CLOSE}{LT}{SEP}]")
# ASCII punctuation but the quote, which makes a phrase in a query.
PUNCTUATION = re.compile(r"[!#-/:-@\[-`{-~]")
PUNCTUATION_SQL = "([!#-/:-@\\[-`{-~])"
# A word with a star after it, to search as a prefix; not in a "phrase" (an
# unclosed one runs to the end), where FTS5 takes the star for a separator.
PREFIX = re.compile(r"(\w+)\*")
PHRASE = re.compile(r'"[^"]*(?:"|$)')
# A word (after any "-") with punctuation between letters: websearch_to_tsquery
# ANDs the parts of some ("std::io"), FTS5 takes them all as a phrase.
PUNCTUATED = re.compile(r'(?<!\S)(-?)([^\s"]*\w[!#-/:-@\[-`{-~]+\w[^\s"]*)')
# PostgreSQL ranks weight A (title) > B (terms) > C (author) > D (body);
# normalization 1 divides by the log of the length, as bm25 does in its way.
PG_CONFIG = "blog_english"  # made by migrations/0028_search_words.py
PG_NORMALIZATION = 1
# Two fragments of up to 18 words: about as long as an FTS5 snippet.
PG_HEADLINE = (
    f"StartSel={OPEN}, StopSel={CLOSE}, MaxWords=18, MinWords=8, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


def separate(text: str) -> str:
    """Text as the parser should split it: "<" replaced, punctuation apart."""
    return PUNCTUATION.sub(lambda found: found[0] + SEP, text.replace("<", LT))


def query_text(terms: str) -> str:
    """A query separated as the text is; punctuated words are phrases (FTS5)."""
    pieces = re.split(f"({PHRASE.pattern})", terms)
    pieces[::2] = [PUNCTUATED.sub(r'\1"\2"', piece) for piece in pieces[::2]]
    # -"phrase" excludes it only with nothing in between.
    return separate("".join(pieces)).replace(f'-{SEP}"', '-"')


class PostDocument(Model):
    post = ForeignKeyField(Post, primary_key=True, on_delete="CASCADE")
    document = TSVectorField()

    class Meta:
        database = database
        table_name = "post_search"


class Tsearch:
    """PostgreSQL: a weighted tsvector per post, with a GIN index."""

    def __init__(self, config: str):
        self.config = config
        # The count, the page and its snippets ask for one query: a prefix
        # search costs a round trip to build it.
        self._tsqueries = {}

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

    def vector(self, document):
        """The tsvector of a search.Document, weighted by column."""
        parts = zip(
            (document.title, document.terms, document.author, document.body),
            "ABCD",
            strict=True,
        )
        weighted = [
            fn.setweight(fn.to_tsvector(self.config, separate(text)), weight)
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
        if terms not in self._tsqueries:
            self._tsqueries[terms] = self._tsquery(terms)
        return self._tsqueries[terms]

    def _tsquery(self, terms: str):
        prefixes = sorted(set(PREFIX.findall(PHRASE.sub(" ", terms))))
        if not prefixes:
            return fn.websearch_to_tsquery(self.config, query_text(terms))
        as_text = "websearch_to_tsquery(%s, %s)::text"
        sql = "SELECT " + ", ".join([as_text] * (1 + len(prefixes)))
        words = [query_text(terms), *map(separate, prefixes)]
        params = [value for word in words for value in (self.config, word)]
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
        unmarked = "<" + OPEN + CLOSE + LT + SEP
        text = fn.regexp_replace(
            fn.translate(fn.left(Post.body_text, MAX_BODY), unmarked, LT),
            PUNCTUATION_SQL,
            "\\1" + SEP,
            "g",
        )
        tsquery = self.tsquery(terms)
        headline = fn.ts_headline(self.config, text, tsquery, PG_HEADLINE)
        rows = Post.select(Post.id, headline).where(Post.id.in_(post_ids))
        return dict(rows.tuples())


def pg_config() -> str:
    # Migrations before 0028 reindex with this code, before PG_CONFIG exists.
    visible = database.execute_sql(
        "SELECT 1 FROM pg_ts_config"
        " WHERE cfgname = %s AND pg_ts_config_is_visible(oid)",
        (PG_CONFIG,),
    ).fetchone()
    return PG_CONFIG if visible else "english"
