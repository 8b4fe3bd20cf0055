"""Every dashboard URL, for the anonymous and for each role."""

import tempfile

import pytest

from blog import create_app
from blog.comment_models import Comment, CommentStatus
from blog.models import AuditEntry
from tests.factories import make_post

ALL = {"admin", "editor", "moderator"}
EDITORS = {"admin", "editor"}
MODERATORS = {"admin", "moderator"}
ADMINS = {"admin"}

# Who may use each endpoint. A new dashboard URL fails the test until it is here.
ACCESS = {
    "admin.home": ALL,
    "admin.account": ALL,
    "admin.change_own_password": ALL,
    "admin.post_list": EDITORS,
    "admin.new_post": EDITORS,
    "admin.create_post": EDITORS,
    "admin.edit_post": EDITORS,
    "admin.save_post": EDITORS,
    "admin.preview": EDITORS,
    "admin.media_library": EDITORS,
    "admin.upload_media": EDITORS,
    "admin.delete_media": EDITORS,
    "admin.site_settings": ADMINS,
    "admin.save_settings": ADMINS,
    "admin.user_list": ADMINS,
    "admin.create_user": ADMINS,
    "admin.change_role": ADMINS,
    "admin.reset_password": ADMINS,
    "admin.disable_user": ADMINS,
    "admin.enable_user": ADMINS,
    "admin.confirm_delete_user": ADMINS,
    "admin.delete_user": ADMINS,
    "admin.privacy": ADMINS,
    "admin.privacy_export": ADMINS,
    "admin.privacy_erase": ADMINS,
    "admin.audit_log": ADMINS,
    "moderation.comments": MODERATORS,
    "moderation.act": MODERATORS,
    "moderation.empty_spam": MODERATORS,
    "moderation.comment": MODERATORS,
    "moderation.reply": MODERATORS,
    "moderation.edit": MODERATORS,
    "moderation.undo_action": MODERATORS,
    "moderation.queue_link": MODERATORS,
    "moderation.spam_link": MODERATORS,
    "moderation.comment_form_link": MODERATORS,
}


def _admin_rules() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "collect",
                "INSTANCE_PATH": instance,
                "DATABASE_URL": "sqlite:///:memory:",
            }
        )
    return sorted(
        (rule.rule, method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


RULES = _admin_rules()


def test_every_admin_rule_is_in_the_table():
    endpoints = {endpoint for _rule, _method, endpoint in RULES}
    assert endpoints == set(ACCESS)


def _url(rule: str, ids: dict) -> str:
    return (
        rule.replace("<any(posts, pages):section>", "posts")
        .replace("<int:post_id>", str(ids["post"]))
        .replace("<int:comment_id>", str(ids["comment"]))
        .replace("<int:user_id>", str(ids["user"]))
        .replace("<int:undo_id>", "1")
    )


@pytest.fixture
def objects(app, users):
    post = make_post()
    comment = Comment.create(
        post=post, author_name="Reader", body="Hello", status=CommentStatus.PENDING
    )
    return {"post": post.id, "comment": comment.id, "user": users["editor"].id}


@pytest.mark.parametrize("role", [None, "admin", "editor", "moderator"])
@pytest.mark.parametrize("rule, method, endpoint", RULES)
def test_access(browser_for, objects, rule, method, endpoint, role):
    browser = browser_for(role)
    url = _url(rule, objects)
    if method == "GET":
        response = browser.get(url)
    else:
        response = browser.post(url, {}, page="/admin/" if role else "/login/")
    location = response.headers.get("Location", "")
    if role is None:
        assert response.status_code == 302
        # A form sent with no Referer, to an address that answers POST alone,
        # has no page to come back to: the dashboard's front page, then.
        assert location == "/login/" or location.startswith("/login/?next=/admin")
    elif role not in ACCESS.get(endpoint, ()):
        assert response.status_code == 403
    else:
        assert response.status_code < 500
        assert response.status_code not in (401, 403)
        assert not location.startswith("/login/")
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "path", ["/", "{post}", "/tag/python/", "/feed/atom/", "/sitemap.xml"]
)
def test_a_signed_in_editors_public_pages_are_kept_by_no_shared_cache(
    browser_for, path
):
    """A proxy keeping an editor's copy of a page (one that names them, or
    sets their cookie) would serve it to every reader."""
    post = make_post(tags=["Python"])
    url = path.format(post=post.url)
    anonymous = browser_for(None).get(url)
    assert anonymous.headers["Cache-Control"] == "public, max-age=0, must-revalidate"

    signed_in = browser_for("editor").get(url)

    assert signed_in.status_code == 200
    assert signed_in.headers["Cache-Control"] == "private, no-cache"
    assert "public" not in signed_in.headers["Cache-Control"]


SIGNED_IN_POSTS = [rule for rule, method, _ in RULES if method == "POST"] + ["/logout/"]


@pytest.mark.parametrize("token", [None, "forged"])
@pytest.mark.parametrize("rule", SIGNED_IN_POSTS)
def test_every_signed_in_form_needs_its_csrf_token(browser_for, objects, rule, token):
    """Another site's form, sent with the admin's cookie, is refused before
    the view runs: even sign-out stays undone."""
    admin = browser_for("admin")
    data = {} if token is None else {"csrf_token": token}
    response = admin.post_raw(_url(rule, objects), data=data)
    assert response.status_code == 400
    # The dashboard's actions write the audit log: none was written.
    assert AuditEntry.select().count() == 0
    assert admin.get("/admin/").status_code == 200
