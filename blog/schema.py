"""Every table of the site, for `.pwmigrate`'s schema check and the tests.

The tables live in three modules, models.py first because the others refer
to its Post and User: a list of them all can live in none of the three.
"""

from peewee import Field

from .comment_models import (
    BlockedItem,
    Comment,
    CommentCount,
    ErasedComment,
    ModerationUndo,
    SpamLesson,
    SpamModelVersion,
    SpamToken,
)
from .models import AuditEntry, LoginAttempt, Post, Redirect, Setting, User
from .term_models import (
    Category,
    PostCategory,
    PostTag,
    RelatedCounts,
    RelatedPost,
    RelatedTerm,
    Tag,
)

MODELS = [
    User,
    Post,
    Tag,
    Category,
    PostTag,
    PostCategory,
    RelatedPost,
    Comment,
    CommentCount,
    Setting,
    SpamToken,
    SpamModelVersion,
    SpamLesson,
    BlockedItem,
    ModerationUndo,
    ErasedComment,
    AuditEntry,
    LoginAttempt,
    Redirect,
    RelatedTerm,
    RelatedCounts,
]


def missing(wanted) -> list[str]:
    """The tables and columns of these models (or of these fields alone) the
    database does not have yet: a migration of an older database runs before
    later ones add them."""
    gaps = []
    for item in wanted:
        model = item.model if isinstance(item, Field) else item
        fields = [item] if isinstance(item, Field) else model._meta.sorted_fields
        table = model._meta.table_name
        have = {column.name for column in model._meta.database.get_columns(table)}
        gaps += [
            f"{table}.{field.column_name}"
            for field in fields
            if field.column_name not in have
        ]
    return gaps
