"""No public page or feed ever shows a commenter's email or address, or their hashes.

Comments with distinctive emails and addresses are posted through the real
form in every status; then every public page is crawled by following links
from the home page (plus URLs no page links to), and each response is
searched for the emails, the addresses and their plain md5/sha1/sha256.
"""

import hashlib
import re
from collections import deque
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest

from blog import content
from blog.comment_models import Comment, CommentStatus
from blog.models import Post

TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')
LINK = re.compile(r'(?:href|src)="([^"]+)"')
XML_LINK = re.compile(r"<(?:loc|link|id)>([^<]+)</|<link[^>]*href=\"([^\"]+)\"")
MAX_PAGES = 600

COMMENTERS = [
    # (email, address, decoy filled, status to end in)
    ("Zelda.Quux+blog@Example-Privacy.org", "198.51.100.71", False, "approved"),
    ("oona.wrigley@privacy-test.example", "2001:db8:77:1::42", False, "approved"),
    ("pending.person@hold-test.example", "203.0.113.144", False, "pending"),
    ("robot.spammer@spam-test.example", "192.0.2.201", True, "spam"),
    ("rejected.one@reject-test.example", "198.51.100.172", False, "rejected"),
    ("deleted.one@delete-test.example", "203.0.113.233", False, "deleted"),
]


def secrets_of(email: str, address: str) -> set[str]:
    """The values that must never be public, with their unkeyed hashes."""
    plain = {email, email.lower(), email.strip().lower(), address}
    found = set(plain)
    for value in plain:
        for name in ("md5", "sha1", "sha256"):
            found.add(hashlib.new(name, value.encode()).hexdigest())
    return found


@pytest.fixture
def seeded(app, client, content_dir):
    report = content.sync(content_dir)
    assert report.errors == []
    settings = app.extensions["settings"]
    settings.set("min_form_seconds", 0)
    posts = list(Post.published().order_by(Post.date.desc()).limit(2))
    for number, (email, address, decoy, status) in enumerate(COMMENTERS):
        post = posts[number % 2]
        settings.set("hold_all", status != "approved")
        page = client.get(post.url).get_data(as_text=True)
        token = unescape(TOKEN.search(page).group(1))
        response = client.post(
            f"/comments/{post.id}/",
            data={
                "author": f"Commenter {number}",
                "email": email,
                "url": f"https://site{number}.example/",
                "comment": f"Comment {number}: write to {email} or call 555-0100",
                "token": token,
                "homepage": "filled by a robot" if decoy else "",
            },
            environ_base={"REMOTE_ADDR": address},
        )
        assert response.status_code == 303
        comment = Comment.select().order_by(Comment.id.desc()).get()
        comment.status = status
        comment.save()
    settings.set("hold_all", False)
    assert {c.status for c in Comment.select()} == set(CommentStatus)
    return posts


def _links(url: str, body: str) -> set[str]:
    found = set()
    for match in LINK.finditer(body):
        found.add(unescape(match.group(1)))
    for match in XML_LINK.finditer(body):
        found.add(unescape(match.group(1) or match.group(2)))
    local = set()
    for link in found:
        absolute = urljoin(url, link)
        parts = urlsplit(absolute)
        if parts.scheme in ("http", "https") and parts.hostname in (
            "127.0.0.1",
            "localhost",
        ):
            local.add(parts.path + (f"?{parts.query}" if parts.query else ""))
        elif not parts.scheme and not parts.netloc:
            local.add(absolute)
    return {link for link in local if link.startswith("/")}


def crawl(app, start: list[str]) -> dict[str, bytes]:
    """Every page reachable from start, fetched as an anonymous reader."""
    reader = app.test_client()
    seen: dict[str, bytes] = {}
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or url.startswith(("/admin", "/login")):
            continue
        response = reader.get(url)
        seen[url] = response.get_data()
        if response.status_code in (301, 302, 303, 307, 308):
            queue.append(urlsplit(response.headers["Location"]).path)
            continue
        if response.mimetype and response.mimetype.startswith(
            ("text/", "application/")
        ):
            base = f"http://127.0.0.1{url}"
            queue.extend(_links(base, response.get_data(as_text=True)))
    return seen


def test_no_public_page_shows_commenters_contacts(app, seeded):
    comments = list(Comment.select())
    known = ["/", "/feed/", "/feed/atom/", "/feed/rss/", "/sitemap.xml", "/robots.txt"]
    known += ["/comments/feed/", "/search/?q=comment", "/search/?q=privacy-test"]
    for post in Post.select():
        known += [post.url, f"/comments/{post.id}/feed/"]
    for comment in comments:
        known.append(f"{comment.post.url}?replytocom={comment.id}")
    pages = crawl(app, known)

    assert len(pages) > 40
    everything = b"\n".join(pages.values()).decode("utf-8", "replace")
    # The crawl did see the approved comments (names are public), so it looked
    # in the right places.
    assert "Commenter 0" in everything and "Commenter 1" in everything
    assert any(url.startswith("/identicon/") for url in pages)
    assert any("comments/feed" in url for url in pages)
    for email, address, _decoy, _status in COMMENTERS:
        for secret in secrets_of(email, address):
            leaks = [url for url, body in pages.items() if secret.encode() in body]
            assert not leaks, f"{secret!r} is public at {leaks[:3]}"
    for comment in comments:
        for private in (comment.email_hash, comment.ip_hash, comment.ip_prefix):
            leaks = [url for url, body in pages.items() if private.encode() in body]
            assert not leaks, f"{private!r} is public at {leaks[:3]}"
    # Pending, spam, rejected and deleted comments are not public at all.
    for number in (2, 3, 4, 5):
        assert f"Commenter {number}" not in everything
