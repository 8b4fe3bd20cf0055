"""Time related posts on a synthetic blog made from the rust-blog corpus.

    .venv/bin/python -m tests.benchmarks.related_bench [--posts 10000] [--url URL]
        [--updates 5]

Each synthetic post keeps most lines of one rust-blog post, shuffled, plus some
lines of another, so the posts are alike without being copies; two in five have
no tags. Without --url the database is a new SQLite file; a --url database that
already has posts is timed as it is (and changed: see below).

Timed: recompute_all() with no stored term counts (as after the migration that
added them), again with them stored, then --updates times update() of one post:
a new post copying an old one's text and tags, and an old post rewritten. The
timings run in a fresh process, so its peak memory is theirs; CPU time is
printed beside the wall-clock time because a busy machine stretches the latter.
"""

import argparse
import datetime
import multiprocessing
import random
import resource
import tempfile
import time
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from blog import content, db, markup, related
from blog.cli import apply_migrations
from blog.models import Post
from blog.term_models import (
    Category,
    PostCategory,
    PostTag,
    RelatedCounts,
    RelatedPost,
    Tag,
)

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
    print(f"{label}: {wall:.2f} s ({cpu:.2f} s of CPU)", flush=True)
    return result


def publish_one(template: Post) -> int:
    """A new published post with the text and labels of template; its id."""
    post = Post.create(
        title=f"{template.title} (again)",
        slug=f"again-{time.time_ns()}",
        date=datetime.datetime.now(datetime.UTC).replace(tzinfo=None),
        status="published",
        body_text=template.body_text,
    )
    for link in PostTag.select().where(PostTag.post == template.id):
        PostTag.create(post=post, tag=link.tag_id)
    for link in PostCategory.select().where(PostCategory.post == template.id):
        PostCategory.create(post=post, category=link.category_id)
    return post.id


def edit_one(post_id: int):
    """Rewrite a post's body: half its lines, in reverse order."""
    post = Post.get_by_id(post_id)
    lines = post.body_text.splitlines()
    post.body_text = "\n".join(reversed(lines[: len(lines) // 2 + 1]))
    post.save()


def measure(url: str, updates: int):
    """Time full recomputes and updates of one post, in this process alone."""
    db.init(url)
    RelatedCounts.delete().execute()
    timed("recompute_all, counting every post", related.recompute_all)
    timed("recompute_all, counts stored", related.recompute_all)
    print(f"{RelatedPost.select().count()} related rows")
    posts = list(Post.select(Post.id).order_by(Post.id).limit(updates).tuples())
    for number, (post_id,) in enumerate(posts):
        new = publish_one(Post.get_by_id(post_id))
        timed(f"update: publish a post ({number + 1})", partial(related.update, [new]))
        edit_one(post_id)
        timed(f"update: edit a post ({number + 1})", partial(related.update, [post_id]))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the timing process: {peak:.0f} MB")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--url", default="")
    parser.add_argument("--updates", type=int, default=5)
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
    child = multiprocessing.get_context("spawn").Process(
        target=measure, args=(url, options.updates)
    )
    child.start()
    child.join()


if __name__ == "__main__":
    main()
