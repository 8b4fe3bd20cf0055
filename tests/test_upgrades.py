"""Upgrades: a database left at any earlier migration, with data in it, is
brought to the latest schema by `blog migrate` and the site serves it all."""

import datetime
import json
import os

import pytest
from playhouse.migrations import Runner

from blog import create_app, db
from blog.cli import MIGRATIONS_DIR, apply_migrations
from blog.comment_models import SpamLesson, SpamToken
from tests.conftest import POSTGRES_URL

MIGRATIONS = sorted(path.stem for path in MIGRATIONS_DIR.glob("[0-9]*.py"))
AT = datetime.datetime(2023, 5, 1, 9, 0)
DAY = datetime.timedelta(days=1)
# The last migration that relearns the spam model with new features.
LAST_FEATURES = "0033_spam_features_v5"

# What an older site holds, table by table (columns a state lacks are left out).
ROWS = {
    "user": [
        dict(id=1, username="admin", password_hash="x", role="admin",
             session_token="t", created_at=AT),
    ],
    "category": [
        dict(id=1, name="Databases", slug="databases", parent_id=None),
        dict(id=2, name="SQLite", slug="sqlite", parent_id=1),
    ],
    "tag": [dict(id=1, name="Tea", slug="tea")],
    "post": [
        dict(id=1, kind="post", title="Hello old world", slug="hello", date=AT,
             status="published", body="Hello *there*", body_format="markdown",
             body_html="<p>Hello <em>there</em></p>", body_text="Hello there",
             sticky=True, source_path="2023-05-01-hello.md", source_hash="abc",
             created_at=AT, modified_at=AT),
        dict(id=2, kind="page", title="About", slug="about", date=AT,
             status="published", body="<p>About me</p>", body_format="html",
             body_html="<p>About me</p>", created_at=AT, modified_at=AT),
        dict(id=3, kind="post", title="Unfinished", slug="unfinished", date=AT,
             status="draft", body="wip", created_at=AT, modified_at=AT),
    ],
    "post_category": [dict(post_id=1, category_id=2)],
    "post_tag": [dict(post_id=1, tag_id=1)],
    "comment": [
        dict(id=1, post_id=1, depth=0, author_name="First reader",
             author_email="first@example.org", email_hash="e1",
             body="A first comment", body_html="<p>A first comment</p>",
             status="approved", ip_hash="h1", ip_prefix="203.0.113.0/24",
             created_at=AT + DAY, modified_at=AT + DAY),
        dict(id=2, post_id=1, parent_id=1, thread_id=1, depth=1,
             author_name="Second reader", body="A reply to it",
             body_html="<p>A reply to it</p>", status="approved",
             created_at=AT + 2 * DAY, modified_at=AT + 2 * DAY),
        dict(id=3, post_id=1, depth=0, author_name="Waiting", body="Held back",
             body_html="<p>Held back</p>", status="pending",
             created_at=AT + 3 * DAY, modified_at=AT + 3 * DAY),
        dict(id=4, post_id=1, depth=0, author_name="Seller", body="Cheap pills",
             body_html="<p>Cheap pills</p>", status="spam",
             created_at=AT + 4 * DAY, modified_at=AT + 4 * DAY),
    ],
    "redirect": [dict(old_path="/?p=9", target="/2023/05/01/hello/")],
    "setting": [dict(key="title", value=json.dumps("The old site"))],
    "blocked_item": [dict(kind="host", value="spam.example", created_at=AT)],
    # A learned spam model, as `blog init` seeds one: upgrades relearn it,
    # with the moderator's lesson (a table from migration 0003 on).
    "spam_token": [dict(token="old-feature-token", spam=3, ham=1)],
    "spam_lesson": [dict(comment_id=4, spam=True, tokens="[]", learned_at=AT)],
    "audit_entry": [dict(at=AT, user_id=1, action="comment.spam", object_id=4)],
}  # fmt: skip
KEPT = [table for table in ROWS if table != "spam_token"]


def _insert(database, table: str, row: dict):
    """One row with the columns this state has; NOT NULL ones it does not name
    get an empty value of their type."""
    values = {}
    columns = database.get_columns(table)
    if not columns:  # a table of a later migration
        return
    for column in columns:
        if column.name in row:
            values[column.name] = row[column.name]
        elif not (column.null or column.primary_key):
            values[column.name] = _empty(column.data_type.lower())
    names = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join([database.param] * len(values))
    database.execute_sql(
        f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(values.values())
    )


def _empty(kind: str):
    if "bool" in kind:
        return False
    if any(word in kind for word in ("int", "real", "float", "double")):
        return 0
    return AT if "date" in kind or "time" in kind else ""


def _counts(database) -> dict[str, int]:
    query = 'SELECT COUNT(*) FROM "{}"'
    tables = [t for t in KEPT if database.get_columns(t)]
    return {t: database.execute_sql(query.format(t)).fetchone()[0] for t in tables}


@pytest.fixture
def old_site(tmp_path):
    """An app on an empty database of its own (SQLite, or a fresh PostgreSQL
    schema), not yet migrated."""
    schema = f"upgrade_{os.getpid()}"
    if POSTGRES_URL:
        admin = db.connect_url(POSTGRES_URL)
        admin.execute_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.execute_sql(f"CREATE SCHEMA {schema}")
        url = f"{POSTGRES_URL}{'&' if '?' in POSTGRES_URL else '?'}schema={schema}"
    else:
        url = f"sqlite:///{tmp_path}/old.sqlite3"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test secret key",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": url,
        }
    )
    with app.app_context():
        db.database.connect(reuse_if_open=True)
        yield app
        db.database.close()
    if POSTGRES_URL:
        admin.execute_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.close()


@pytest.mark.parametrize("state", MIGRATIONS[:-1])
def test_a_site_at_an_older_migration_upgrades_with_nothing_lost(old_site, state):
    database = db.database.obj
    Runner(database, directory=str(MIGRATIONS_DIR)).up(target=state)
    with database.atomic():
        for table, rows in ROWS.items():
            for row in rows:
                _insert(database, table, row)
    if POSTGRES_URL:  # rows given their ids: move the sequences past them
        for table in ("user", "category", "tag", "post", "comment"):
            database.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT MAX(id) FROM "{table}"))'
            )
    before = _counts(database)

    applied = apply_migrations()

    assert applied == MIGRATIONS[MIGRATIONS.index(state) + 1 :]
    after = _counts(database)
    assert {table: after[table] for table in before} == before
    old_token = SpamToken.get_or_none(SpamToken.token == "old-feature-token")
    if state < LAST_FEATURES:  # relearned with this version's features
        assert old_token is None and SpamToken.select().count() > 1000
        if "spam_lesson" in before:
            assert json.loads(SpamLesson.get().tokens)  # the spam comment's
    else:
        assert old_token is not None
    client = old_site.test_client()
    page = client.get("/2023/05/01/hello/").get_data(as_text=True)
    assert "A first comment" in page and "A reply to it" in page
    assert "2 comments" in page
    assert "Held back" not in page and "Cheap pills" not in page
    assert "About me" in client.get("/about/").get_data(as_text=True)
    assert "Hello old world" in client.get("/tag/tea/").get_data(as_text=True)
    assert "Hello old world" in client.get("/category/sqlite/").get_data(as_text=True)
    assert client.get("/?p=9").headers["Location"].endswith("/2023/05/01/hello/")
    assert client.get("/2023/05/01/unfinished/").status_code == 404


def test_terms_named_by_symbols_alone_get_addresses_readers_reach(old_site):
    database = db.database.obj
    before = MIGRATIONS.index("0030_term_slugs_a_browser_sends") - 1
    Runner(database, directory=str(MIGRATIONS_DIR)).up(target=MIGRATIONS[before])
    rows = {
        "post": [
            {**ROWS["post"][0], "id": n, "slug": f"p{n}", "source_path": f"p{n}.md"}
            for n in (1, 2)
        ],
        "tag": [
            dict(id=1, name="?", slug="?"),
            dict(id=2, name="Question mark", slug="question-mark"),
            dict(id=3, name="#", slug="#"),
        ],
        "category": [dict(id=1, name="..", slug="..")],
        "post_tag": [
            dict(post_id=1, tag_id=1),
            dict(post_id=1, tag_id=2),
            dict(post_id=2, tag_id=1),
            dict(post_id=2, tag_id=3),
        ],
        "post_category": [dict(post_id=1, category_id=1)],
    }
    with database.atomic():
        for table, table_rows in rows.items():
            for row in table_rows:
                _insert(database, table, row)

    apply_migrations()

    tags = "SELECT t.slug, l.post_id FROM tag t JOIN post_tag l ON l.tag_id = t.id"
    assert sorted(database.execute_sql(tags).fetchall()) == [
        ("number-sign", 2),
        ("question-mark", 1),
        ("question-mark", 2),
    ]
    categories = database.execute_sql("SELECT slug FROM category").fetchall()
    assert categories == [("full-stop-full-stop",)]
    client = old_site.test_client()
    for path in ("/tag/question-mark/", "/tag/number-sign/"):
        assert "/2023/05/01/p2/" in client.get(path).get_data(as_text=True)
    assert client.get("/category/full-stop-full-stop/").status_code == 200


def test_a_category_merged_by_its_new_slug_keeps_its_place_and_children(old_site):
    database = db.database.obj
    before = MIGRATIONS.index("0030_term_slugs_a_browser_sends") - 1
    Runner(database, directory=str(MIGRATIONS_DIR)).up(target=MIGRATIONS[before])
    categories = [
        dict(id=1, name="Top", slug="top", parent_id=None),
        dict(id=3, name="?", slug="?", parent_id=1, wp_id=7),
        dict(id=2, name="Question mark", slug="question-mark", parent_id=3),
        dict(id=4, name="Child", slug="child", parent_id=3),
    ]
    with database.atomic():
        for row in categories:
            _insert(database, "category", row)

    apply_migrations()

    rows = "SELECT id, slug, parent_id, wp_id FROM category ORDER BY id"
    assert database.execute_sql(rows).fetchall() == [
        (1, "top", None, None),
        (2, "question-mark", 1, 7),
        (4, "child", 2, None),
    ]
    if not POSTGRES_URL:
        assert database.execute_sql("PRAGMA foreign_key_check").fetchall() == []


def test_imported_comments_are_marked_html_unless_edited_since(old_site):
    """WordPress comments keep their HTML source: marked html so an edit renders
    it as their import did. One a moderator already edited was rendered from
    its body as Markdown, so stays markdown, as do the form's."""
    database = db.database.obj
    before = MIGRATIONS.index("0032_comment_body_format") - 1
    Runner(database, directory=str(MIGRATIONS_DIR)).up(target=MIGRATIONS[before])
    comment = {**ROWS["comment"][0], "status": "approved"}
    rows = {
        "post": [ROWS["post"][0]],
        "comment": [
            {**comment, "id": 1, "wp_id": None},
            {**comment, "id": 2, "wp_id": 12, "body": "<em>Imported</em>"},
            {**comment, "id": 3, "wp_id": 13, "body": "Edited *here*"},
        ],
        "audit_entry": [
            dict(at=AT, action="comment.edit", object_type="comment", object_id=3),
            dict(at=AT, action="comment.spam", object_type="comment", object_id=2),
            # Another kind of object with the same id is not this comment.
            dict(at=AT, action="post.edit", object_type="post", object_id=2),
        ],
    }
    with database.atomic():
        for table, table_rows in rows.items():
            for row in table_rows:
                _insert(database, table, row)
    triggers = _triggers(database)

    apply_migrations()

    assert triggers and _triggers(database) == triggers  # the table kept them
    formats = 'SELECT id, body_format FROM "comment" ORDER BY id'
    assert database.execute_sql(formats).fetchall() == [
        (1, "markdown"),
        (2, "html"),
        (3, "markdown"),
    ]


def _triggers(database) -> set[str]:
    """The names of the comment table's triggers."""
    if POSTGRES_URL:
        query = (
            "SELECT trigger_name FROM information_schema.triggers "
            "WHERE event_object_table = 'comment' AND event_object_schema = "
            "current_schema()"
        )
    else:
        query = (
            "SELECT name FROM sqlite_master "
            "WHERE type = 'trigger' AND tbl_name = 'comment'"
        )
    return {name for (name,) in database.execute_sql(query).fetchall()}
