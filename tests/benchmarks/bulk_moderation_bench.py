"""A bulk "spam" mark of 200 comments and its undo, on a fresh SQLite file.

    .venv/bin/python -m tests.benchmarks.bulk_moderation_bench [--comments 200]

Each comment has its own sender; every other one was learned as good before,
so the mark takes lessons back as well as adding them. Prints the seconds of
the mark and of the undo (and the process's CPU seconds for both, steadier
on a busy machine), and a digest of the token counts and lessons left
after each, to compare two versions of the code: same digests, same model.
Against a base commit, alternate runs of both through PYTHONPATH.
"""

import argparse
import hashlib
import json
import tempfile
import time
from pathlib import Path

import blog
from blog import accounts, create_app, db, markup
from blog.cli import apply_migrations
from blog.comment_models import Comment, SpamLesson, SpamToken
from blog.comments import actions, privacy, undo
from blog.comments.spam import classifier
from blog.models import Role
from tests.factories import make_post


def digest() -> str:
    """The token counts and the lessons' labels and tokens, hashed."""
    tokens = SpamToken.select(SpamToken.token, SpamToken.spam, SpamToken.ham)
    lessons = SpamLesson.select(SpamLesson.comment, SpamLesson.spam, SpamLesson.tokens)
    rows = [
        sorted(tokens.tuples()),
        sorted(lessons.order_by(SpamLesson.comment).tuples()),
    ]
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:12]


def fill(count: int) -> list[int]:
    post = make_post(title="Bench")
    comments = []
    for n in range(count):
        body = f"Offer {n}: cheap watches and pills {n}"
        email = f"s{n}@example.com"
        comments.append(
            Comment.create(
                post=post,
                author_name="Reader",
                author_email=email,
                email_hash=privacy.hash_email(email, "k"),
                author_url=f"https://shop{n}.example.net/",
                body=body,
                body_html=markup.render_comment(body),
                status="approved",
                ip_hash=f"ip-{n}",
                ip_prefix="203.0.113.0/24",
            )
        )
    for comment in comments[::2]:
        classifier.learn_from_decision(comment, spam=False)
    return [comment.id for comment in comments]


def timed(work, *args):
    """What work(*args) returns, its wall seconds and its CPU seconds."""
    cpu, start = time.process_time(), time.perf_counter()
    value = work(*args)
    return value, time.perf_counter() - start, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=200)
    count = parser.parse_args().comments
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": f"{tmp}/instance",
                "DATABASE_URL": f"sqlite:///{tmp}/blog.db",
            }
        )
        with app.app_context():
            db.database.connect(reuse_if_open=True)
            apply_migrations()
            user = accounts.create_user("mod", "benchmark password", Role.MODERATOR)
            ids = fill(count)
            result, mark, mark_cpu = timed(actions.apply, "spam", ids, user)
            after_mark = digest()
            done, taken_back, undo_cpu = timed(undo.undo, result.undo_id, user)
            cpu = mark_cpu + undo_cpu
            assert len(done.done) == count
            print(
                f"{Path(blog.__file__).parent.parent} mark={mark:.3f} "
                f"undo={taken_back:.3f} total={mark + taken_back:.3f} cpu={cpu:.3f} "
                f"marked={after_mark} undone={digest()}"
            )


if __name__ == "__main__":
    main()
