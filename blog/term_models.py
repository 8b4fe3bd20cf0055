"""The terms posts are grouped and compared by.

Tags and categories, as WordPress calls them terms, and the words related
posts are scored by, with the scores they gave.
"""

import re
import unicodedata

from peewee import (
    BigIntegerField,
    BlobField,
    CharField,
    FloatField,
    ForeignKeyField,
    IntegerField,
)
from slugify import slugify

from .db import one_of, pack
from .models import BaseModel, Post
from .prepared import Prepared

TERM_SLUG_LENGTH = 120


# What a browser does not send as one path segment: "?" and "#" end the path,
# "/" and "\\" split it, "%" starts an escape, "." and ".." are resolved away.
_NOT_A_SEGMENT = re.compile(r"[/?#%\\]|^\.+$")


def name_slug(name: str, max_length: int = 0) -> str:
    """The address of a name (a term, an author): its slug; a name slugify
    keeps nothing of ("🦊") itself, or, when a browser would not send it as
    written ("?"), the names of its characters ("question-mark")."""
    slug = slugify(name, max_length=max_length)
    if slug:
        return slug
    if not _NOT_A_SEGMENT.search(name):
        return name.lower()
    spelled = " ".join(unicodedata.name(char, "") for char in name)
    return slugify(spelled, max_length=max_length)


def term_slug(name: str) -> str:
    """A tag's or category's address, the same from the dashboard and from a
    content file, cut to fit its column (a name of 100 characters in a
    script that transliterates long makes a longer one)."""
    return name_slug(name, TERM_SLUG_LENGTH)


class Tag(BaseModel):
    name = CharField(max_length=100)
    slug = CharField(max_length=TERM_SLUG_LENGTH, unique=True)
    wp_id = BigIntegerField(null=True, unique=True)  # WordPress term ID

    @classmethod
    def by_post(cls, post_ids) -> dict:
        """Tags of many posts with one query: {post_id: [Tag, ...]}."""
        return _terms_by_post(cls, PostTag, PostTag.tag, post_ids)


class Category(BaseModel):
    name = CharField(max_length=100)
    slug = CharField(max_length=TERM_SLUG_LENGTH, unique=True)
    parent = ForeignKeyField(
        "self", null=True, backref="children", on_delete="SET NULL"
    )
    wp_id = BigIntegerField(null=True, unique=True)  # WordPress term ID

    @classmethod
    def by_post(cls, post_ids) -> dict:
        """Categories of many posts with one query: {post_id: [Category, ...]}."""
        return _terms_by_post(cls, PostCategory, PostCategory.category, post_ids)


class PostTag(BaseModel):
    post = ForeignKeyField(Post, backref="post_tags", on_delete="CASCADE")
    tag = ForeignKeyField(Tag, backref="post_tags", on_delete="CASCADE")

    class Meta:
        indexes = ((("post", "tag"), True),)


class PostCategory(BaseModel):
    post = ForeignKeyField(Post, backref="post_categories", on_delete="CASCADE")
    category = ForeignKeyField(Category, backref="post_categories", on_delete="CASCADE")

    class Meta:
        indexes = ((("post", "category"), True),)


# Built once per kind of term; the post ids are one parameter.
_TERMS: dict = {}


def _terms_by_post(model, link, link_field, post_ids) -> dict:
    found: dict = {post_id: [] for post_id in post_ids}
    if not found:
        return found
    if model not in _TERMS:
        _TERMS[model] = Prepared(
            lambda ids: (
                model.select(model, link.post.alias("linked_post"))
                .join(link, on=(link_field == model.id))
                .where(one_of(link.post, ids))
                .order_by(model.name)
            )
        )
    for term in _TERMS[model].models(model, pack(list(found))):
        found[term.linked_post].append(term)
    return found


class RelatedPost(BaseModel):
    post = ForeignKeyField(Post, backref="related_rows", on_delete="CASCADE")
    related = ForeignKeyField(Post, index=True, on_delete="CASCADE")
    rank = IntegerField()
    score = FloatField()
    reason = CharField(max_length=300, default="")

    class Meta:
        indexes = ((("post", "rank"), True),)


class RelatedTerm(BaseModel):
    """A word related posts weigh; stored term counts name it by its id."""

    term = CharField(max_length=64, unique=True)


class RelatedCounts(BaseModel):
    """The term counts of a post that took part in the last related-posts scoring."""

    post = ForeignKeyField(Post, primary_key=True, on_delete="CASCADE")
    # Of the text counted, so a full recompute counts again only what changed.
    fingerprint = CharField(max_length=32)
    terms = BlobField()  # term ids, ascending, as little-endian int32
    counts = BlobField()  # how often each occurs, as little-endian uint16
