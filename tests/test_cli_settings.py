"""`blog settings list|get|set` as a shell user meets them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from blog.cli import main
from blog.settings import DEFINITIONS
from tests.test_cli import run_blog

PHRASES = "buy now, pay later\ncasino"


def invoke(runner, *args):
    return runner.invoke(main, list(args))


def test_list_shows_each_setting_with_its_default_and_allowed_values(runner):
    invoke(runner, "settings", "set", "thread_depth", "3")
    listed = invoke(runner, "settings", "list").output
    assert "thread_depth = 3\n" in listed
    assert "default 5; a whole number from 1 to 20" in listed
    assert "default 0.82; a number from 0.0 to 1.0" in listed
    assert "default 'oldest'; one of oldest, newest" in listed
    assert "default True; true or false" in listed
    assert "default ''; the name of an installed theme, or empty" in listed
    for key, definition in DEFINITIONS.items():
        assert f"{key} = " in listed and definition.help in listed, key


@pytest.mark.parametrize(
    "key, suggested",
    [
        ("thread-depth", "did you mean thread_depth?"),
        ("Comments_Per_Page", "did you mean comments_per_page?"),
        ("retention", "did you mean ip_retention_days or spam_retention_days?"),
        ("clasifier_spam", "did you mean classifier_spam"),
    ],
)
@pytest.mark.parametrize("command", [("get",), ("set", "1")])
def test_an_unknown_setting_is_refused_with_the_names_it_may_mean(
    runner, key, suggested, command
):
    verb, *value = command
    result = invoke(runner, "settings", verb, key, *value)
    assert result.exit_code == 1
    assert f"unknown setting {key!r}" in result.output
    assert suggested in result.output


def test_an_unknown_setting_like_no_other_points_to_the_list(runner):
    result = invoke(runner, "settings", "get", "zzz")
    assert result.exit_code == 1
    assert "did you mean" not in result.output
    assert "`blog settings list`" in result.output


@pytest.mark.parametrize(
    "key, value, printed",
    [
        ("title", "Field Notes", "Field Notes"),
        ("author", "", ""),
        ("hold_all", "on", "true"),
        ("classifier_spam", "0.9", "0.9"),
        ("disallowed_keywords", PHRASES, PHRASES),
    ],
)
def test_get_prints_a_value_as_set_takes_it(runner, app, key, value, printed):
    """`blog settings set K "$(blog settings get K)"` changes nothing: a
    quoted 'Field Notes' became the title with its quotes."""
    assert invoke(runner, "settings", "set", key, value).exit_code == 0
    before = app.extensions["settings"][key]
    shown = invoke(runner, "settings", "get", key).output.removesuffix("\n")
    assert shown == printed
    assert invoke(runner, "settings", "set", key, shown).exit_code == 0
    assert app.extensions["settings"][key] == before


def test_a_huge_refused_value_is_not_echoed_whole(runner):
    result = invoke(runner, "settings", "set", "thread_depth", "9" * 5000)
    assert result.exit_code == 1
    assert "must be a whole number from 1 to 20, not '99999" in result.output
    assert "(5000 characters)" in result.output and len(result.output) < 200


def test_output_cut_short_by_a_closed_pipe_is_no_error(tmp_path):
    """`blog settings list | head -1`: a reader that leaves early is no error
    to report ("Error: [Errno 32] Broken pipe")."""
    assert run_blog(tmp_path, "migrate").returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLOG_")}
    env.update(BLOG_INSTANCE_PATH=str(tmp_path), BLOG_SECRET_KEY="k")
    blog = Path(sys.executable).with_name("blog")
    process = subprocess.Popen(
        [str(blog), "settings", "list"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.stdout.close()  # gone before the command writes a line
    _, errors = process.communicate(timeout=60)
    assert "Error" not in errors and "Traceback" not in errors, errors
