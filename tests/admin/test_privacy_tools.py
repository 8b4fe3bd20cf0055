import json

import pytest

from blog import privacy_tools
from blog.cli import main
from blog.comment_models import BlockedItem, Comment, SpamLesson, SpamToken
from blog.comments import actions, privacy
from blog.comments.spam import classifier
from blog.models import AuditEntry, User
from tests import html_checks
from tests.admin.conftest import at_once, linger_after, make_comment
from tests.conftest import POSTGRES_URL
from tests.factories import make_post

KEY = "test secret key"
EMAIL = "Jo.Reader@Example.net"


@pytest.fixture
def traces(app, users):
    post = make_post(title="Commented")
    mine = [
        make_comment(post, "approved", author_email=EMAIL, body="My first words"),
        # Found by its hash alone, as after a raw email was forgotten.
        make_comment(
            post,
            "spam",
            author_email="",
            email_hash=privacy.hash_email(EMAIL, KEY),
            body="My second words",
        ),
    ]
    other = make_comment(post, "approved", author_email="someone@else.org")
    BlockedItem.create(kind="email_hash", value=privacy.hash_email(EMAIL, KEY))
    BlockedItem.create(kind="ip_hash", value=mine[0].ip_hash)
    BlockedItem.create(kind="host", value="spam.example")
    User.update(email=EMAIL.lower()).where(User.id == users["editor"].id).execute()
    return {"mine": mine, "other": other}


def test_export_holds_everything_about_the_email(traces):
    data = privacy_tools.export(EMAIL, KEY)
    assert data["email"] == EMAIL.lower()
    assert [c["body"] for c in data["comments"]] == [
        "My first words",
        "My second words",
    ]
    first = data["comments"][0]
    assert first["author_email"] == EMAIL
    assert first["post"]["title"] == "Commented"
    assert first["ip_prefix"] == "203.0.113.0/24"
    assert [a["username"] for a in data["accounts"]] == ["editor"]
    assert {b["kind"] for b in data["blocklist"]} == {"email_hash", "ip_hash"}
    assert "password_hash" not in json.dumps(data)
    json.dumps(data)  # JSON-ready
    entry = AuditEntry.get(AuditEntry.action == "privacy.export")
    assert EMAIL.lower() not in entry.detail
    assert "2 comment(s) found" in entry.detail


def test_export_holds_what_the_spam_checks_decided_about_the_comments(app):
    """The checks' verdicts and the filter's score are kept on each comment
    and shown to moderators: they are data about the commenter too."""
    checks = [{"check": "classifier", "verdict": "hold", "reason": "p 0.8"}]
    make_comment(
        make_post(),
        author_email=EMAIL,
        kind="pingback",
        spam_score=0.8,
        verdicts=json.dumps(checks),
    )
    (exported,) = privacy_tools.export(EMAIL, KEY)["comments"]
    assert exported["kind"] == "pingback"
    assert exported["spam_score"] == 0.8
    assert exported["checks"] == [
        {"check": "classifier", "outcome": "hold", "reason": "p 0.8", "score": None}
    ]


def test_erase_anonymises_and_keeps_the_text(traces):
    result = privacy_tools.erase(EMAIL, KEY)
    assert (result.comments, result.deleted, result.accounts, result.blocklist) == (
        2,
        0,
        1,
        2,
    )
    for comment in traces["mine"]:
        erased = Comment.get_by_id(comment.id)
        assert erased.author_name == "Anonymous"
        assert (erased.author_email, erased.email_hash, erased.author_url) == (
            "",
            "",
            "",
        )
        assert (erased.ip_hash, erased.ip_prefix) == ("", "")
        assert erased.body == comment.body
    other = Comment.get_by_id(traces["other"].id)
    assert other.author_email == "someone@else.org"
    assert [b.kind for b in BlockedItem.select()] == ["host"]
    assert User.select().where(User.email != "").count() == 2
    assert privacy_tools.export(EMAIL, KEY)["comments"] == []
    assert AuditEntry.select().where(AuditEntry.action == "privacy.erase").exists()


def test_erase_can_delete_the_comments(traces):
    result = privacy_tools.erase(EMAIL, KEY, delete_comments=True)
    assert result.deleted == 2
    assert [c.id for c in Comment.select()] == [traces["other"].id]


@pytest.mark.parametrize("email", ["", "not an email", "a@b\n.c"])
def test_a_bad_address_is_refused(app, email):
    with pytest.raises(privacy_tools.PrivacyError):
        privacy_tools.export(email, KEY)


def test_export_and_erase_over_http(traces, admin):
    response = admin.post(
        "/admin/privacy/export", {"email": EMAIL}, page="/admin/privacy/"
    )
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert len(response.get_json()["comments"]) == 2
    refused = admin.post(
        "/admin/privacy/erase", {"email": EMAIL}, page="/admin/privacy/"
    )
    assert refused.status_code == 400
    assert Comment.get_by_id(traces["mine"][0].id).author_email == EMAIL
    response = admin.post(
        "/admin/privacy/erase",
        {"email": EMAIL, "confirm": "on"},
        page="/admin/privacy/",
    )
    assert response.status_code == 302
    assert Comment.get_by_id(traces["mine"][0].id).author_name == "Anonymous"


@pytest.mark.parametrize(
    "typed, message",
    [
        ("Ann.Example.org", "“Ann.Example.org” is not an email address (it has no @)."),
        ("", "Give one email address."),
    ],
)
def test_a_refused_address_is_named_as_typed(admin, typed, message):
    response = admin.post(
        "/admin/privacy/export", {"email": typed}, page="/admin/privacy/"
    )
    assert response.status_code == 400
    tree = html_checks.parse(response.get_data(as_text=True))
    (error,) = tree.iterfind(".//*[@id='export-error']")
    assert error.text == message


def test_privacy_cli(traces, runner):
    result = runner.invoke(main, ["privacy", "export", EMAIL])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["comments"]) == 2
    result = runner.invoke(main, ["privacy", "erase", EMAIL, "--delete-comments"])
    assert result.exit_code == 0, result.output
    assert "deleted 2" in result.output
    assert Comment.select().count() == 1
    result = runner.invoke(main, ["privacy", "erase", "nonsense"])
    assert result.exit_code == 1


def test_erase_leaves_nothing_of_the_website_in_the_blocklist_or_the_filter(
    traces, users
):
    from blog.comment_models import SpamLesson, SpamToken
    from blog.comments import actions
    from blog.comments.spam import blocklist

    spam = make_comment(
        traces["mine"][0].post,
        "pending",
        author_email=EMAIL,
        author_url="https://jo-home.example/",
        verdicts='[{"check": "blocklist", "reason": "host jo-home.example is on it"}]',
    )
    actions.apply("spam", [spam.id], users["moderator"])
    assert blocklist.match("", "https://jo-home.example/", "")
    assert SpamToken.get_or_none(SpamToken.token == "f:jo-home.example")
    listed = privacy_tools.export(EMAIL, KEY)["blocklist"]
    assert "jo-home.example" in {item["value"] for item in listed}
    privacy_tools.erase(EMAIL, KEY)
    assert blocklist.match("", "https://jo-home.example/", "") is None
    assert SpamToken.get_or_none(SpamToken.token == "f:jo-home.example") is None
    assert SpamToken.get_or_none(SpamToken.token == "e:example.net") is None
    lesson = json.loads(SpamLesson.get(SpamLesson.comment == spam.id).tokens)
    assert lesson and not [t for t in lesson if t.startswith(("e:", "f:"))]
    assert "jo-home" not in Comment.get_by_id(spam.id).verdicts


@pytest.mark.skipif(
    not POSTGRES_URL,
    reason="PostgreSQL's concurrent writers are what this test exercises "
    "(SQLite takes its write lock before reading)",
)
def test_an_erase_while_a_moderator_changes_their_mind_keeps_the_filter_exact(
    app, traces, users, monkeypatch
):
    """The erase waits for the decision and takes the sender's tokens out of
    the lesson it left: the counts stay the sum of the lessons."""
    comment = make_comment(
        traces["mine"][0].post,
        "pending",
        author_email=EMAIL,
        author_url="https://jo-home.example/",
    )
    actions.apply("spam", [comment.id], users["moderator"])
    decided = linger_after(monkeypatch, "not_spam")
    failures = at_once(
        app,
        lambda: actions.apply("not_spam", [comment.id], None),
        lambda: privacy_tools.erase(EMAIL, KEY),
        decided,
    )
    assert failures == []
    lesson = SpamLesson.get(SpamLesson.comment == comment.id)
    assert not lesson.spam
    assert not [t for t in json.loads(lesson.tokens) if t.startswith(("e:", "f:"))]
    learned = {}
    for each in SpamLesson.select():
        for token in [*json.loads(each.tokens), classifier.TOTALS]:
            counts = learned.setdefault(token, [0, 0])
            counts[0 if each.spam else 1] += classifier.COMMENT_WEIGHT
    assert {t.token: [t.spam, t.ham] for t in SpamToken.select()} == learned


def test_erase_forgets_a_long_email_domain_and_website_host_hashed_to_fit(
    traces, users
):
    """Tokens longer than the column are stored hashed, without their "e:" or
    "f:": they are the person's all the same."""
    long_site = "jo-" + "x" * 60 + ".example"
    email = f"jo@{long_site}"
    comment = make_comment(
        traces["mine"][0].post,
        "pending",
        author_email=email,
        email_hash=privacy.hash_email(email, KEY),
        author_url=f"https://{long_site}/",
    )
    fields = classifier.comment_fields(comment)
    body_only = classifier.features.tokens({"body": fields["body"]})
    hashed = sorted(set(classifier.features.tokens(fields)) - set(body_only))
    assert len(hashed) == 2 and all(token.startswith("h:") for token in hashed)
    actions.apply("spam", [comment.id], users["moderator"])
    assert SpamToken.select().where(SpamToken.token.in_(hashed)).count() == 2
    privacy_tools.erase(email, KEY)
    assert SpamToken.select().where(SpamToken.token.in_(hashed)).count() == 0
    lesson = json.loads(SpamLesson.get(SpamLesson.comment == comment.id).tokens)
    assert lesson and not set(hashed) & set(lesson)
