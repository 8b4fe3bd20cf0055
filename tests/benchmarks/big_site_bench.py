"""Every kind of page on a big site: 200 posts and 100,000 comments, on SQLite.

The other benchmarks hold one post's comments, or run ANALYZE first; a live
SQLite site has neither, and a query plan that walks every comment of the
site shows only here. The site is prepared as the moderation benchmark
prepares it (a year of comments, 60% approved, no ANALYZE), and each page,
public and admin, is fetched through the Flask test client (the server's
time, no network) with the page cache off: median of --requests after one
warm-up. Pages over --budget ms are flagged.

    .venv/bin/python -m tests.benchmarks.big_site_bench [--comments 100000]
        [--requests 5] [--budget 50]
"""

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from blog import accounts, create_app, db
from blog.comment_models import Comment
from blog.models import Post, Role
from tests.admin.conftest import Browser
from tests.benchmarks.moderation_bench import PASSWORD, prepare


def build(folder: Path, comments: int):
    app = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "DATABASE_URL": f"sqlite:///{folder}/blog.sqlite3",
            "SECRET_KEY": "benchmark",
            "PAGE_CACHE": False,
        }
    )
    prepare(app, comments)
    with app.app_context():
        db.database.connect(reuse_if_open=True)
        accounts.create_user("boss", PASSWORD, Role.ADMIN)
        newest = Post.select().order_by(Post.date.desc()).get()
        oldest = Post.select().order_by(Post.date).get()
        comment = (
            Comment.select(Comment.id)
            .where(Comment.post == newest)
            .order_by(Comment.id.desc())
            .get()
        )
        public = [
            newest.url,
            newest.url + "?cpage=5",
            oldest.url,
            "/",
            "/?page=5",
            f"/{newest.date.year}/",
            "/search/?q=song",
            "/sitemap.xml",
            "/feed/",
            "/comments/feed/",
            f"/comments/{newest.id}/feed/",
        ]
        admin = [
            "/admin/",
            "/admin/posts/",
            f"/admin/posts/{newest.id}/",
            "/admin/comments/",
            "/admin/comments/?status=approved&page=300",
            f"/admin/comments/{comment.id}/",
            "/admin/settings/",
            "/admin/audit/",
            "/admin/users/",
        ]
        db.database.close()
    return app, public + admin


def measure(app, pages, options):
    browser = Browser(app.test_client())
    assert browser.login("boss", PASSWORD).status_code in (302, 303)
    over = 0
    for path in pages:
        times = []
        for _ in range(options.requests + 1):
            started = time.perf_counter()
            response = browser.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        median = statistics.median(times[1:])
        flag = "  over budget" if median > options.budget else ""
        over += bool(flag)
        print(f"{median:8.1f} ms  {path}{flag}")
    print(f"{over} of {len(pages)} pages over {options.budget:g} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--budget", type=float, default=50)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="big-site-"))
    try:
        measure(*build(folder, options.comments), options)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
