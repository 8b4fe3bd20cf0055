"""The keyword check with a long list, as people paste from community blocklists.

    .venv/bin/python -m tests.benchmarks.keywords_bench [--keywords 40000] [--runs 20]

Lists of tens of thousands of words, domains and phrases are shared for
WordPress's "Disallowed Comment Keys". Prints the CPU milliseconds of one
check_keywords() call on an ordinary comment (median of --runs, the list's
patterns already built, as a live site has them after its first comment)
and the one-off cost of building them.
"""

import argparse
import json
import random
import statistics
import time

from blog.comments.spam.content import check_keywords

COMMENT = {
    "author_name": "Ada Lindqvist",
    "author_email": "ada@example.org",
    "author_url": "https://ada.example.org/",
    "body": (
        "Thanks for the write-up on WAL mode. I moved my blog to SQLite last "
        "year and the only surprise was the backup routine; restic handles it "
        "now. Have you tried litestream for the same job?"
    ),
}


def keyword_list(count: int, seed: int = 7) -> list[str]:
    """Words, domains, addresses and phrases, none of them in COMMENT."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"

    def word():
        return "".join(rng.choice(letters) for _ in range(rng.randint(4, 10)))

    kinds = [
        word,
        lambda: f"{word()}.{rng.choice(['ru', 'cn', 'xyz', 'top', 'info'])}",
        lambda: f"@{word()}.com",
        lambda: f"{word()} {word()}",
    ]
    return [rng.choice(kinds)() for _ in range(count)]


def cpu_ms(call, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.process_time()
        call()
        times.append((time.process_time() - started) * 1000)
    return round(statistics.median(times), 3)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keywords", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args()
    settings = {
        "disallowed_keywords": keyword_list(options.keywords),
        "moderation_keywords": [],
    }
    started = time.process_time()
    check_keywords(COMMENT, settings)
    first = (time.process_time() - started) * 1000
    report = {
        "keywords": options.keywords,
        "first_call_ms": round(first, 1),
        "check_ms": cpu_ms(lambda: check_keywords(COMMENT, settings), options.runs),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
