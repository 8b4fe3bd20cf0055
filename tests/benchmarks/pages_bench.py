"""Every kind of page on a site of 10,000 posts and 100,000 comments, on SQLite.

`site_bench` serves two pages of a 10,000-post site and `big_site_bench` every
page of a 200-post one; here every page, public and admin, of a site big in
both: the rust-blog corpus made 10,000 posts (as `site_bench` makes it, with
search index and related posts), three of 30 tags and one of 8 categories on
each post, a tag on five posts only, 50 comments on one post and 100,000
more over all posts as `moderation_bench` writes them (20% pending), no
ANALYZE. Each page is fetched through the Flask test client with the page
cache off, signed in as an admin: median wall and CPU ms of --requests after
one warm-up (on SQLite the CPU time is the figure to compare on a shared
machine; on PostgreSQL it leaves out the server's work), and the statements
the page ran.

Building the site takes minutes; --keep DIR keeps it, and --site DIR times a
kept site (copied first, then migrated by the code being timed, so the same
site serves an older commit's code run with PYTHONPATH too). With
--postgres URL the site is built in the schema pages_bench of that database
(then VACUUM ANALYZE, as autovacuum would) and left there: --reuse times it
again (migrated by the code being timed); DROP SCHEMA pages_bench CASCADE
removes it.

    .venv/bin/python -m tests.benchmarks.pages_bench [--keep DIR | --site DIR]
        [--requests 7] [--only PATH ...] [--postgres URL [--reuse]]
"""

import argparse
import logging
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from tests.benchmarks import moderation_bench
from tests.benchmarks.site_bench import prepare_site

DATABASE = "instance/blog.sqlite3"


def pages(post_url: str) -> list[str]:
    return [
        post_url,
        "/",
        "/?page=300",
        "/2005/",
        "/2005/06/",
        "/tag/tag-3/",
        "/tag/tag-3/?page=100",
        "/tag/rare/",
        "/category/cat-2/",
        "/author/the-rust-core-team/",
        "/search/?q=borrow+checker",
        "/search/?q=async&page=5",
        "/feed/",
        "/comments/feed/",
        "/sitemap.xml",
        "/admin/",
        "/admin/posts/",
        "/admin/posts/?page=200",
        "/admin/posts/?tag=tag-3",
        "/admin/comments/",
        "/admin/comments/?page=50",
        "/admin/comments/?status=approved&q=cache&field=text",
    ]


def build(folder: Path, posts: int, comments: int, database_url: str = "") -> str:
    """The site in folder; the address of the post with 50 comments."""
    from blog import accounts, create_app, db
    from blog.comment_models import Comment
    from blog.comments import word_index
    from blog.models import Post, Role, utcnow
    from blog.term_models import Category, PostCategory, PostTag, Tag

    site = prepare_site(folder, posts, database_url)
    app = create_app(site["env"])
    rng = random.Random(3)
    with app.app_context():
        db.database.connect(reuse_if_open=True)
        ids = [post.id for post in Post.select(Post.id).order_by(Post.id)]
        with db.database.atomic():
            tags = [Tag.create(name=f"Tag {n}", slug=f"tag-{n}").id for n in range(30)]
            rare = Tag.create(name="Rare", slug="rare").id
            kinds = [
                Category.create(name=f"Cat {n}", slug=f"cat-{n}").id for n in range(8)
            ]
            tagged = [
                {"post": post, "tag": tag}
                for post in ids
                for tag in rng.sample(tags, 3)
            ]
            tagged += [{"post": post, "tag": rare} for post in ids[:5]]
            filed = [{"post": post, "category": rng.choice(kinds)} for post in ids]
            for start in range(0, len(tagged), 2000):
                PostTag.insert_many(tagged[start : start + 2000]).execute()
            for start in range(0, len(filed), 2000):
                PostCategory.insert_many(filed[start : start + 2000]).execute()
        accounts.create_user("boss", moderation_bench.PASSWORD, Role.ADMIN)
        bodies = moderation_bench._bodies(rng)
        now = utcnow()
        rows = [
            moderation_bench._row(number, rng, ids, bodies, now)
            for number in range(comments)
        ]
        rows.sort(key=lambda row: row["created_at"])
        for start in range(0, len(rows), 2000):
            with db.database.atomic():
                Comment.insert_many(rows[start : start + 2000]).execute()
        word_index.catch_up()
        if not db.is_sqlite():
            for table in (
                "post",
                "post_tag",
                "post_category",
                "related_post",
                "post_search",
            ):
                db.database.execute_sql(f"VACUUM ANALYZE {table}")
            moderation_bench.settle_postgres()
        db.database.close()
    (folder / "post_url").write_text(site["figures"]["post_url"])
    return site["figures"]["post_url"]


class Statements(logging.Handler):
    """Counts the statements peewee logs."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def emit(self, record):
        self.count += 1


def measure(folder: Path, options, database_url: str = ""):
    from blog import create_app, db
    from blog.cli import apply_migrations
    from tests.admin.conftest import Browser

    app = create_app(
        {
            "INSTANCE_PATH": str(folder / "instance"),
            "DATABASE_URL": database_url or f"sqlite:///{folder / DATABASE}",
            "SECRET_KEY": "benchmark",
            "CONTENT_DIR": str(folder / "content"),
            "PAGE_CACHE": False,
        }
    )
    with app.app_context():
        db.database.connect(reuse_if_open=True)
        apply_migrations()
        db.database.close()
    browser = Browser(app.test_client())
    response = browser.login("boss", moderation_bench.PASSWORD)
    assert response.status_code in (302, 303)
    counter = Statements()
    logger = logging.getLogger("peewee")
    logger.addHandler(counter)
    print(f"{'wall ms':>8} {'cpu ms':>8} {'queries':>8}  page")
    for path in options.only or pages((folder / "post_url").read_text()):
        logger.setLevel(logging.DEBUG)
        counter.count = 0
        assert browser.get(path).status_code == 200, path
        logger.setLevel(logging.WARNING)
        wall, cpu = [], []
        for _ in range(options.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            browser.get(path)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        wall_ms, cpu_ms = statistics.median(wall), statistics.median(cpu)
        print(f"{wall_ms:8.1f} {cpu_ms:8.1f} {counter.count:8}  {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build the site here and keep it")
    parser.add_argument("--site", type=Path, help="time a site kept with --keep")
    parser.add_argument("--only", nargs="*", help="these pages only")
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL to use")
    parser.add_argument("--reuse", action="store_true", help="the site --postgres kept")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pages-bench-"))
    try:
        if options.postgres:
            postgres(work, options)
            return
        if options.site:
            (work / "instance").mkdir()
            shutil.copy(options.site / DATABASE, work / DATABASE)
            shutil.copy(options.site / "post_url", work / "post_url")
        else:
            started = time.perf_counter()
            build(work, options.posts, options.comments)
            print(f"built the site in {time.perf_counter() - started:.0f} s")
            if options.keep:
                shutil.copytree(work, options.keep)
        measure(work, options)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def postgres(work: Path, options):
    schema = "pages_bench"
    url = f"{options.postgres}{'&' if '?' in options.postgres else '?'}"
    url += f"schema={schema}"
    if options.reuse:
        (work / "post_url").write_text(_newest_with_comments(url))
    else:
        from blog import db

        admin = db.connect_url(options.postgres)
        admin.execute_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.execute_sql(f"CREATE SCHEMA {schema}")
        admin.close()
        started = time.perf_counter()
        build(work, options.posts, options.comments, url)
        print(f"built the site in {time.perf_counter() - started:.0f} s")
    measure(work, options, url)


def _newest_with_comments(url: str) -> str:
    """The address of the post site_bench gave 50 comments: the sixth newest."""
    from blog import create_app, db
    from blog.models import Post

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark"})
    with app.app_context():
        db.database.connect(reuse_if_open=True)
        found = Post.published().order_by(Post.date.desc()).offset(5).first().url
        db.database.close()
    return found


if __name__ == "__main__":
    main()
