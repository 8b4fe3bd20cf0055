"""`blog spam evaluate` and `blog spam train` on small labelled files."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from blog import db
from blog.cli import main
from blog.comment_models import SpamToken
from blog.comments.spam.classifier import COMMENT_WEIGHT, TOTALS, live
from blog.comments.spam.corpora import read
from tests.locks import held_elsewhere

KEYS = "n tp fp tn fn precision recall f1 mcc ham_to_spam ham_held spam_approved"

YOUTUBE = (
    "\ufeffCOMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n"
    'a1,Promo,2014-01-01T00:00:00,"Subscribe to my channel,\nfree gift cards",1\n'
    "a2,Fan,2014-01-02T00:00:00,I love this song\u00a0so much\ufeff,0\n"
    'a3,Bot,2014-01-03T00:00:00,"Check out my channel <br />http://promo.example",1\n'
)
SMS = (
    'spam\tWIN a "free" prize now, text WIN to claim\n'
    "ham\tSee you at lunch\tthen\n"
    "\n"
    "ham\tRunning late, sorry\n"
)
PLAIN = (
    "author,email,url,content,label\n"
    "Ada,ada@example.org,,Lovely post about WAL,ham\n"
    "Bot,,http://x.example,FREE MONEY click http://x.example now,spam\n"
    "Cy,,,Thanks for the checkpoint tip,0\n"
    "Promo,,,subscribe to my channel for free gift cards,1\n"
)


@pytest.fixture
def files(tmp_path):
    def write(name: str, content):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return str(path)

    return write


def evaluate(runner, *args):
    result = runner.invoke(main, ["spam", "evaluate", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize(
    "name, content, n, spam",
    [("yt.csv", YOUTUBE, 3, 2), ("sms.txt", SMS, 3, 1), ("plain.csv", PLAIN, 4, 2)],
)
def test_each_format_is_read_and_reported_as_one_json_object(
    runner, files, name, content, n, spam
):
    report = evaluate(runner, "--test", files(name, content))
    assert list(report) == KEYS.split()
    assert report["n"] == n
    assert report["tp"] + report["fn"] == spam
    assert report["tn"] + report["fp"] == n - spam


def test_labels_are_read_in_any_case_and_spacing_in_every_format(runner, files):
    sms = "SPAM\tWIN a prize now\nHam\tSee you at lunch\n spam \tText WIN\n"
    plain = "author,email,url,content,label\nA,,,hi,Ham\nB,,,buy, SPAM \n"
    for name, content in (("sms.txt", sms), ("plain.csv", plain)):
        report = evaluate(runner, "--test", files(name, content))
        assert report["tp"] + report["fn"] == report["n"] - 1, name


def test_an_empty_model_sends_nothing_to_spam_and_divides_by_zero_safely(runner, files):
    report = evaluate(runner, "--no-default", "--test", files("p.csv", PLAIN))
    assert (report["tp"], report["fp"], report["tn"], report["fn"]) == (0, 0, 2, 2)
    assert report["precision"] == report["recall"] == report["f1"] == 0.0
    assert report["mcc"] == 0.0 and report["ham_to_spam"] == 0.0
    # The website and the link of "Bot" make two links: held, not approved.
    assert report["spam_approved"] == 0.5 and report["ham_held"] == 0.0


def test_training_files_teach_an_in_memory_model_only(runner, app, files):
    train = files(
        "train.csv",
        "author,email,url,content,label\n"
        + "".join(
            # Distinct openings: copies of one message are learned once.
            f"Bot{n},,,{word} subscribe to my channel for free gift cards,spam\n"
            f"Ann{n},,,{word} thanks for the clear write-up,ham\n"
            for n, word in enumerate(["today", "tonight", "now", "please"])
        ),
    )
    test = files(
        "test.csv",
        "author,email,url,content,label\n"
        "X,,,subscribe to my channel for free gift cards,spam\n"
        "Y,,,thanks for the clear write-up,ham\n",
    )
    report = evaluate(runner, "--no-default", "--train", train, "--test", test)
    assert (report["tp"], report["tn"], report["f1"]) == (1, 1, 1.0)
    assert SpamToken.select().count() == 0


def test_evaluate_needs_no_database(make_app, files):
    app = make_app()
    unreachable = make_app(DATABASE_URL="postgresql://nobody@127.0.0.1:9/nothing")
    assert app is not unreachable
    result = unreachable.test_cli_runner().invoke(
        main, ["spam", "evaluate", "--test", files("p.csv", PLAIN)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["n"] == 4


@pytest.mark.parametrize(
    "content",
    [
        # Any order and case, the plain format with only what it needs.
        "LABEL,Content,author,url,email\nham,Lovely post about WAL,Ada,,\n"
        "spam,FREE MONEY click http://x.example now,Bot,http://x.example,\n",
        "content,label\nLovely post about WAL,ham\n"
        '"FREE MONEY, click http://x.example now",spam\n',
        "CLASS,CONTENT,AUTHOR,DATE,COMMENT_ID\n0,Lovely post about WAL,Ada,,a1\n"
        "1,FREE MONEY click http://x.example now,Bot,2014-01-01,a2\n",
    ],
)
def test_csv_columns_are_read_by_their_names(runner, files, content):
    report = evaluate(runner, "--test", files("cols.csv", content))
    assert (report["n"], report["tp"] + report["fn"]) == (2, 1)


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("wrong.csv", "id,text,label\n1,hello,spam\n", ["wrong.csv:1", "header"]),
        ("twice.csv", "content,label,content\na,spam,b\n", ["twice.csv:1", "header"]),
        (
            "short.csv",
            "author,content,label\nA,hello,spam,1\n",
            ["short.csv:2", "3 col"],
        ),
        (
            "label.csv",
            "author,email,url,content,label\nA,,,fine,ham\nB,,,text,maybe\n",
            ["label.csv:3", "'maybe'"],
        ),
        (
            "class.csv",
            "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nx,A,d,text,2\n",
            ["class.csv:2", "'2'"],
        ),
        ("sms.txt", "ham\tfine\nspamm\tnope\n", ["sms.txt:2", "'spamm'"]),
        ("notab.txt", "ham\tfine\nno tab here\n", ["notab.txt:2", "TAB"]),
        ("columns.csv", "author,email,url,content,label\nA,B\n", ["columns.csv:2"]),
        ("binary.csv", b"author,email\n\x00\x01\x02", ["binary.csv:2", "binary"]),
        ("latin.csv", b"ham\tok\nham\tcaf\xe9\n", ["latin.csv:2", "UTF-8"]),
        ("empty.csv", "", ["empty.csv", "empty"]),
        ("blank.csv", "\n  \n", ["blank.csv", "empty"]),
        ("header.csv", "author,email,url,content,label\n", ["header.csv:2", "no ex"]),
        (
            "yt.csv",
            "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n,,,,\n",
            ["yt.csv:2", "no ex"],
        ),
    ],
)
def test_a_bad_file_is_named_with_its_line_and_exits_2(
    runner, files, name, content, expected
):
    result = runner.invoke(main, ["spam", "evaluate", "--test", files(name, content)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    for part in expected:
        assert part in result.output


def test_a_missing_file_is_named_and_exits_2(runner, tmp_path):
    missing = tmp_path / "nowhere.csv"
    result = runner.invoke(main, ["spam", "evaluate", "--test", str(missing)])
    assert result.exit_code == 2
    assert "nowhere.csv" in result.output and "No such file" in result.output


def test_train_teaches_the_live_model(runner, app, files):
    result = runner.invoke(main, ["spam", "train", files("p.csv", PLAIN)])
    assert result.exit_code == 0, result.output
    assert "learned 2 spam and 2 ham" in result.output
    assert SpamToken.get_by_id(TOTALS).spam == 2 * COMMENT_WEIGHT
    assert live().probability({"body": "subscribe to my channel"}) > 0.5


def test_train_learns_nothing_when_any_file_is_bad(runner, app, files):
    good, bad = files("good.csv", PLAIN), files("bad.csv", "")
    result = runner.invoke(main, ["spam", "train", good, bad])
    assert result.exit_code == 2 and "bad.csv" in result.output
    assert SpamToken.select().count() == 0


def _youtube_rows(row_end: str = "") -> str:
    return (
        f"a1,Promo,,Subscribe to my channel for free gift cards,1{row_end}\r\n"
        f'a2,Fan,2015-05-29T02:26:10,"I love this song,\r\nso much",0{row_end}\r\n'
    )


@pytest.mark.parametrize(
    "name, content",
    [
        # Blank lines before the data, as an editor or a concatenation leaves them.
        ("sms.txt", "\n\r\n  \nspam\tWIN a prize now\nham\tSee you at lunch\n"),
        (
            "yt.csv",
            "\ufeff\r\n\r\nCOMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\r\n" + _youtube_rows(),
        ),
    ],
)
def test_blank_lines_before_the_first_line_are_skipped(runner, files, name, content):
    report = evaluate(runner, "--test", files(name, content))
    assert (report["n"], report["tp"] + report["fn"]) == (2, 1)


def test_a_line_after_leading_blank_lines_is_named_by_its_own_number(runner, files):
    path = files("sms.txt", "\n\nham\tfine\nspamm\tnope\n")
    result = runner.invoke(main, ["spam", "evaluate", "--test", path])
    assert result.exit_code == 2 and "sms.txt:4" in result.output


@pytest.mark.parametrize(
    "header, row_end",
    [
        # A trailing comma on every line, on the rows alone, and a column the
        # collection does not have: what a spreadsheet's export adds.
        ("COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS,", ","),
        ("COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS", ","),
        ("COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS,VIDEO", ",Eminem"),
    ],
)
def test_a_youtube_file_with_a_trailing_column_is_read(runner, files, header, row_end):
    content = f"{header}\r\n" + _youtube_rows(row_end)
    report = evaluate(runner, "--test", files("yt.csv", content))
    assert (report["n"], report["tp"] + report["fn"]) == (2, 1)


def test_train_on_a_database_another_writer_holds_says_busy(
    runner, app, files, monkeypatch
):
    path = files("p.csv", PLAIN)
    # SQLite's write lock from BEGIN; PostgreSQL's lock of the totals' row.
    training = held_elsewhere(
        app, db.write_transaction, lambda: live().train(read(path))
    )
    try:
        with training:
            monkeypatch.setattr(db, "BUSY_SECONDS", 0)
            if not db.is_sqlite():
                db.database.execute_sql("SET lock_timeout = '100ms'")
            result = runner.invoke(main, ["spam", "train", path])
    finally:
        if not db.is_sqlite():
            db.database.execute_sql("RESET lock_timeout")
    assert result.exit_code == 1
    assert "busy" in result.output and "learned" not in result.output


def test_a_first_line_past_the_csv_field_limit_is_no_traceback(runner, files):
    # Python's csv module refuses a field over 131072 characters.
    long = "word " * 30_000
    report = evaluate(runner, "--test", files("sms.txt", f"ham\t{long}\nspam\tWIN\n"))
    assert report["n"] == 2
    result = runner.invoke(main, ["spam", "evaluate", "--test", files("x.txt", long)])
    assert result.exit_code == 2 and "x.txt:1: unknown format" in result.output


def test_evaluate_creates_nothing_and_needs_no_usable_site(tmp_path, files):
    """A fresh machine: no instance folder, and a database URL the site could
    not even open. Nothing is created (no database file, no secret key)."""
    test = files("p.csv", PLAIN)
    instance = tmp_path / "fresh-instance"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLOG_")}
    env.update(BLOG_INSTANCE_PATH=str(instance), BLOG_DATABASE_URL="mysql://x/blog")
    blog = Path(sys.executable).with_name("blog")
    result = subprocess.run(
        [str(blog), "spam", "evaluate", "--test", test],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["n"] == 4
    assert not instance.exists()


@pytest.mark.parametrize(
    "name, content",
    [
        # Old Mac line ends: the SMS file was read as one message, labelled ham.
        ("sms.txt", "spam\tWIN a prize now\rham\tSee you at lunch\r"),
        ("plain.csv", "content,label\rSee you at lunch,ham\rWIN a prize now,spam\r"),
    ],
)
def test_a_lone_carriage_return_ends_a_line(runner, files, name, content):
    report = evaluate(runner, "--test", files(name, content))
    assert (report["n"], report["tp"] + report["fn"]) == (2, 1)
