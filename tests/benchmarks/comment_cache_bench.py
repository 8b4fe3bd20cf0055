"""What an approved comment costs the pages cached around it, at 10,000 posts.

A site of --posts posts (rows made directly, three of 30 tags each), page
cache on, as served: each round approves one comment on a post, then asks
for the post page and the pages a crawler or feed reader asks for. Prints
the median wall and CPU ms of each page over --rounds rounds: a page still
cached after the comment costs a few hundredths of a millisecond, one
rendered again its full price. To compare with an older commit, run this
file from that commit's checkout (a git worktree), its code first on the path:

    PYTHONPATH=. .venv/bin/python tests/benchmarks/comment_cache_bench.py
    cd ../old && PYTHONPATH=. ../new/.venv/bin/python \\
        ../new/tests/benchmarks/comment_cache_bench.py
"""

import argparse
import datetime
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

PAGES = ["{post}", "/comments/feed/", "/sitemap.xml", "/feed/", "/", "/2020/"]


def build(folder: Path, posts: int):
    from blog import create_app, db, markup
    from blog.cli import apply_migrations
    from blog.models import Post, PostStatus
    from blog.term_models import PostTag, Tag

    app = create_app(
        {
            "INSTANCE_PATH": str(folder / "instance"),
            "DATABASE_URL": f"sqlite:///{folder / 'blog.sqlite3'}",
            "SECRET_KEY": "benchmark",
            "CONTENT_DIR": str(folder / "content"),
        }
    )
    rendered = markup.render_post("Some text of a post.")
    start = datetime.datetime(2020, 1, 1)
    rng = random.Random(3)
    with app.app_context():
        db.database.connect(reuse_if_open=True)
        apply_migrations()
        rows = [
            {
                "kind": "post",
                "title": f"Post {number}",
                "slug": f"post-{number}",
                "date": start + datetime.timedelta(hours=number),
                "status": PostStatus.PUBLISHED,
                "body": "Some text of a post.",
                "body_html": rendered.html,
                "body_text": rendered.text,
                "author": "Ada Lindqvist",
            }
            for number in range(posts)
        ]
        with db.database.atomic():
            for first in range(0, posts, 2000):
                Post.insert_many(rows[first : first + 2000]).execute()
            tags = [Tag.create(name=f"Tag {n}", slug=f"tag-{n}").id for n in range(30)]
            links = [
                {"post": post.id, "tag": tag}
                for post in Post.select(Post.id)
                for tag in rng.sample(tags, 3)
            ]
            for first in range(0, len(links), 2000):
                PostTag.insert_many(links[first : first + 2000]).execute()
    return app


def measure(app, rounds: int):
    from blog.comment_models import CommentStatus
    from blog.comments import actions
    from blog.models import Post
    from tests.factories import make_comment

    reader = app.test_client()
    with app.app_context():
        post = Post.select().order_by(Post.date.desc()).get()
        pending = [
            make_comment(post, body=f"Comment {n}.", status=CommentStatus.PENDING).id
            for n in range(rounds + 1)
        ]
    paths = [path.format(post=post.url) for path in PAGES]
    times = {path: ([], []) for path in paths}
    for number, comment_id in enumerate(pending):
        with app.app_context():
            actions.apply("approve", [comment_id], None)
        for path in paths:
            started, started_cpu = time.perf_counter(), time.process_time()
            assert reader.get(path).status_code == 200, path
            if number:  # the first round fills the cache
                times[path][0].append((time.perf_counter() - started) * 1000)
                times[path][1].append((time.process_time() - started_cpu) * 1000)
    print(f"{'wall ms':>8} {'cpu ms':>8}  page, just after a comment was approved")
    for path, (wall, cpu) in times.items():
        print(f"{statistics.median(wall):8.2f} {statistics.median(cpu):8.2f}  {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="comment-cache-bench-"))
    try:
        app = build(work, options.posts)
        measure(app, options.rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
