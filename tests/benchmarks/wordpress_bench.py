"""Memory and time of reading and importing a large synthetic WordPress export.

    .venv/bin/python -m tests.benchmarks.wordpress_bench [--megabytes 50] [--no-import]

Writes a WXR of about the given size (posts of ~8 KB, each with three
comments), then reads it, and imports it into a new SQLite database, each in
a fresh process so its peak resident memory is its own.
"""

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.wordpress.builders import comment, item, wxr

BODY = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n" * 140


def write(path: Path, megabytes: int) -> int:
    """Write the export item by item; return how many posts it holds."""
    head, _ = wxr([item(0)]).split(b"<item>", 1)
    count = 0
    with open(path, "wb") as handle:
        handle.write(head)
        while handle.tell() < megabytes * 1_000_000:
            count += 1
            one = item(
                count,
                post_name=f"post-{count}",
                content=BODY,
                comments=[comment(count * 10 + n, parent=0) for n in range(3)],
            )
            body = wxr([one]).split(b"<item>", 1)[1].split(b"</item>", 1)[0]
            handle.write(b"<item>" + body + b"</item>\n")
        handle.write(b"</channel>\n</rss>\n")
    return count


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_only(path: str):
    from blog.wordpress import wxr as reader

    baseline, started = peak_mb(), time.perf_counter()
    with open(path, "rb") as stream:
        items = sum(1 for kind, _ in reader.read(stream).records() if kind == "item")
    elapsed = time.perf_counter() - started
    print(
        f"read {items} items in {elapsed:.1f} s; peak RSS {peak_mb():.0f} MB "
        f"(interpreter and imports: {baseline:.0f} MB)"
    )


def import_all(path: str, database: str):
    from blog import db
    from blog.cli import apply_migrations
    from blog.wordpress import importer

    db.init(f"sqlite:///{database}")
    apply_migrations()
    baseline, started = peak_mb(), time.perf_counter()
    report = importer.import_file(path, key="benchmark")
    elapsed = time.perf_counter() - started
    print(report.format().splitlines()[2])
    print(
        f"imported in {elapsed:.1f} s; peak RSS {peak_mb():.0f} MB "
        f"(before the import: {baseline:.0f} MB)"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--no-import", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        {"read": read_only, "import": import_all}[args.child[0]](*args.child[1:])
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "big.xml")
        posts = write(path, args.megabytes)
        print(f"{path.stat().st_size / 1e6:.0f} MB export, {posts} posts")
        steps = [["read", str(path)]]
        if not args.no_import:
            steps.append(["import", str(path), str(Path(folder, "blog.sqlite3"))])
        for step in steps:
            command = [sys.executable, "-m", __spec__.name, "--child", *step]
            subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
