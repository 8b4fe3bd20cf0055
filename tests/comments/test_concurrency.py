"""Many readers commenting at once through `blog serve` on SQLite: none lost or doubled.

16 clients post 512 comments (and send every eighth form twice, as a
double click does) to gunicorn with 4 workers. Every comment the server
acknowledged must be in the database exactly once, and the database must
pass SQLite's integrity check.
"""

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path

import pytest
import requests

from blog import create_app, db
from blog.cli import apply_migrations
from tests.conftest import POSTGRES_URL, ROOT
from tests.factories import make_post

CLIENTS = 16
PER_CLIENT = 32
WORKERS = 4
START_TIMEOUT = 30
TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')
MARKER = re.compile(r"marker-\d+-\d+")
# Checks that would refuse a crowd sharing one address, or a test client's speed.
SETTINGS = {
    "check_flood": False,
    "check_rate": False,
    "min_form_seconds": 0,
}

pytestmark = pytest.mark.skipif(
    bool(POSTGRES_URL), reason="SQLite's write lock is what this test exercises"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare_site(env):
    """Migrate the server's database and add one post, in this process."""
    app = create_app(
        {
            "INSTANCE_PATH": env["BLOG_INSTANCE_PATH"],
            "DATABASE_URL": env["BLOG_DATABASE_URL"],
            "SECRET_KEY": env["BLOG_SECRET_KEY"],
        }
    )
    with app.app_context():
        db.database.connect(reuse_if_open=True)
        apply_migrations()
        make_post(title="A busy post")
        settings = app.extensions["settings"]
        for key, value in SETTINGS.items():
            settings.set(key, value)
        db.database.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`blog serve` over a fresh SQLite site; yields (url, database path).

    Started once for the module: its four workers took 16 s to start under load.
    """
    tmp_path = tmp_path_factory.mktemp("concurrency")
    database = tmp_path / "blog.sqlite3"
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BLOG_") and k != "XDG_RUNTIME_DIR"
    }
    # Where gunicorn would put its control socket, so the test can see it.
    env["HOME"] = str(tmp_path / "home")
    env.update(
        BLOG_INSTANCE_PATH=str(tmp_path / "instance"),
        BLOG_DATABASE_URL=f"sqlite:///{database}",
        BLOG_SECRET_KEY="concurrency test key",
        BLOG_SITE_URL=f"http://127.0.0.1:{port}",
    )
    _prepare_site(env)
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("blog")), "serve", "--host", "127.0.0.1"]
        + ["--port", str(port), "--workers", str(WORKERS)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(url, process)
        yield url, database
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def _wait_until_answering(url, process):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, "blog serve exited"
        try:
            if requests.get(url + "/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    pytest.fail("blog serve did not answer")


def _post_path(database) -> tuple[int, str]:
    with sqlite3.connect(database) as connection:
        post_id, date, slug = connection.execute(
            "SELECT id, date, slug FROM post WHERE kind = 'post' AND status = "
            "'published' ORDER BY date DESC LIMIT 1"
        ).fetchone()
    return post_id, f"/{date[:10].replace('-', '/')}/{slug}/"


def _client(url, post_id, token, number) -> list[str]:
    """Post PER_CLIENT comments; return the markers the server acknowledged."""
    acknowledged = []
    with requests.Session() as session:
        for index in range(PER_CLIENT):
            marker = f"marker-{number}-{index}"
            form = {
                "author": f"Client {number}",
                "email": f"client{number}@example.org",
                "comment": f"Comment {marker} from a crowd.",
                "token": token,
                "homepage": "",
            }
            sends = 2 if index % 8 == 0 else 1
            for _ in range(sends):
                response = session.post(
                    f"{url}/comments/{post_id}/",
                    data=form,
                    allow_redirects=False,
                    timeout=30,
                )
                assert response.status_code == 303, response.text[:500]
            acknowledged.append(marker)
    return acknowledged


def test_concurrent_comments_are_stored_exactly_once(server):
    url, database = server
    post_id, path = _post_path(database)
    token = unescape(TOKEN.search(requests.get(url + path, timeout=10).text).group(1))

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = pool.map(lambda n: _client(url, post_id, token, n), range(CLIENTS))
        acknowledged = [marker for markers in results for marker in markers]

    assert len(acknowledged) == CLIENTS * PER_CLIENT >= 500
    with sqlite3.connect(database) as connection:
        bodies = [row[0] for row in connection.execute("SELECT body FROM comment")]
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
    stored = Counter(marker for body in bodies for marker in MARKER.findall(body))
    assert set(stored) == set(acknowledged)
    assert set(stored.values()) == {1}
    assert len(bodies) == len(acknowledged)
    assert integrity == "ok"


def test_serve_opens_no_control_socket(server):
    """gunicorn's control socket is one path per user: two sites on a server
    would take each other's, and either could stop the other."""
    _url, database = server
    assert not (database.parent / "home" / ".gunicorn").exists()
