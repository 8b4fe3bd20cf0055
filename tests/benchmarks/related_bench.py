"""Time related posts on a synthetic blog made from the rust-blog corpus.

    .venv/bin/python -m tests.benchmarks.related_bench [--posts 10000] [--url URL]

Each synthetic post keeps most lines of one rust-blog post, shuffled, plus some
lines of another, so the posts are alike without being copies; two in five have
no tags. Without --url the database is a new SQLite file; a --url database that
already has posts is timed as it is. The timings run in a
fresh process, so its peak memory is theirs; CPU time is printed beside the
wall-clock time because a busy machine stretches the latter.
"""

import argparse
import datetime
import multiprocessing
import random
import resource
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from blog import content, db, markup, related
from blog.cli import apply_migrations
from blog.models import Category, Post, PostCategory, PostTag, RelatedPost, Tag

SOURCE = Path(__file__).resolve().parents[3] / "shared/data/markdown/rust-blog"
TAGS = [f"topic-{n}" for n in range(150)]
CATEGORIES = ["Releases", "Language", "Tooling", "Community", "Compiler", "Docs"]


def sources() -> list[tuple[str, list[str]]]:
    """(title, lines of plain text) of every rust-blog post."""
    found = []
    for path in sorted(SOURCE.glob("*.md")):
        parsed = content.parse(path.name, path.read_bytes(), ZoneInfo("UTC"))
        text = markup.render_post(parsed.body).text
        found.append((parsed.title, [line for line in text.splitlines() if line]))
    if not found:
        raise SystemExit(f"no rust-blog posts in {SOURCE}")
    return found


def synthetic(count: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    corpus = sources()
    start = datetime.datetime(2010, 1, 1)
    posts = []
    for number in range(count):
        title, lines = corpus[number % len(corpus)]
        _, other = rng.choice(corpus)
        body = rng.sample(lines, int(len(lines) * 0.9) or 1)
        body += rng.sample(other, int(len(other) * 0.25))
        rng.shuffle(body)
        posts.append(
            {
                "title": f"{title} ({number // len(corpus) + 1})",
                "text": "\n".join(body),
                "date": start + datetime.timedelta(hours=6 * number),
                "tags": rng.sample(TAGS, rng.choice([0, 0, 1, 2, 3])),
                "category": rng.choice(CATEGORIES),
            }
        )
    return posts


def load(posts: list[dict]):
    tags = {name: Tag.create(name=name, slug=name).id for name in TAGS}
    categories = {n: Category.create(name=n, slug=n.lower()).id for n in CATEGORIES}
    with db.database.atomic():
        for number, post in enumerate(posts):
            post_id = Post.insert(
                title=post["title"],
                slug=f"post-{number}",
                date=post["date"],
                status="published",
                body_text=post["text"],
            ).execute()
            for name in post["tags"]:
                PostTag.insert(post=post_id, tag=tags[name]).execute()
            PostCategory.insert(
                post=post_id, category=categories[post["category"]]
            ).execute()


def timed(label: str, action):
    began, cpu = time.perf_counter(), time.process_time()
    result = action()
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    print(f"{label}: {wall:.1f} s ({cpu:.1f} s of CPU)", flush=True)
    return result


def measure(url: str):
    """Time a full recompute and one update, in this process alone."""
    db.init(url)
    timed("recompute_all", related.recompute_all)
    print(f"{RelatedPost.select().count()} related rows")
    newest = Post.select().order_by(Post.id.desc()).first()
    timed("update one post", lambda: related.update([newest.id]))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the timing process: {peak:.0f} MB")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--url", default="")
    options = parser.parse_args()
    url = options.url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    db.init(url)
    apply_migrations()
    if not Post.select().exists():
        posts = timed("make posts", lambda: synthetic(options.posts))
        words = sum(len(post["text"].split()) for post in posts) / len(posts)
        print(f"{len(posts)} posts, {words:.0f} words on average")
        timed("store posts", lambda: load(posts))
    db.database.close()
    child = multiprocessing.get_context("spawn").Process(target=measure, args=(url,))
    child.start()
    child.join()


if __name__ == "__main__":
    main()
