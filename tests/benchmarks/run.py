"""`make bench`: every benchmark, one after the other (none is part of `make test`)."""

import subprocess
import sys

# spam_reference is left out: it needs the optional scikit-learn (.[reference]).
BENCHMARKS = [
    "tests.benchmarks.site_bench",
    "tests.benchmarks.related_bench",
    "tests.benchmarks.comments_bench",
    "tests.benchmarks.moderation_bench",
    "tests.benchmarks.big_site_bench",
    "tests.benchmarks.pages_bench",
    "tests.benchmarks.wordpress_bench",
]


def main():
    for module in BENCHMARKS + sys.argv[1:]:
        print(f"== {module}", flush=True)
        subprocess.run([sys.executable, "-m", module], check=True)


if __name__ == "__main__":
    main()
