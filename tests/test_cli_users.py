"""`blog users disable | enable | delete`: what the users page does, at a shell."""

from blog import accounts
from blog.models import AuditEntry, Post, Role, User
from tests.factories import make_post
from tests.test_cli import invoke

PASSWORD = "a long password"


def _user(name, role=Role.EDITOR) -> User:
    return accounts.create_user(name, PASSWORD, role)


def test_disable_ends_the_sessions_and_enable_lets_in_again(runner, app):
    ada = _user("ada")
    disabled = invoke(runner, "users", "disable", "Ada")
    assert disabled.exit_code == 0, disabled.output
    after = User.get_by_id(ada.id)
    assert not after.is_active and after.session_token != ada.session_token
    assert "ada\teditor" in invoke(runner, "users", "list").output
    assert "\tdisabled" in invoke(runner, "users", "list").output
    assert invoke(runner, "users", "enable", "ada").exit_code == 0
    assert User.get_by_id(ada.id).is_active
    actions = [(e.action, e.actor) for e in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions == [("user.disable", "system"), ("user.enable", "system")]


def test_delete_gives_the_posts_to_another_user(runner, app):
    ada, bo = _user("ada"), _user("bo")
    post = make_post(author="ada")
    result = invoke(runner, "users", "delete", "ada", "--posts-to", "bo", "--yes")
    assert result.exit_code == 0, result.output
    assert "1 posts given to bo" in result.output
    assert not User.select().where(User.id == ada.id).exists()
    assert Post.get_by_id(post.id).author == bo.name


def test_delete_asks_first(runner, app):
    _user("ada")
    result = invoke(runner, "users", "delete", "ada", input="n\n")
    assert result.exit_code == 1
    assert User.select().where(User.username == "ada").exists()


def test_the_last_admin_is_kept_and_an_unknown_name_is_named(runner, app):
    _user("boss", Role.ADMIN)
    for args in (["disable", "boss"], ["delete", "boss", "--yes"]):
        result = invoke(runner, "users", *args)
        assert result.exit_code == 1 and "at least one admin" in result.output
    unknown = invoke(runner, "users", "disable", "nobody")
    assert unknown.exit_code == 1 and "no user 'nobody'" in unknown.output
    assert User.get(User.username == "boss").is_active


def test_list_says_who_never_signed_in(runner, app):
    _user("ada")
    assert "ada\teditor" in invoke(runner, "users", "list").output
    assert invoke(runner, "users", "list").output.rstrip().endswith("\tactive\tnever")


def test_a_user_deleted_meanwhile_is_named_not_numbered(runner, app, monkeypatch):
    """Deleted by an admin between the CLI finding the name and acting on it:
    the message said "Error: 5", the id alone."""
    ada, disable = _user("ada"), accounts.disable_user

    def deleted_first(user_id, *args):
        User.delete_by_id(ada.id)
        return disable(user_id, *args)

    monkeypatch.setattr(accounts, "disable_user", deleted_first)
    result = invoke(runner, "users", "disable", "ada")

    assert result.exit_code == 1
    assert "Error: no user 'ada'" in result.output
