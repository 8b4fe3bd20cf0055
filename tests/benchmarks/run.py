"""`make bench`: every benchmark, one after the other (none is part of `make test`)."""

import subprocess
import sys

BENCHMARKS = ["tests.benchmarks.site_bench", "tests.benchmarks.comments_bench"]


def main():
    for module in BENCHMARKS + sys.argv[1:]:
        print(f"== {module}", flush=True)
        subprocess.run([sys.executable, "-m", module], check=True)


if __name__ == "__main__":
    main()
