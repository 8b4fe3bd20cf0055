"""Prepared: queries built once, run with new values, on SQLite and PostgreSQL."""

import datetime

import pytest

from blog import db
from blog.models import Post, PostStatus, utcnow
from blog.prepared import Prepared, PreparedInsert
from tests.factories import make_post


def test_values_change_between_runs_and_constants_stay(app):
    first = make_post(slug="first", date=datetime.datetime(2024, 1, 1))
    make_post(slug="draft", status=PostStatus.DRAFT)
    builds = []

    def build(slug):
        builds.append(slug)
        return Post.select(Post.id).where(
            (Post.slug == slug) & (Post.status == PostStatus.PUBLISHED)
        )

    query = Prepared(build)
    assert query.scalar("first") == first.id
    assert query.scalar("draft") is None  # the status constant still applies
    assert query.scalar("nothing") is None
    assert builds == ["first"]


def test_rows_come_back_as_models_with_converted_columns(app):
    moment = datetime.datetime(2024, 5, 6, 7, 8, 9)
    made = make_post(slug="dated", date=moment)
    query = Prepared(lambda slug: Post.select().where(Post.slug == slug))
    (found,) = query.models(Post, "dated")
    assert isinstance(found, Post)
    assert found.id == made.id and found.date == moment
    assert found.url == "/2024/05/06/dated/"


def test_the_same_value_may_be_given_twice_in_order(app):
    make_post(slug="a", date=datetime.datetime(2024, 1, 1))
    later = make_post(slug="b", date=datetime.datetime(2024, 1, 2))
    query = Prepared(
        lambda start, same_start: Post.select(Post.id).where(
            (Post.date > start) | (Post.date == same_start)
        )
    )
    moment = datetime.datetime(2024, 1, 1, 12)
    assert [row[0] for row in query.execute(moment, moment)] == [later.id]


def test_a_builder_that_binds_values_out_of_order_is_refused(app):
    query = Prepared(
        lambda slug, status: Post.select().where(
            (Post.status == status) & (Post.slug == slug)
        )
    )
    with pytest.raises(ValueError, match="in order"):
        query.execute("x", PostStatus.PUBLISHED)


def test_a_builder_that_binds_a_converted_value_is_refused(app):
    # str(n) is a new object: the query would never see later values.
    query = Prepared(lambda n: Post.select().where(Post.slug == str(n)))
    with pytest.raises(ValueError, match="in order"):
        query.execute(12345)


def test_post_neighbours_follow_date_then_id(app):
    same_day = datetime.datetime(2024, 3, 1)
    a = make_post(slug="a", date=same_day)
    b = make_post(slug="b", date=same_day)
    c = make_post(slug="c", date=same_day + datetime.timedelta(days=1))
    make_post(slug="future", date=utcnow() + datetime.timedelta(days=3))
    now = utcnow()
    assert [p and p.id for p in a.neighbours(now)] == [None, b.id]
    assert [p and p.id for p in b.neighbours(now)] == [a.id, c.id]
    assert [p and p.id for p in c.neighbours(now)] == [b.id, None]


def test_prepared_insert_fills_defaults_and_returns_the_new_id(app):
    insert = PreparedInsert(Post)
    moment = datetime.datetime(2024, 2, 3)
    first = insert(title="One", slug="one", date=moment)
    second = insert(title="Two", slug="two", date=moment, status=PostStatus.PUBLISHED)
    assert second != first
    one, two = Post.get_by_id(first), Post.get_by_id(second)
    assert (one.title, one.status, one.kind, one.version) == ("One", "draft", "post", 1)
    assert two.status == PostStatus.PUBLISHED and two.date == moment
    assert one.created_at is not None  # a callable default, called per row


def test_records_are_named_tuples_with_dates_and_flags_converted(app):
    moment = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456)
    made = make_post(slug="r", date=moment, comments_open=False)
    query = Prepared(
        lambda slug: Post.select(
            Post.id, Post.date, Post.updated, Post.comments_open, Post.title
        ).where(Post.slug == slug)
    )
    (record,) = query.records(Post, "r")
    assert record == (made.id, moment, None, False, made.title)
    assert record.date == moment and record.comments_open is False
    assert query.records(Post, "missing") == []


def test_one_of_takes_lists_of_any_length_as_one_parameter(app):
    made = {slug: make_post(slug=slug).id for slug in ("a", "b", "c")}
    builds = []

    def build(slugs):
        builds.append(slugs)
        return Post.select(Post.id).where(db.one_of(Post.slug, slugs))

    query = Prepared(build)
    for wanted in (["a"], ["a", "c", "zz"], [], ["b", "b"], list("abc")):
        found = {row[0] for row in query.execute(db.pack(wanted))}
        assert found == {made[slug] for slug in wanted if slug in made}
    assert len(builds) == 1


def test_post_records_have_the_properties_lists_of_posts_use(app):
    made = make_post(slug="listed", date=datetime.datetime(2024, 7, 8))
    query = Prepared(
        lambda slug: Post.select(*Post.listing_fields()).where(Post.slug == slug)
    )
    (record,) = query.records(Post, "listed")
    assert record.url == made.url == "/2024/07/08/listed/"
    assert record.is_public and record.title == made.title
