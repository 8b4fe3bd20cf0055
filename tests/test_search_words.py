"""Search finds the same words on SQLite and PostgreSQL."""

import importlib.util

import pytest

from blog import db, search
from tests.conftest import ROOT
from tests.factories import make_post


def titles(terms: str) -> list[str]:
    return [result.post.title for result in search.query(terms, 1, 10).items]


def load_migration(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "migrations" / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("terms", ["don't", "the", "who", '"to be or not to be"'])
def test_common_words_are_searched_like_any_other(app, terms):
    post = make_post(
        "Hamlet", body="To be or not to be: I don't know who said the line."
    )
    make_post("Other", body="Quiet words only.")
    search.index([post.id])
    assert titles(terms) == ["Hamlet"]


@pytest.mark.parametrize(
    ("written", "terms"),
    [("Un café à Zürich", "cafe zurich"), ("A naive cafe in Zurich", "naïve café")],
)
def test_accents_are_optional(app, written, terms):
    post = make_post("Travels", body=written)
    search.index([post.id])
    assert titles(terms) == ["Travels"]


def test_a_word_typed_without_its_accent_is_marked_in_the_snippet(app):
    post = make_post("Travels", body="We sat in a café all afternoon.")
    search.index([post.id])
    [result] = search.query("cafe", 1, 10).items
    assert "<mark>café</mark>" in str(result.snippet)


def test_the_upgrade_reindexes_existing_posts(app):
    post = make_post("Hamlet", body="I don't know.")
    search.index([post.id])
    migration = load_migration("0028_search_words.py")
    migration.down(None, db.database.obj)
    migration.up(None, db.database.obj)
    assert titles("don't") == [post.title]


@pytest.mark.parametrize("terms", ["borro*", "borrow*", "check* borrow", "Borr*"])
def test_a_star_searches_for_a_prefix(app, terms):
    post = make_post("Borrow checker", body="The checker reads borrows.")
    make_post("Other", body="Bored by nothing.")
    search.index([post.id])
    assert titles(terms) == ["Borrow checker"]


@pytest.mark.parametrize(
    ("terms", "found"),
    [
        ('"borro* checker"', False),
        ('"borrow checker" check*', True),
        ("borro* borro*", True),
        ("borro* OR nothing*", True),
        ("-borro*", False),
        ("o'brien* o*", True),
        ("o* brien*", True),
        ("a-b* b*", False),
        ("**", False),
        ("*borrow", True),
        ("x\\'*", False),
    ],
)
def test_starred_words_in_any_position(app, terms, found):
    post = make_post("Borrow checker", body="Miles O'Brien reads borrows.")
    search.index([post.id])
    assert titles(terms) == (["Borrow checker"] if found else [])


@pytest.mark.parametrize(
    "terms",
    [
        "std io",
        "std::io",
        '"node js"',
        "node.js",
        "rust lang learn",
        "async await",
        "async-await",
        '"v1 0"',
        "v1.0",
        "x86_64",
    ],
)
def test_punctuated_words_are_found_by_their_parts(app, terms):
    body = "Read std::io and node.js with v1.0 on x86_64 (async/await) at "
    post = make_post("Notes", body=body + "https://www.rust-lang.org/learn.")
    search.index([post.id])
    assert titles(terms) == ["Notes"]


@pytest.mark.parametrize(
    ("terms", "found"),
    [
        ("std::io", ["Together"]),
        ('"std::io" std::io', ["Together"]),
        ("-std::io read", ["Apart"]),
        ("std::io*", ["Together"]),
        ("io:std", []),
    ],
)
def test_a_punctuated_word_is_a_phrase(app, terms, found):
    apart = make_post("Apart", body="Read io of std first.")
    together = make_post("Together", body="Read std::io now.")
    search.index([apart.id, together.id])
    assert titles(terms) == found


def test_a_word_inside_punctuation_is_marked_in_the_snippet(app):
    post = make_post("Notes", body="Read std::io first.")
    search.index([post.id])
    [result] = search.query("io", 1, 10).items
    assert "std::<mark>io</mark> first" in str(result.snippet)


@pytest.mark.parametrize(
    ("terms", "found"),
    [
        ("cargo AND npm", ["Cargo"]),
        ("cargo NOT npm", ["Crates"]),
        ("NOT npm", []),
        ('"cargo AND npm"', []),
        ("cargo and npm", []),
    ],
)
def test_and_and_not_are_operators(app, terms, found):
    cargo = make_post("Cargo", body="Cargo with npm.")
    crates = make_post("Crates", body="Cargo alone.")
    search.index([cargo.id, crates.id])
    assert titles(terms) == found
