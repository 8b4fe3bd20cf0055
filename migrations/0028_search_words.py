"""Search words on PostgreSQL as on SQLite: no stop words, accents optional.

PostgreSQL's "english" configuration drops stop words, so "the", "who" or
"don't" found nothing there while SQLite's FTS5 (porter, no stop list) found
them; and it kept accents, so "cafe" missed "café", which FTS5 finds
(remove_diacritics). The "blog_english" configuration stems the same way
without a stop list, after the unaccent dictionary when the server has it
(it is in PostgreSQL's contrib, trusted since version 13). The posts are then
indexed again with it, as blog/search_postgres.py indexes them: with a
separator after punctuation, so that "std::io" or a URL is read as its words,
as FTS5 reads them.
"""

from peewee import DatabaseError, PostgresqlDatabase

CONFIG = "blog_english"
WORDS = "word, hword, hword_part, asciiword, asciihword, hword_asciipart"


# As blog/search_postgres.py: "<" becomes U+E002, U+E003 follows punctuation.
def _separated(text: str) -> str:
    return (
        f"regexp_replace(translate({text}, '<' || chr(57347), chr(57346)),"
        " '([!#-/:-@\\[-`{-~])', '\\1' || chr(57347), 'g')"
    )


TERMS = """
    coalesce((SELECT string_agg(t.name, ' ') FROM tag t
              JOIN post_tag pt ON pt.tag_id = t.id WHERE pt.post_id = p.id), '')
    || ' ' ||
    coalesce((SELECT string_agg(c.name, ' ') FROM category c
              JOIN post_category pc ON pc.category_id = c.id
              WHERE pc.post_id = p.id), '')
"""
PARTS = (("p.title", "A"), (TERMS, "B"), ("p.author", "C"))
BODY = ("left(p.body_text, 200000)", "D")


def _fill(config: str) -> str:
    vector = " || ".join(
        f"setweight(to_tsvector('{config}', {_separated(text)}), '{weight}')"
        for text, weight in (*PARTS, BODY)
    )
    return (
        f"INSERT INTO post_search (post_id, document) SELECT p.id, {vector}"
        " FROM post p WHERE p.kind = 'post' AND p.status = 'published'"
    )


def _unaccent(db) -> str | None:
    """The qualified name of the unaccent dictionary, installing it if we may."""
    try:
        with db.atomic():
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
    except DatabaseError:  # no contrib, or no right to install it: keep accents
        pass
    row = db.execute_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension"
        " WHERE extname = 'unaccent'"
    ).fetchone()
    return f"{row[0]}.unaccent" if row else None


def _refill(db, config: str):
    db.execute_sql("DELETE FROM post_search")
    db.execute_sql(_fill(config))


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    unaccent = _unaccent(db)
    dictionaries = f"{unaccent}, blog_english_stem" if unaccent else "blog_english_stem"
    db.execute_sql(
        "CREATE TEXT SEARCH DICTIONARY blog_english_stem"
        " (TEMPLATE = snowball, Language = english)"
    )
    db.execute_sql(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = english)")
    db.execute_sql(
        f"ALTER TEXT SEARCH CONFIGURATION {CONFIG}"
        f" ALTER MAPPING FOR {WORDS} WITH {dictionaries}"
    )
    _refill(db, CONFIG)


def down(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    _refill(db, "english")
    db.execute_sql(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")
    db.execute_sql("DROP TEXT SEARCH DICTIONARY IF EXISTS blog_english_stem")
