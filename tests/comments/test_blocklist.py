"""The blocklist: a confirmed spammer's email, host and address, blocked and lifted."""

import datetime

import pytest

from blog.comment_models import BlockedItem, Comment
from blog.comments.retention import forget_old_addresses
from blog.comments.spam import Outcome
from blog.comments.spam.blocklist import block_comments, match, unblock_comments
from blog.comments.spam.content import check_blocklist
from blog.models import utcnow
from tests import worst_cases
from tests.factories import make_post

EMAIL, IP = "e" * 64, "i" * 64


@pytest.fixture
def spammer(app) -> Comment:
    return Comment.create(
        post=make_post(),
        author_name="Promo",
        body="buy now",
        status="spam",
        email_hash=EMAIL,
        ip_hash=IP,
        author_url="https://www.spam.example/landing",
    )


def entries() -> set:
    return set(BlockedItem.select(BlockedItem.kind, BlockedItem.value).tuples())


def test_blocking_takes_the_email_hash_host_and_ip_hash(spammer):
    assert block_comments([spammer]) == 3
    assert entries() == {
        ("email_hash", EMAIL),
        ("host", "spam.example"),
        ("ip_hash", IP),
    }
    assert BlockedItem.get().reason == f"comment {spammer.id} marked spam"


def test_blocking_twice_keeps_one_entry_each(spammer):
    block_comments([spammer])
    block_comments([spammer])
    assert BlockedItem.select().count() == 3


@pytest.mark.parametrize(
    "email_hash, url, ip_hash, links, found",
    [
        (EMAIL, "", "", [], "email hash"),
        ("", "", IP, [], "IP hash"),
        ("", "http://spam.example/other", "", [], "host spam.example"),
        ("", "https://WWW.SPAM.EXAMPLE", "", [], "host spam.example"),
        ("", "https://shop.spam.example/", "", [], "host spam.example"),
        ("", "https://ｓｐａｍ.example/", "", [], "host spam.example"),  # fullwidth
        ("", "", "", ["http://spam.example/x"], "host spam.example"),
        # Links a browser opens on spam.example though "http://" is missing.
        ("", "", "", ["//spam.example/x"], "host spam.example"),
        ("", "", "", ["https:/spam.example"], "host spam.example"),
        ("", "", "", ["http:shop.spam.example"], "host spam.example"),
        ("", "", "", ["/spam.example/x"], None),  # a page of this site
        ("", "https://notspam.example", "", [], None),
        ("", "https://spam.example.org", "", [], None),
        ("f" * 64, "https://other.example", "j" * 64, ["http://x.example"], None),
        ("", "", "", [], None),
    ],
)
def test_a_blocked_sender_or_link_host_is_found(
    spammer, email_hash, url, ip_hash, links, found
):
    block_comments([spammer])
    reason = match(email_hash, url, ip_hash, links)
    if found is None:
        assert reason is None
    else:
        assert found in reason and f"comment {spammer.id}" in reason


def test_a_protocol_relative_markdown_link_to_a_blocked_host_is_spam(spammer):
    """Readers' browsers open [here](//spam.example/x) on spam.example."""
    block_comments([spammer])
    body = "Cheap pills [here](//spam.example/x)"
    verdict = check_blocklist({"body": body}, match)
    assert verdict.outcome == Outcome.SPAM and "spam.example" in verdict.reason


def test_a_link_longer_than_any_host_name_is_no_host(spammer):
    block_comments([spammer])
    body = worst_cases.repeated("www.") + "spam.example"
    assert check_blocklist({"body": body}, match).outcome == Outcome.PASS


def test_not_spam_lifts_every_block_of_the_comment(spammer):
    block_comments([spammer])
    assert unblock_comments([spammer]) == 3
    assert entries() == set()
    assert match(EMAIL, "https://spam.example", IP) is None


def test_not_spam_lifts_the_block_its_website_was_caught_by(spammer):
    """A site under a blocked host is caught by it; "not spam" on its comment
    must let its next comment through."""
    block_comments([spammer])
    reader = Comment.create(
        post=spammer.post, author_name="Reader", body="x", status="spam",
        author_url="https://blog.spam.example/about",
    )  # fmt: skip
    assert match("", reader.author_url, "") is not None
    assert unblock_comments([reader]) == 1
    assert match("", reader.author_url, "") is None
    assert entries() == {("email_hash", EMAIL), ("ip_hash", IP)}


def test_lifting_one_comment_keeps_other_senders_blocked(spammer):
    other = Comment.create(
        post=spammer.post, author_name="Other", body="x", status="spam",
        email_hash="o" * 64, author_url="https://other.example",
    )  # fmt: skip
    block_comments([spammer])
    block_comments([other])
    unblock_comments([spammer])
    assert entries() == {("email_hash", "o" * 64), ("host", "other.example")}


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/channel/x",
        "https://facebook.com/promo",
        # Under a shared host: its registrable domain is the shared one.
        "https://en.wikipedia.org/wiki/Pill",
        "https://m.youtube.com/watch?v=1",
        "https://docs.google.com/promo",
        # A public suffix: blocking it would block every site under it.
        "http://co.uk/",
    ],
)
def test_hosts_everybody_links_to_are_never_blocked(spammer, url):
    spammer.author_url = url
    assert block_comments([spammer]) == 2
    assert [value for kind, value in entries() if kind == "host"] == []
    honest = ["https://de.wikipedia.org/x", "https://www.bbc.co.uk/news", url]
    assert match("", honest[0], "", honest) is None


@pytest.mark.parametrize(
    "website, same_site, other_site",
    [
        # The suffix list keeps these sites apart: one is blocked alone.
        (
            "https://cheap-pills.blogspot.com/",
            "https://shop.cheap-pills.blogspot.com/",
            "https://honest-notes.blogspot.com/",
        ),
        # An address is blocked exactly.
        ("http://203.0.113.5/offer", "http://203.0.113.5/", "http://198.51.113.5/"),
    ],
)
def test_a_blocked_website_catches_its_own_site_only(
    spammer, website, same_site, other_site
):
    spammer.author_url = website
    block_comments([spammer])
    assert match("", same_site, "") is not None
    assert match("", other_site, "") is None


def test_an_entry_for_a_public_suffix_matches_no_site(spammer):
    # Written before suffixes were refused, or by hand.
    BlockedItem.create(kind="host", value="co.uk", reason="old entry")
    assert match("", "https://www.bbc.co.uk/news", "") is None


def test_a_comment_without_sender_details_blocks_nothing(app):
    bare = Comment.create(post=make_post(), author_name="x", body="b", status="spam")
    assert block_comments([bare]) == 0
    assert unblock_comments([bare]) == 0


def test_an_address_is_blocked_no_longer_than_addresses_are_kept(spammer):
    """Past ip_retention_days the comment forgets its address, so "not spam"
    could never lift the block: the block goes with the address."""
    retention = datetime.timedelta(days=30)
    block_comments([spammer])
    BlockedItem.update(created_at=utcnow() - retention * 2).execute()
    block_comments([spammer])  # marked again: blocked from now on
    forget_old_addresses(utcnow(), retention)
    assert ("ip_hash", IP) in entries()
    BlockedItem.update(created_at=utcnow() - retention * 2).execute()
    forget_old_addresses(utcnow(), retention)
    assert entries() == {("email_hash", EMAIL), ("host", "spam.example")}
