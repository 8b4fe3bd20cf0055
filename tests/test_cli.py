import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from blog.cli import main
from blog.models import AuditEntry, Post, Role, User
from tests.conftest import POSTGRES_URL, ROOT
from tests.factories import make_post


def invoke(runner, *args, input=None):
    return runner.invoke(main, list(args), input=input)


def test_init_syncs_content_and_prints_the_admin_login_once(make_app, content_dir):
    app = make_app(CONTENT_DIR=str(content_dir))
    runner = app.test_cli_runner()
    first = invoke(runner, "init")
    assert first.exit_code == 0, first.output
    assert "user:     admin" in first.output and "password: " in first.output
    with app.app_context():
        assert User.get(User.username == "admin").role == Role.ADMIN
        assert Post.select().count() >= 13
    second = invoke(runner, "init")
    assert second.exit_code == 0 and "password: " not in second.output
    assert "0 added" in second.output
    # Run again, it said nothing of the dashboard: now where, and how to reset.
    assert "Admin login: http://127.0.0.1:8000/admin/" in second.output
    assert "blog users set-password" in second.output


def test_a_database_migrated_by_a_newer_version_is_not_called_up_to_date(runner, app):
    from blog import db
    from blog.cli import MIGRATIONS_DIR, Runner

    history = Runner(db.database.obj, directory=str(MIGRATIONS_DIR)).History
    row = history.create(name="0099_from_a_newer_release")
    try:
        for command in ("migrate", "init"):
            result = invoke(runner, command)
            assert result.exit_code == 1, result.output
            assert "0099_from_a_newer_release" in result.output
            assert "newer version" in result.output
    finally:
        row.delete_instance()  # PostgreSQL's test schema outlives the test


def test_help_offers_only_options_the_blog_command_has(runner):
    help_text = invoke(runner, "--help").output
    # Flask's own options load another app or a .env file: the blog ignores both.
    for flask_option in ("--app", "--env-file", "--debug"):
        assert flask_option not in help_text
    assert invoke(runner, "--app", "other:app", "users", "list").exit_code == 2
    version = invoke(runner, "--version")
    assert version.exit_code == 0 and version.output.startswith("blog, version ")


def test_serve_refuses_a_port_or_worker_count_gunicorn_cannot_use(runner, monkeypatch):
    started = []
    monkeypatch.setattr(os, "execv", lambda *args: started.append(args))
    for option, value in (("--port", "99999"), ("--port", "0"), ("--workers", "0")):
        result = invoke(runner, "serve", option, value)
        assert (
            result.exit_code == 2 and f"Invalid value for '{option}'" in result.output
        )
    assert started == []
    assert invoke(runner, "serve", "--port", "8001").exit_code == 0
    assert "127.0.0.1:8001" in started[0][1]


def test_users_create_list_and_set_password_from_stdin(runner, app):
    created = invoke(
        runner,
        "users",
        "create",
        "mod",
        "--role",
        "moderator",
        input="a long password\n",
    )
    assert created.exit_code == 0, created.output
    listed = invoke(runner, "users", "list")
    assert "mod\tmoderator" in listed.output
    token = User.get(User.username == "mod").session_token
    changed = invoke(runner, "users", "set-password", "mod", input="another password\n")
    assert changed.exit_code == 0
    assert User.get(User.username == "mod").session_token != token


def test_user_and_settings_changes_from_the_command_line_are_audited(runner, app):
    """As the dashboard's are: a password set at a shell is a security event too."""
    invoke(
        runner, "users", "create", "mod", "--role", "moderator", input="a long pw!\n"
    )
    invoke(runner, "users", "set-password", "mod", input="another password\n")
    invoke(runner, "settings", "set", "posts_per_page", "7")
    mod = User.get(User.username == "mod")
    entries = [
        (e.action, e.actor, e.object_id, e.to_state, e.detail)
        for e in AuditEntry.select().order_by(AuditEntry.id)
    ]
    assert entries == [
        ("user.create", "system", mod.id, "moderator", "mod"),
        ("user.password_reset", "system", mod.id, "", "mod"),
        ("settings.change", "system", None, "", "posts_per_page"),
    ]


def test_text_that_is_not_utf8_is_refused_without_a_traceback(runner, app, tmp_path):
    """A Latin-1 terminal's or file's bytes reach Python as lone surrogates."""
    make_post(slug="hello")
    comment = {"id": 1, "parent": None, "status": "approved", "body": "x\udce9"}
    comment |= {"author_name": "A", "created_at": "2024-06-02T09:30:00Z"}
    posts = [{"kind": "post", "slug": "hello", "comments": [comment]}]
    data = {"format": "field-notes-comments", "version": 1, "posts": posts}
    (tmp_path / "c.json").write_text(json.dumps(data))  # the escape "\udce9"
    for args, stdin in (
        (["users", "set-password", "caf\udce9"], "a long password\n"),
        (["users", "create", "eve"], b"a long pass\xe9word\n"),
        (["comments", "import-json", str(tmp_path / "c.json")], None),
    ):
        result = invoke(runner, *args, input=stdin)
        assert isinstance(result.exception, SystemExit), (args, result.exception)
        assert result.exit_code == 1 and "not valid UTF-8" in result.output, args
        assert "long pass" not in result.output  # never a password echoed


def test_users_create_refuses_a_short_password_and_a_taken_name(runner, app):
    short = invoke(runner, "users", "create", "x", input="short\n")
    assert short.exit_code == 1 and "at least" in short.output
    invoke(runner, "users", "create", "x", input="a long password\n")
    taken = invoke(runner, "users", "create", "x", input="a long password\n")
    assert taken.exit_code == 1 and "taken" in taken.output


def test_settings_set_validates_and_get_reads_back(runner, app):
    assert invoke(runner, "settings", "set", "posts_per_page", "7").exit_code == 0
    assert invoke(runner, "settings", "get", "posts_per_page").output.strip() == "7"
    bad = invoke(runner, "settings", "set", "posts_per_page", "0")
    assert bad.exit_code == 1 and "a whole number from 1 to 100" in bad.output
    # A negative number is a value refused with its range, not an unknown option.
    negative = invoke(runner, "settings", "set", "posts_per_page", "-3")
    assert negative.exit_code == 1 and "from 1 to 100, not -3" in negative.output
    for key, value, message in (
        ("classifier_spam", "nan", "must be a number from 0.0 to 1.0, not 'nan'"),
        ("posts_per_page", "1_0", "must be a whole number from 1 to 100"),
        ("posts_per_page", "\uff11\uff10", "must be a whole number from 1 to 100"),
        ("hold_all", "maybe", "must be true or false (or yes/no, on/off, 1/0)"),
        ("comment_order", "random", "must be one of oldest, newest, not 'random'"),
        ("classifier_hold", "0.9", "must be at most classifier_spam (0.82)"),
        ("classifier_spam", "0.4", "must be at least classifier_hold (0.5)"),
        ("close_after_days", "1000000000", "a whole number from 0 to 36500"),
        # A Latin-1 terminal's "Caf\xe9": stored, it made every page a 500.
        ("title", "Caf\udce9", "title: not valid UTF-8 text"),
        ("moderation_keywords", "a,\udce9", "not valid UTF-8 text"),
    ):
        refused = invoke(runner, "settings", "set", key, value)
        assert refused.exit_code == 1 and message in refused.output, key
    listed = invoke(runner, "settings", "set", "moderation_keywords", "a b, c")
    assert listed.exit_code == 0
    assert app.extensions["settings"]["moderation_keywords"] == ["a b", "c"]
    theme = invoke(runner, "settings", "set", "theme", "nosuchtheme")
    assert theme.exit_code == 1 and "no theme 'nosuchtheme'" in theme.output
    assert invoke(runner, "settings", "set", "theme", "example").exit_code == 0
    unknown = invoke(runner, "settings", "set", "nope", "1")
    assert unknown.exit_code == 1 and "unknown setting" in unknown.output
    assert "posts_per_page = 7" in invoke(runner, "settings", "list").output


def test_content_sync_reports_bad_files_and_exits_non_zero(runner, app, tmp_path):
    (tmp_path / "c" / "posts").mkdir(parents=True)
    (tmp_path / "c" / "posts" / "2024-01-01-bad.md").write_text("---\ntitle: [\n---\n")
    result = invoke(runner, "content", "sync", str(tmp_path / "c"))
    assert result.exit_code == 1
    assert (
        "posts/2024-01-01-bad.md" in result.output and "front matter" in result.output
    )


def test_content_sync_prints_warnings_and_still_succeeds(runner, app, tmp_path):
    (tmp_path / "c" / "posts").mkdir(parents=True)
    (tmp_path / "c" / "posts" / "2024-01-01-odd.md").write_text(
        "---\ntitle: Odd\ntag: x\n---\n"
    )
    result = invoke(runner, "content", "sync", str(tmp_path / "c"))
    assert result.exit_code == 0
    assert (
        "warning: posts/2024-01-01-odd.md: unknown keys ignored: tag" in result.output
    )
    assert (
        "1 added, 0 updated, 0 unpublished, 0 unchanged, 0 with errors, "
        "1 with warnings" in result.output
    )


def test_syncing_a_folder_of_content_touches_that_folder_only(make_app, content_dir):
    app = make_app(CONTENT_DIR=str(content_dir))
    runner = app.test_cli_runner()
    assert invoke(runner, "content", "sync").exit_code == 0
    (content_dir / "pages" / "contact.md").unlink()
    result = invoke(runner, "content", "sync", str(content_dir / "pages"))
    # It was: every post "vanished" (unpublished, 410 Gone), and the
    # pages, read as posts without a date, failed.
    assert result.exit_code == 0, result.output
    assert "0 added, 0 updated, 1 unpublished, 1 unchanged" in result.output
    with app.app_context():
        gone = Post.select().where(Post.status == "unpublished")
        assert [post.source_path for post in gone] == ["pages/contact.md"]


def test_a_content_folder_that_is_not_there_unpublishes_nothing(
    make_app, content_dir, tmp_path
):
    synced = make_app(CONTENT_DIR=str(content_dir))
    assert invoke(synced.test_cli_runner(), "content", "sync").exit_code == 0
    app = make_app(CONTENT_DIR=str(tmp_path / "typo"))
    runner = app.test_cli_runner()
    # It was: "0 added ... 17 unpublished", exit 0: the whole site 410 Gone.
    result = invoke(runner, "content", "sync")
    assert result.exit_code == 1 and "no content folder" in result.output
    init = invoke(runner, "init")
    assert init.exit_code == 0 and "no content folder" in init.output
    with app.app_context():
        assert not Post.select().where(Post.status == "unpublished").exists()


def test_content_export_writes_files(runner, app, content_dir, tmp_path):
    invoke(runner, "content", "sync", str(content_dir))
    result = invoke(runner, "content", "export", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert len(list((tmp_path / "out").rglob("*.md"))) == Post.select().count()


@pytest.mark.parametrize(
    "args, message",
    [
        (["export", "wordpress", "{tmp}/missing/site.xml"], "No such file"),
        (["comments", "export-json", "--all", "{tmp}/missing/c.json"], "No such file"),
        (["comments", "export-json", "--all", "{tmp}"], "Is a directory"),
        (["content", "export", "{tmp}/a-file/out"], "Not a directory"),
    ],
)
def test_a_file_that_cannot_be_written_is_named_without_a_traceback(
    runner, app, tmp_path, args, message
):
    (tmp_path / "a-file").write_text("")
    make_post()
    result = invoke(runner, *(arg.format(tmp=tmp_path) for arg in args))
    # An error click reports ends in SystemExit; anything else was a traceback.
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1 and message in result.output
    assert str(tmp_path) in result.output


def run_blog(tmp_path, *args, **env):
    """`blog ARGS` in a process of its own, with only the given BLOG_* settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BLOG_")}
    clean.update({"BLOG_INSTANCE_PATH": str(tmp_path), "BLOG_SECRET_KEY": "k", **env})
    blog = Path(sys.executable).with_name("blog")
    return subprocess.run([str(blog), *args], env=clean, capture_output=True, text=True)


def test_the_readme_schema_check_runs_as_written(tmp_path):
    """README: `python -m playhouse.migrations diff` checks the models against
    the database; with no database in .pwmigrate it said none was given."""
    assert run_blog(tmp_path / "instance", "migrate").returncode == 0
    shutil.copy(ROOT / ".pwmigrate", tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "playhouse.migrations", "diff"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "schema matches models" in result.stdout


def test_a_database_with_no_schema_gets_a_plain_answer(tmp_path):
    result = run_blog(tmp_path, "settings", "list")
    assert result.returncode == 1
    assert "run `blog init`" in result.stderr and "Traceback" not in result.stderr


def test_an_export_that_fails_leaves_the_previous_export_as_it_was(tmp_path):
    backup = tmp_path / "site.xml"
    backup.write_text("<rss>last night's export</rss>")
    result = run_blog(tmp_path, "export", "wordpress", str(backup))
    assert result.returncode == 1 and "run `blog init`" in result.stderr
    assert backup.read_text() == "<rss>last night's export</rss>"


@pytest.mark.skipif(not POSTGRES_URL, reason="needs the PostgreSQL server")
def test_a_missing_postgresql_database_is_named_not_blamed_on_the_schema(tmp_path):
    url = urlsplit(POSTGRES_URL)._replace(path="/no_such_blog_database", query="")
    result = run_blog(tmp_path, "init", BLOG_DATABASE_URL=urlunsplit(url))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert 'database "no_such_blog_database" does not exist' in result.stderr
    assert "run `blog init`" not in result.stderr


@pytest.mark.parametrize(
    "setting, message",
    [
        ({"BLOG_DATABASE_URL": "mysql://localhost/blog"}, "unsupported database URL"),
        ({"BLOG_DATABASE_URL": "sqlite:///{tmp}"}, "unable to open database file"),
        ({"BLOG_INSTANCE_PATH": "{tmp}/a-file/instance"}, "a-file"),
        ({"BLOG_DATABASE_URL": "postgresql://127.0.0.1:1/blog"}, "127.0.0.1"),
    ],
)
def test_a_database_that_cannot_be_used_is_named_without_a_traceback(
    tmp_path, setting, message
):
    (tmp_path / "a-file").write_text("")
    env = {name: value.format(tmp=tmp_path) for name, value in setting.items()}
    init = run_blog(tmp_path, "init", **env)
    assert init.returncode != 0 and message in init.stderr
    assert "Traceback" not in init.stderr
    assert "Traceback" not in run_blog(tmp_path, "--help", **env).stderr
