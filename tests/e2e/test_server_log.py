"""What `blog serve` writes to its log: never a reader's address."""

import socket
import time
from urllib.parse import urlsplit


def _send(url: str, request: bytes) -> bytes:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as conn:
        conn.sendall(request)
        return conn.recv(1024)


def test_a_request_gunicorn_refuses_logs_no_address_of_the_reader(live_server):
    # A long search, or cookies past gunicorn's limits: readers send these too.
    long_line = b"GET /search/?q=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    assert _send(live_server.url, long_line).startswith(b"HTTP/1.1 414")
    bad_header = b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n"
    assert _send(live_server.url, bad_header).startswith(b"HTTP/1.1 400")
    deadline = time.monotonic() + 5
    while live_server.log().count("Invalid request from") < 2:
        assert time.monotonic() < deadline, live_server.log()
        time.sleep(0.05)
    log = live_server.log()
    assert "ip=127.0.0.1" not in log
    assert "Invalid request from ip=127.0.0.0/24" in log
