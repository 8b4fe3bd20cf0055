"""Comment pipeline benchmark: latency in process, throughput through `blog serve`.

1. blog.comments.submit called directly on SQLite: latency per comment
   (p50/p99; target p99 < 5 ms) and CPU time per comment, with the
   database's durable commits (synchronous=FULL, as served) and, for
   comparison, without the fsync. The spam filter runs on its shipped model,
   loaded as `blog init` loads it. The WAL checkpoint the app runs after a
   response, every db.CHECKPOINT_EVERY writes, runs between two comments and
   is timed apart.
2. Accepted comments per second POSTed to `blog serve` (gunicorn, SQLite) by
   wrk with 16 connections, each form a distinct comment; every 303 is
   checked against the rows stored. Target >= 350/s (Isso: about 175/s).
3. Requests per second of a post page showing 50 comments, from the page
   cache and rendered afresh (page cache off).

    .venv/bin/python -m tests.benchmarks.comments_bench [--seconds 10] [--workers 2]
"""

import argparse
import datetime
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from html import unescape
from pathlib import Path
from urllib.parse import quote

from blog.cli import SERVE_WORKERS

ROOT = Path(__file__).resolve().parents[2]
BLOG = Path(sys.executable).with_name("blog")
TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')
# The checks that would refuse a benchmark: one address, machine speed.
BENCH_SETTINGS = {"check_flood": False, "check_rate": False, "min_form_seconds": 0}
BODY = (
    "I moved my blog to SQLite in WAL mode last year and it has been fine. "
    "The only surprise was the backup routine; see the restic post. Comment "
)
WRK_SCRIPT = """
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  accepted = 0
  refused = 0
end
function request()
  counter = counter + 1
  local body = "author=Bench+" .. id .. "&email=bench" .. id .. "%40example.org"
    .. "&homepage=&parent=&url=&token=" .. TOKEN
    .. "&comment=" .. BODY .. id .. "-" .. counter
  return wrk.format("POST", PATH,
    {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
function response(status, headers, body)
  if status == 303 then accepted = accepted + 1 else refused = refused + 1 end
end
function done(summary, latency, requests)
  local a, r = 0, 0
  for _, thread in ipairs(threads) do
    a = a + thread:get("accepted")
    r = r + thread:get("refused")
  end
  io.write(string.format("RESULT %d %d %f %d %d %d\\n", a, r, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values, fraction) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def pipeline_latency(workdir: Path, count: int, synchronous: str) -> dict:
    """submit() called directly: milliseconds per comment."""
    from blog import create_app, db
    from blog.cli import apply_migrations
    from blog.comments import Submission, submit, tokens
    from blog.comments.spam import classifier
    from blog.models import utcnow
    from tests.factories import make_post

    folder = workdir / f"latency-{synchronous}"
    app = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "DATABASE_URL": f"sqlite:///{folder}/blog.sqlite3",
            "SECRET_KEY": "benchmark",
        }
    )
    with app.app_context():
        db.database.connect(reuse_if_open=True)
        apply_migrations()
        classifier.seed_from_default()
        db.database.execute_sql(f"PRAGMA synchronous = {synchronous}")
        post = make_post(date=utcnow() - datetime.timedelta(days=1))
        settings = app.extensions["settings"]
        for key, value in BENCH_SETTINGS.items():
            settings.set(key, value)
        values, secret = settings.all(), app.config["SECRET_KEY"]
        token = tokens.issue(post.id, secret, utcnow())
        times, cpu, checkpoints = [], [], []
        for number in range(count):
            form = {
                "author": f"Reader {number % 50}",
                "email": f"reader{number % 50}@example.org",
                "comment": BODY + str(number),
                "token": token,
                "homepage": "",
            }
            started, used = time.perf_counter(), time.process_time()
            submit(
                Submission(post.id, form, f"198.51.100.{number % 250}"), values, secret
            )
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
            # What the app does once the response has gone out.
            if db.checkpoint_due():
                started = time.perf_counter()
                db.checkpoint()
                checkpoints.append((time.perf_counter() - started) * 1000)
        db.database.close()
    warm = times[count // 10 :]
    return {
        "p50_ms": round(statistics.median(warm), 3),
        "p99_ms": round(percentile(warm, 0.99), 3),
        # Wall time waits for the disk and for the other users of the CPU.
        "cpu_p50_ms": round(statistics.median(cpu[count // 10 :]), 3),
        "cpu_p99_ms": round(percentile(cpu[count // 10 :], 0.99), 3),
        "checkpoints_after_response": len(checkpoints),
        "checkpoint_p50_ms": round(statistics.median(checkpoints), 3),
    }


class Server:
    """`blog serve` over a fresh copy of the sample site."""

    def __init__(self, workdir: Path, workers: int, page_cache: bool = True):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = workdir / "blog.sqlite3"
        shutil.copytree(ROOT / "content", workdir / "content", dirs_exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("BLOG_")}
        self.env.update(
            BLOG_INSTANCE_PATH=str(workdir / "instance"),
            BLOG_DATABASE_URL=f"sqlite:///{self.database}",
            BLOG_SECRET_KEY="benchmark",
            BLOG_CONTENT_DIR=str(workdir / "content"),
            BLOG_SITE_URL=self.url,
            BLOG_PAGE_CACHE="1" if page_cache else "0",
        )
        self.workers = workers
        self.log = workdir / "server.log"
        self.process = None

    def cli(self, *args):
        done = subprocess.run(
            [str(BLOG), *args], env=self.env, capture_output=True, text=True
        )
        if done.returncode:
            raise RuntimeError(f"blog {' '.join(args)}: {done.stderr}")

    def __enter__(self):
        # As a new site starts: migrations, the spam filter's model, content.
        self.cli("init")
        with sqlite3.connect(self.database) as connection:
            connection.executemany(
                "INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)",
                [(k, json.dumps(v)) for k, v in BENCH_SETTINGS.items()],
            )
        command = [str(BLOG), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--workers", str(self.workers)]
        self.process = subprocess.Popen(
            command,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).read()
                self.settle(deadline)
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"blog serve did not start:\n{self.log.read_text()}")

    def settle(self, deadline: float):
        """Wait until every worker has loaded the app: the server's CPU goes idle."""
        used = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = self.cpu_seconds()
            if now - used < 0.05:
                return
            used = now

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=15)

    def newest_post(self) -> tuple[int, str]:
        with sqlite3.connect(self.database) as connection:
            post_id, date, slug = connection.execute(
                "SELECT id, date, slug FROM post WHERE kind = 'post' "
                "AND status = 'published' ORDER BY date DESC LIMIT 1"
            ).fetchone()
        return post_id, f"/{date[:10].replace('-', '/')}/{slug}/"

    def scalar(self, sql: str):
        with sqlite3.connect(self.database) as connection:
            return connection.execute(sql).fetchone()[0]

    def cpu_seconds(self) -> float:
        """CPU time used so far by gunicorn's master and workers (Linux /proc)."""
        tick, total = os.sysconf("SC_CLK_TCK"), 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process ended meanwhile
            # After the command: state, ppid, pgrp, ... utime (12th), stime.
            if int(fields[2]) == self.process.pid:
                total += int(fields[11]) + int(fields[12])
        return total / tick

    def add_comments(self, post_id: int, count: int):
        """Approved comments written through the models, as the app stores them."""
        from blog import create_app, db
        from tests.factories import make_comment

        app = create_app(
            {
                "INSTANCE_PATH": self.env["BLOG_INSTANCE_PATH"],
                "DATABASE_URL": self.env["BLOG_DATABASE_URL"],
                "SECRET_KEY": "benchmark",
            }
        )
        now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
        with app.app_context():
            db.database.connect(reuse_if_open=True)
            for number in range(count):
                moment = now - datetime.timedelta(minutes=count - number)
                make_comment(post_id, body=BODY + str(number), created_at=moment)
            db.database.close()


def accepted_per_second(workdir: Path, workers: int, seconds: int) -> dict:
    with Server(workdir / "throughput", workers) as server:
        post_id, path = server.newest_post()
        page = urllib.request.urlopen(server.url + path).read().decode()
        token = unescape(TOKEN.search(page).group(1))
        script = workdir / "post.lua"
        script.write_text(
            f'TOKEN = "{quote(token)}"\nBODY = "{quote(BODY)}"\n'
            f'PATH = "/comments/{post_id}/"\n' + WRK_SCRIPT
        )
        cpu_before = server.cpu_seconds()
        output = subprocess.run(
            ["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", str(script), server.url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        cpu = server.cpu_seconds() - cpu_before
        accepted, refused, duration, *latency = re.search(
            r"RESULT (\d+) (\d+) ([\d.]+) (\d+) (\d+) (\d+)", output
        ).groups()
        stored = server.scalar("SELECT COUNT(*) FROM comment")
        integrity = server.scalar("PRAGMA integrity_check")
    # Requests still in flight when wrk stops are stored but not counted.
    assert int(accepted) <= stored <= int(accepted) + 16, (accepted, stored)
    return {
        "accepted_per_s": round(int(accepted) / float(duration), 1),
        # What the server spent per comment, whatever else shares the CPU.
        "server_cpu_ms_per_accepted": round(cpu * 1000 / max(1, int(accepted)), 2),
        # Each POST as wrk saw it, from 16 connections at once.
        "response_p50_ms": round(int(latency[0]) / 1000, 1),
        "response_p99_ms": round(int(latency[1]) / 1000, 1),
        "response_max_ms": round(int(latency[2]) / 1000, 1),
        "accepted": int(accepted),
        "refused": int(refused),
        "stored": stored,
        "integrity": integrity,
    }


def page_with_comments(workdir: Path, workers: int, seconds: int, cache: bool) -> dict:
    folder = workdir / ("page-cached" if cache else "page-rendered")
    with Server(folder, workers, page_cache=cache) as server:
        post_id, path = server.newest_post()
        server.add_comments(post_id, 50)
        server.cli("settings", "set", "comments_per_page", "50")
        html = urllib.request.urlopen(server.url + path).read().decode()
        assert html.count('class="comment depth-0') == 50
        output = subprocess.run(
            ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", server.url + path],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return {"requests_per_s": rate}


def machine_speed() -> float:
    """CPU seconds of a plain Python loop, to tell a slower machine from
    slower code: the same code took 2.4-2.9 ms of server CPU a comment on one
    session's VM and 7.0-7.8 ms on the next one's, where this loop took 1.4-1.6 s."""
    started, total = time.process_time(), 0
    for number in range(10_000_000):
        total += number
    return round(time.process_time() - started, 3)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    # As `blog serve` runs by default.
    parser.add_argument("--workers", type=int, default=SERVE_WORKERS)
    parser.add_argument("--comments", type=int, default=2000)
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="comments-bench-"))
    try:
        figures = {
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "python_loop_10m_cpu_s": machine_speed(),
            "latency_durable": pipeline_latency(workdir, options.comments, "FULL"),
            "latency_no_fsync": pipeline_latency(workdir, options.comments, "NORMAL"),
            "serve_accepted": accepted_per_second(
                workdir, options.workers, options.seconds
            ),
            "page_50_cached": page_with_comments(
                workdir, options.workers, options.seconds, cache=True
            ),
            "page_50_rendered": page_with_comments(
                workdir, options.workers, options.seconds, cache=False
            ),
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
