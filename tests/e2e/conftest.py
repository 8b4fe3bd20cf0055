"""Browser tests: a real server (`blog serve`) driven by Debian's chromium.

Fixtures for every browser test:
Mark browser tests with @pytest.mark.browser (pytestmark = pytest.mark.browser).

- `live_server`: a gunicorn server with two workers on a fresh SQLite database
  with the sample content synced; `.url`, `.instance_path`, `.database_url`,
  `.env` and `.cli(...)` to run `blog` commands against the same site.
- `browser`: chromium from /usr/bin/chromium; Playwright never downloads one.
- `watched_page`: a page whose console errors, uncaught exceptions and CSP
  violations are collected in `.problems`.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 30
# Runs before any page script and is not subject to the page's CSP.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    "CSP violation: " + event.violatedDirective + " blocked " +
    (event.blockedURI || "inline") + " in " + event.documentURI
  );
});
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def blog_command() -> list[str]:
    script = Path(sys.executable).with_name("blog")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from blog.cli import main; main()"]


@dataclass
class LiveServer:
    url: str
    instance_path: Path
    database_url: str
    content_dir: Path
    env: dict = field(repr=False)
    log_path: Path = field(repr=False)

    def cli(self, *args, input=None, check=True) -> subprocess.CompletedProcess:
        """Run `blog ARGS...` against this server's instance and database."""
        result = subprocess.run(
            [*blog_command(), *args],
            env=self.env,
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        if check and result.returncode:
            pytest.fail(f"blog {' '.join(args)}: {result.stdout}{result.stderr}")
        return result

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def server_env(tmp: Path, port: int) -> dict:
    # Nothing from the developer's own BLOG_* settings may leak into the test site.
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLOG_")}
    env.update(
        BLOG_INSTANCE_PATH=str(tmp / "instance"),
        BLOG_DATABASE_URL=f"sqlite:///{tmp / 'blog.sqlite3'}",
        BLOG_SECRET_KEY="browser tests secret key",
        BLOG_CONTENT_DIR=str(tmp / "content"),
        BLOG_SITE_URL=f"http://127.0.0.1:{port}",
        PYTHONUNBUFFERED="1",
    )
    return env


def wait_until_answering(url: str, process: subprocess.Popen, log: Path):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"`blog serve` exited with {process.returncode}:\n{log.read_text()}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    pytest.fail(
        f"`blog serve` did not answer {url} in {START_TIMEOUT} s:\n{log.read_text()}"
    )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """`blog serve --workers 2` on a free port over a fresh copy of the site."""
    tmp = tmp_path_factory.mktemp("live")
    shutil.copytree(ROOT / "content", tmp / "content")
    port = free_port()
    server = LiveServer(
        url=f"http://127.0.0.1:{port}",
        instance_path=tmp / "instance",
        database_url=f"sqlite:///{tmp / 'blog.sqlite3'}",
        content_dir=tmp / "content",
        env=server_env(tmp, port),
        log_path=tmp / "server.log",
    )
    server.cli("migrate")
    server.cli("content", "sync")
    with server.log_path.open("w") as log:
        process = subprocess.Popen(
            [*blog_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
            + ["--workers", "2"],
            env=server.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
    try:
        wait_until_answering(server.url + "/", process, server.log_path)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        unavailable("Debian's chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class WatchedPage:
    page: object
    problems: list = field(default_factory=list)


@pytest.fixture
def watched_page(browser):
    """A fresh desktop-sized page that records every console error and CSP violation."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    watched = WatchedPage(page)
    page.on(
        "console",
        lambda message: (
            message.type == "error" and watched.problems.append(message.text)
        ),
    )
    page.on("pageerror", lambda error: watched.problems.append(f"uncaught: {error}"))
    yield watched
    context.close()
