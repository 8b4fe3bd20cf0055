import datetime
import re

import pytest

from blog import audit
from blog.cli import main
from blog.comment_models import Comment
from blog.comments import actions
from blog.models import AuditEntry, utcnow
from tests.admin.conftest import make_comment
from tests.factories import make_post


def test_record_names_the_actor(app, users):
    entry = audit.record(
        "thing.done", users["editor"], object_type="thing", object_id=3
    )
    assert (entry.actor, entry.user_id) == ("editor", users["editor"].id)
    assert audit.record("thing.done").actor == "system"


def test_history_of_one_object_in_order(app, users):
    comment = make_comment(make_post())
    for action in ("approve", "spam", "not_spam"):
        actions.apply(action, [comment.id], users["moderator"])
    steps = [(e.from_state, e.to_state) for e in audit.history("comment", comment.id)]
    assert steps == [
        ("pending", "approved"),
        ("approved", "spam"),
        ("spam", "approved"),
    ]


def test_audit_page_filters_by_action(admin, users):
    audit.record("post.publish", users["editor"], object_type="post", object_id=1)
    audit.record("comment.spam", users["moderator"], object_type="comment", object_id=2)
    page = admin.get("/admin/audit/?action=comment.spam").get_data(as_text=True)
    rows = re.findall(r"<td>(post\.publish|comment\.spam)</td>", page)
    assert rows == ["comment.spam"]
    assert AuditEntry.select().count() == 2


@pytest.mark.parametrize("object_id", ["²", "99999999999999999999", "1e3", " "])
def test_an_object_id_that_is_no_id_filters_nothing(admin, users, object_id):
    audit.record("post.publish", users["editor"], object_type="post", object_id=1)
    response = admin.get("/admin/audit/", query_string={"object_id": object_id})
    assert response.status_code == 200
    assert "<td>post.publish</td>" in response.get_data(as_text=True)


def test_purge_cli(app, runner):
    post = make_post()
    make_comment(post, "spam", modified_at=utcnow() - datetime.timedelta(days=40))
    make_comment(post, "spam")
    result = runner.invoke(main, ["comments", "purge"])
    assert result.exit_code == 0, result.output
    assert "purged 1 " in result.output
    result = runner.invoke(main, ["comments", "purge", "--days", "1"])
    assert "purged 0 " in result.output
    assert Comment.select().count() == 1
    # Past the setting's range the cutoff date overflowed: a traceback.
    for days in ("0", "1000000"):
        refused = runner.invoke(main, ["comments", "purge", "--days", days])
        assert refused.exit_code == 2 and "1<=x<=3650" in refused.output, days


def test_addresses_past_retention_are_forgotten_where_no_comment_arrives(
    app, runner, browser_for
):
    """A site whose comments are closed still forgets addresses: by the purge
    command (cron) and while a moderator works."""
    post = make_post()
    month = datetime.timedelta(days=31)
    old = [make_comment(post, "approved", created_at=utcnow() - month) for _ in "ab"]
    recent = make_comment(post, "approved")
    result = runner.invoke(main, ["comments", "purge"])
    assert result.exit_code == 0, result.output
    assert "forgot the addresses of 2 comments" in result.output
    assert {c.id for c in Comment.select().where(Comment.ip_hash == "")} == {
        c.id for c in old
    }
    later = make_comment(post, "pending", created_at=utcnow() - month)
    moderator = browser_for("moderator")
    moderator.post("/admin/comments/act", {"row_action": f"approve:{recent.id}"})
    assert Comment.get_by_id(later.id).ip_prefix == ""
    assert Comment.get_by_id(recent.id).ip_hash
