"""Time the comments built to be slow (tests/worst_cases.py) against plain prose.

    .venv/bin/python -m tests.benchmarks.worst_case_bench [--runs 3]

Each worst case is rendered as a new comment is (`rendering.render`: Markdown,
bleach, linkify, masking), masked (`privacy.mask_contacts`) and read for links
as the spam checks read it (`features.links`), median of --runs, in CPU
seconds of this process; beside them, the same for a prose comment of the
same length, in the same run, so the ratio does not depend on
the machine. Every one of them but the near addresses took 4 to 40 s before
its fix; masking any of them must stay well under 0.1 s.
"""

import argparse
import json
import statistics
import time

from blog.comments.privacy import mask_contacts
from blog.comments.rendering import render
from blog.comments.spam.features import links
from blog.markup import render_comment
from tests import worst_cases

PROSE = (
    "I moved my blog to SQLite in WAL mode last year and it has been fine. "
    "The only surprise was the backup routine; see the restic post. "
)


def cpu_seconds(work, text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        render_comment.cache_clear()  # it keeps the last few renderings
        links.cache_clear()
        start = time.process_time()
        work(text)
        times.append(time.process_time() - start)
    return round(statistics.median(times), 3)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    prose = worst_cases.repeated(PROSE)
    cases = {
        f"link run {unit!r}": worst_cases.repeated(unit)
        for unit in worst_cases.LINK_RUNS
    }
    cases |= {
        f"check run {unit!r}": worst_cases.repeated(unit)
        for unit in worst_cases.CHECK_RUNS
    }
    cases |= {
        f"emphasis {marks!r}": worst_cases.nested(marks)
        for marks in worst_cases.EMPHASIS_MARKS
    }
    cases |= {
        f"blocks {unit!r}": worst_cases.repeated(unit)
        for unit, *_ in worst_cases.BLOCKS
    }
    cases |= {
        f"numbers {unit!r}": worst_cases.endless(unit)
        for unit in worst_cases.ENDLESS_NUMBERS
    }
    cases |= {
        f"near address {unit!r}": worst_cases.repeated(unit)
        for unit in worst_cases.NEAR_ADDRESSES
    }
    cases |= {
        f"spelt user name {unit!r}": worst_cases.spelt_user_name(unit)
        for unit in worst_cases.SPELT_USER_NAMES
    }
    cases |= {
        f"long host {at!r}": worst_cases.long_host(at) for at in worst_cases.LONG_HOSTS
    }
    baseline = {
        "render": cpu_seconds(render, prose, runs),
        "mask": cpu_seconds(mask_contacts, prose, runs),
        "links": cpu_seconds(links, prose, runs),
    }
    report = {"prose, 65,525 characters": baseline}
    for name, text in cases.items():
        figures = {
            "render": cpu_seconds(render, text, runs),
            "mask": cpu_seconds(mask_contacts, text, runs),
            "links": cpu_seconds(links, text, runs),
        }
        figures["render_vs_prose"] = round(figures["render"] / baseline["render"], 1)
        report[name] = figures
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
