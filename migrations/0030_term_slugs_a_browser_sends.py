"""Tags and categories named by symbols alone ("?", "#", "..") given an
address a browser reaches.

Their slug was the name itself: a link to "/tag/?/" asks for "/tag/", one to
"/tag/../" for the home page, so their archives and feeds could not be
reached. Such a slug is now spelled from the characters' names
("question-mark"), as term_slug makes it for a new term. A term whose new
slug another term holds is merged into that one, as a sync of its name would
now do.
"""

import re

# The slugs term_slug no longer makes: see _NOT_A_SEGMENT in blog/term_models.py.
UNREACHABLE = re.compile(r"[/?#%\\]|^\.+$")
TERMS = (("tag", "post_tag", "tag_id"), ("category", "post_category", "category_id"))


def up(migrator, db):
    from blog.term_models import term_slug

    for table, links, column in TERMS:
        rows = db.execute_sql(f'SELECT id, name, slug FROM "{table}"').fetchall()
        for term_id, name, slug in rows:
            if UNREACHABLE.search(slug):
                _move(db, (table, links, column), term_id, term_slug(name))


def _move(db, names, term_id, slug):
    table, links, column = names
    p = db.param
    taken = db.execute_sql(
        f'SELECT id FROM "{table}" WHERE slug = {p}', (slug,)
    ).fetchone()
    if taken is None:
        db.execute_sql(
            f'UPDATE "{table}" SET slug = {p} WHERE id = {p}', (slug, term_id)
        )
        return
    db.execute_sql(
        f'UPDATE "{links}" SET {column} = {p} WHERE {column} = {p} AND post_id NOT IN'
        f' (SELECT post_id FROM "{links}" WHERE {column} = {p})',
        (taken[0], term_id, taken[0]),
    )
    db.execute_sql(f'DELETE FROM "{links}" WHERE {column} = {p}', (term_id,))
    if table == "category":
        _adopt(db, term_id, taken[0])
    wp_id = db.execute_sql(
        f'SELECT wp_id FROM "{table}" WHERE id = {p}', (term_id,)
    ).fetchone()[0]
    db.execute_sql(f'DELETE FROM "{table}" WHERE id = {p}', (term_id,))
    # The WordPress term ID tells a later import which term it is.
    db.execute_sql(
        f'UPDATE "{table}" SET wp_id = {p} WHERE id = {p} AND wp_id IS NULL',
        (wp_id, taken[0]),
    )


def _adopt(db, gone, kept):
    """The kept category takes the merged one's children, and its parent where
    the merged one was its own: migrations run with SQLite's foreign keys off,
    so nothing else would (a child would name a deleted parent)."""
    p = db.param
    db.execute_sql(
        f"UPDATE category SET parent_id = (SELECT parent_id FROM category"
        f" WHERE id = {p}) WHERE id = {p} AND parent_id = {p}",
        (gone, kept, gone),
    )
    db.execute_sql(
        f"UPDATE category SET parent_id = {p} WHERE parent_id = {p}", (kept, gone)
    )


def down(migrator, db):
    """Nothing to undo: the old slugs named no page a reader could reach."""
