"""Publishing-core benchmark: sync, related posts, and serving under gunicorn.

Builds a site from the rust-blog corpus multiplied to N posts (default 10,000)
and reports, beside two baselines measured in the same run on the same
machine: a minimal WSGI app returning the same page's bytes from memory under
the same gunicorn settings (the ceiling of the stack), and nginx serving the
same bytes as a static file (the physical limit). Load comes from wrk.

    .venv/bin/python -m tests.benchmarks.site_bench [--posts 10000] [--seconds 10]
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUST_BLOG = ROOT.parent / "shared" / "data" / "markdown" / "rust-blog"
VENV_BIN = Path(sys.executable).parent
# What `blog serve` runs in each gunicorn worker.
SERVED_APP = "blog.wsgi:application()"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_corpus(target: Path, count: int):
    """Copies of the rust-blog posts with new dates and slugs, N files in all."""
    sources = sorted(RUST_BLOG.rglob("*.md"))
    texts = [path.read_text(encoding="utf-8") for path in sources]
    start = datetime.date(2000, 1, 1)
    posts = target / "posts"
    posts.mkdir(parents=True)
    for number in range(count):
        text = texts[number % len(texts)]
        stem = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", sources[number % len(sources)].stem)
        day = start + datetime.timedelta(days=number // 3)
        # A distinct word per copy keeps copies from being exact duplicates.
        body = text.rstrip() + f"\n\nCopy marker bench{number}.\n"
        (posts / f"{day:%Y-%m-%d}-{stem}-{number}.md").write_text(
            body, encoding="utf-8"
        )


def timed(action):
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def prepare_site(workdir: Path, count: int, database_url: str = "") -> dict:
    """Sync the corpus, index and relate it; return timings and two URLs."""
    from blog import content, create_app, related, search
    from blog.cli import apply_migrations
    from blog.comment_models import Comment, CommentStatus
    from blog.models import Post

    corpus = workdir / "content"
    build_corpus(corpus, count)
    env = {
        "INSTANCE_PATH": str(workdir / "instance"),
        "DATABASE_URL": database_url or f"sqlite:///{workdir}/instance/blog.sqlite3",
        "SECRET_KEY": "benchmark",
        "CONTENT_DIR": str(corpus),
    }
    app = create_app(env)
    figures = {}
    with app.app_context():
        apply_migrations()
        figures["sync_first_s"], report = timed(lambda: content.sync(corpus))
        assert not report.errors, report.errors[:3]
        figures["sync_again_s"], again = timed(lambda: content.sync(corpus))
        assert again.unchanged == count
        figures["search_index_s"], _ = timed(search.rebuild)
        figures["related_all_s"], _ = timed(related.recompute_all)
        newest = Post.published().order_by(Post.date.desc()).first()
        figures["related_update_one_s"], _ = timed(lambda: related.update([newest.id]))
        post = Post.published().order_by(Post.date.desc()).offset(5).first()
        for number in range(50):
            body = f"Comment number {number} on this post, with *some* text."
            Comment.create(
                post=post,
                author_name=f"Reader {number}",
                body=body,
                body_html=f"<p>{body}</p>",
                status=CommentStatus.APPROVED,
                created_at=post.date + datetime.timedelta(minutes=number),
            )
        figures["post_url"] = post.url
    return {"env": env, "figures": figures}


def wait_until_up(url: str, process, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


class Server:
    """A subprocess serving on a free port, stopped on exit."""

    def __init__(self, args, env=None, probe="/"):
        self.port = free_port()
        self.args = [a.replace("{port}", str(self.port)) for a in args]
        self.env = {**os.environ, **(env or {})}
        self.probe = probe

    def __enter__(self):
        self.process = subprocess.Popen(
            self.args,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        wait_until_up(self.base + self.probe, self.process)
        return self

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=15)


def wrk(url: str, seconds: int, connections: int) -> dict:
    """Requests/s and latency percentiles from wrk."""
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    percentiles = dict(re.findall(r"\s(50|99)%\s+([\d.]+\w+)", output))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": round(rate),
        "p50_ms": _ms(percentiles.get("50", "0ms")),
        "p99_ms": _ms(percentiles.get("99", "0ms")),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 3)


BASELINE_APP = """
import os
BODY = open(os.environ["BENCH_BODY"], "rb").read()
HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Length", str(len(BODY))),
]
def app(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
"""

NGINX_CONF = """
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{{port}};
        root {tmp}/www;
        location / {{ default_type text/html; }}
    }}
}}
"""


def gunicorn_args(app_spec: str, workers: int = 2) -> list[str]:
    return [
        str(VENV_BIN / "gunicorn"),
        "--bind",
        "127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        app_spec,
    ]


def measure_pages(site: dict, seconds: int) -> dict:
    env = {f"BLOG_{k}": v for k, v in site["env"].items() if k != "INSTANCE_PATH"}
    env["BLOG_INSTANCE_PATH"] = site["env"]["INSTANCE_PATH"]
    pages = {"home": "/", "post_50_comments": site["figures"]["post_url"]}
    results = {}
    for mode, cache in (("warm", "1"), ("cold", "0")):
        env["BLOG_PAGE_CACHE"] = cache
        with Server(gunicorn_args(SERVED_APP), env) as server:
            for name, path in pages.items():
                url = server.base + path
                urllib.request.urlopen(url).read()
                results[f"{name}_{mode}"] = {
                    "concurrent_16": wrk(url, seconds, 16),
                    "single_client": wrk(url, seconds, 1),
                }
    return results, pages


def measure_baselines(site: dict, pages: dict, seconds: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-baseline-"))
    tmp.chmod(0o755)  # nginx's workers run as an unprivileged user
    env = {f"BLOG_{k}": v for k, v in site["env"].items() if k != "INSTANCE_PATH"}
    env["BLOG_INSTANCE_PATH"] = site["env"]["INSTANCE_PATH"]
    with Server(gunicorn_args(SERVED_APP), env) as server:
        body = urllib.request.urlopen(server.base + pages["post_50_comments"]).read()
    (tmp / "www").mkdir()
    (tmp / "www" / "post.html").write_bytes(body)
    (tmp / "page.html").write_bytes(body)
    (tmp / "baseline_app.py").write_text(BASELINE_APP)
    results = {"page_bytes": len(body)}
    wsgi_env = {"BENCH_BODY": str(tmp / "page.html"), "PYTHONPATH": str(tmp)}
    with Server(gunicorn_args("baseline_app:app"), wsgi_env) as server:
        results["wsgi_ceiling"] = {
            "concurrent_16": wrk(server.base + "/", seconds, 16),
            "single_client": wrk(server.base + "/", seconds, 1),
        }
    nginx = shutil.which("nginx", path="/usr/sbin:/usr/bin:/sbin:/bin")
    if nginx is None:
        results["nginx"] = "not installed (apt-get install nginx-light)"
        return results
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp))
    args = [nginx, "-c", str(conf), "-g", "daemon off;"]
    server = Server(args, probe="/post.html")
    conf.write_text(conf.read_text().replace("{port}", str(server.port)))
    with server:
        results["nginx"] = {
            "concurrent_16": wrk(server.base + "/post.html", seconds, 16),
            "single_client": wrk(server.base + "/post.html", seconds, 1),
        }
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed for the load: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="bench-site-"))
    site = prepare_site(workdir, args.posts)
    pages, urls = measure_pages(site, args.seconds)
    baselines = measure_baselines(site, urls, args.seconds)
    ceiling = baselines["wsgi_ceiling"]["concurrent_16"]["rps"]
    post_warm = pages["post_50_comments_warm"]["concurrent_16"]["rps"]
    report = {
        "command": " ".join(
            [Path(sys.executable).name, "-m", "tests.benchmarks.site_bench"]
            + sys.argv[1:]
        ),
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "posts": args.posts,
        "timings": site["figures"],
        "pages": pages,
        "baselines": baselines,
        "post_page_share_of_wsgi_ceiling": round(post_warm / ceiling, 3)
        if ceiling
        else None,
    }
    print(json.dumps(report, indent=2, default=str))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
