"""Every table of the site, for `.pwmigrate`'s schema check and the tests.

The tables live in three modules, models.py first because the others refer
to its Post and User: a list of them all can live in none of the three.
"""

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


def missing(models) -> list[str]:
    """The tables and columns of these models the database does not have yet:
    a migration of an older database runs before later ones add them."""
    gaps = []
    for model in models:
        table = model._meta.table_name
        have = {column.name for column in model._meta.database.get_columns(table)}
        gaps += [
            f"{table}.{field.column_name}"
            for field in model._meta.sorted_fields
            if field.column_name not in have
        ]
    return gaps
