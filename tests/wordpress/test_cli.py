"""The import, export and comments commands: output and exit codes."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest

from blog import accounts
from blog.cli import main
from blog.comment_models import Comment, CommentStatus
from blog.models import Post, Role, utcnow
from tests.factories import make_post
from tests.wordpress.builders import comment, item, wxr


def invoke(runner, *args):
    return runner.invoke(main, [str(arg) for arg in args])


def test_import_prints_the_report_and_a_dry_run_writes_nothing(runner, tmp_path):
    path = tmp_path / "old.xml"
    path.write_bytes(wxr([item(1, comments=[comment(1), comment(2, "0")])]))
    dry = invoke(runner, "import", "wordpress", path, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "dry run: nothing was written" in dry.output
    assert Post.select().count() == 0
    done = invoke(runner, "import", "wordpress", path)
    assert done.exit_code == 0, done.output
    assert re.search(r"^posts +1 +1 +0 +0$", done.output, re.MULTILINE)
    assert re.search(r"^  pending +1 +1 +0 +0$", done.output, re.MULTILINE)
    assert Post.select().count() == 1


def test_imported_addresses_older_than_the_retention_are_not_kept(runner, tmp_path):
    """A live comment's address data is forgotten after ip_retention_days; an
    imported comment from years ago kept it until some later request ran the
    purge, though no live comment that old still has any."""
    recent = (utcnow() - datetime.timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
    comments = [comment(1), comment(2, comment_date_gmt=recent)]
    path = tmp_path / "old.xml"
    path.write_bytes(wxr([item(1, comments=comments)]))
    result = invoke(runner, "import", "wordpress", path)
    assert result.exit_code == 0, result.output
    old, new = (Comment.get(Comment.wp_id == n) for n in (1, 2))
    assert (old.ip_hash, old.ip_prefix) == ("", "")
    assert len(new.ip_hash) == 64 and new.ip_prefix == "203.0.113.0/24"
    assert "1 comment older than the 30-day address retention" in result.output


def test_import_of_a_broken_file_fails_with_the_line(runner, tmp_path):
    path = tmp_path / "broken.xml"
    path.write_bytes(b"<rss><channel>\n<title>x</title>\n<item>")
    result = invoke(runner, "import", "wordpress", path)
    assert result.exit_code == 1
    assert "error: line 3: the file ends too early" in result.output
    assert "nothing was imported" in result.output


def test_import_maps_authors_from_a_csv(runner, tmp_path):
    path = tmp_path / "old.xml"
    path.write_bytes(wxr([item(1, creator="ada")]))
    authors = tmp_path / "authors.csv"
    authors.write_text("login,name\nada,Augusta Ada King\n")
    result = invoke(runner, "import", "wordpress", path, "--authors", authors)
    assert result.exit_code == 0, result.output
    assert Post.get(Post.wp_id == 1).author == "Augusta Ada King"


def test_a_bad_authors_csv_is_refused(runner, tmp_path):
    path = tmp_path / "old.xml"
    path.write_bytes(wxr([item(1)]))
    authors = tmp_path / "authors.csv"
    authors.write_text("ada\n")
    result = invoke(runner, "import", "wordpress", path, "--authors", authors)
    assert result.exit_code != 0
    assert "every row needs a login and a name" in result.output
    assert Post.select().count() == 0


def test_an_authors_csv_that_is_not_utf8_is_refused(runner, tmp_path):
    path = tmp_path / "old.xml"
    path.write_bytes(wxr([item(1)]))
    authors = tmp_path / "authors.csv"
    authors.write_bytes("ada,Ren\xe9e\n".encode("latin-1"))
    result = invoke(runner, "import", "wordpress", path, "--authors", authors)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1 and "authors.csv: not UTF-8" in result.output
    assert Post.select().count() == 0


def test_export_writes_a_wxr_file(runner, tmp_path):
    make_post(title="Exported")
    path = tmp_path / "out.xml"
    result = invoke(runner, "export", "wordpress", path)
    assert result.exit_code == 0, result.output
    assert "exported 1 posts and pages" in result.output
    assert ET.parse(path).getroot().find("channel/item/title").text == "Exported"


def test_comments_json_commands(runner, tmp_path):
    post = make_post()
    Comment.create(
        post=post,
        author_name="Reader",
        author_email="r@example.org",
        body="Hi",
        body_html="<p>Hi</p>",
        status=CommentStatus.APPROVED,
    )
    one, every = tmp_path / "one.json", tmp_path / "all.json"
    assert invoke(runner, "comments", "export-json", post.id, one).exit_code == 0
    result = invoke(runner, "comments", "export-json", "--all", every)
    assert "exported 1 comments of 1 posts" in result.output
    assert json.loads(one.read_text())["posts"][0]["comments"][0]["body"] == "Hi"
    usage = invoke(runner, "comments", "export-json", one)
    assert usage.exit_code == 2
    Comment.delete().execute()
    imported = invoke(runner, "comments", "import-json", one)
    assert "imported 1 comments, 0 already there" in imported.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}')
    refused = invoke(runner, "comments", "import-json", bad)
    assert refused.exit_code == 1
    assert "not a comments file" in refused.output


def test_exporting_the_comments_of_a_post_that_does_not_exist_is_refused(
    runner, tmp_path
):
    path = tmp_path / "one.json"
    result = invoke(runner, "comments", "export-json", 404, path)
    assert result.exit_code == 1 and "no post with id 404" in result.output
    assert not path.exists()


@pytest.mark.parametrize("post_id", ["abc", "\u00b2", "99999999999999999999999"])
def test_a_post_id_that_is_no_number_of_a_post_is_a_usage_error(
    runner, tmp_path, post_id
):
    result = invoke(runner, "comments", "export-json", post_id, tmp_path / "c.json")
    assert result.exit_code == 2 and "is not a post id" in result.output


def test_importing_a_staff_reply_whose_user_is_missing_says_so(runner, tmp_path):
    post = make_post(slug="asked")
    staff = accounts.create_user("grace", "a long enough password", Role.EDITOR)
    Comment.create(
        post=post,
        user=staff,
        author_name="Grace",
        body="The answer.",
        body_html="<p>The answer.</p>",
        status=CommentStatus.APPROVED,
    )
    path = tmp_path / "c.json"
    assert invoke(runner, "comments", "export-json", "--all", path).exit_code == 0
    Comment.delete().execute()
    staff.delete_instance()
    imported = invoke(runner, "comments", "import-json", path)
    assert imported.exit_code == 0, imported.output
    assert "imported 1 comments" in imported.output
    assert "user 'grace', who has no account here" in imported.output
    assert "vouches for no one" in imported.output


def test_comments_a_privacy_erase_deleted_stay_deleted_on_a_new_import(
    runner, tmp_path
):
    """Every row keeps its WordPress ID so that a re-run changes nothing; a
    comment erased for good had no row left, and the same file brought it
    back with the person's name and email."""
    gone = comment(1, comment_author="Gone", comment_author_email="gone@example.org")
    path = tmp_path / "old.xml"
    path.write_bytes(wxr([item(1, comments=[gone, comment(2, parent=1)])]))
    assert invoke(runner, "import", "wordpress", path).exit_code == 0
    erased = invoke(runner, "privacy", "erase", "gone@example.org", "--delete-comments")
    assert "deleted 1" in erased.output
    again = invoke(runner, "import", "wordpress", path)
    assert again.exit_code == 0, again.output
    assert [c.wp_id for c in Comment.select()] == [2]
    assert "1 comments: deleted by a privacy erase" in again.output


def test_an_anonymised_comment_purged_later_stays_gone_on_a_new_import(
    runner, tmp_path
):
    """An erase that keeps the text keeps the row, but a spam purge may delete
    it later: the file would then bring back the name and email."""
    from blog.comments import actions

    gone = comment(
        1,
        approved="spam",
        comment_author="Jane Gone",
        comment_author_email="gone@example.org",
    )
    path = tmp_path / "old.xml"
    path.write_bytes(wxr([item(1, comments=[gone])]))
    assert invoke(runner, "import", "wordpress", path).exit_code == 0
    assert invoke(runner, "privacy", "erase", "gone@example.org").exit_code == 0
    assert actions.purge(30, now=utcnow() + datetime.timedelta(days=31)) == 1
    again = invoke(runner, "import", "wordpress", path)
    assert again.exit_code == 0, again.output
    assert Comment.select().count() == 0
