"""Comments, and what moderation and the spam filter keep about them."""

import enum

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .models import BaseModel, Post, User, text_digest, utcnow


class CommentStatus(enum.StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    SPAM = "spam"
    REJECTED = "rejected"
    DELETED = "deleted"


class Comment(BaseModel):
    # The id is never given twice: AUTOINCREMENT on SQLite (migration 0016).
    # Indexed first in the composite indexes below, so not on its own.
    post = ForeignKeyField(Post, backref="comments", on_delete="CASCADE", index=False)
    parent = ForeignKeyField("self", null=True, backref="replies", on_delete="SET NULL")
    # The top-level ancestor: a page of threads loads with one query.
    thread = ForeignKeyField("self", null=True, on_delete="SET NULL")
    depth = IntegerField(default=0)
    kind = CharField(max_length=10, default="comment")  # comment|pingback|trackback
    author_name = CharField(max_length=245)
    # The raw email: private. No public template, feed or JSON ever receives it.
    author_email = CharField(max_length=100, default="")
    email_hash = CharField(max_length=64, default="")
    author_url = CharField(max_length=200, default="")
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    body = TextField()
    # What the same-text check looks a body up by (text_digest): comparing
    # bodies row by row read all of a prolific commenter's comments.
    body_digest = CharField(max_length=16, default="")
    # markdown (the form's) | html (an import's source, which edits keep)
    body_format = CharField(max_length=8, default="markdown")
    body_html = TextField(default="")
    status = CharField(max_length=10)  # indexed first with created_at below
    # The status before the comment went to the trash, for "restore".
    previous_status = CharField(max_length=10, default="")
    spam_score = FloatField(null=True)
    verdicts = TextField(default="[]")  # JSON list of {check, verdict, reason, score}
    ip_hash = CharField(max_length=64, default="")
    ip_prefix = CharField(max_length=48, default="", index=True)
    idempotency_key = CharField(max_length=64, null=True, unique=True)
    created_at = DateTimeField(default=utcnow, index=True)
    modified_at = DateTimeField(default=utcnow)
    wp_id = BigIntegerField(null=True, unique=True)  # WordPress comment ID

    class Meta:
        indexes = (
            (("post", "status", "created_at"), False),
            # The moderation queue: one status, newest first.
            (("status", "created_at", "id"), False),
            # The flood and rate checks: a sender's latest comments, read
            # from the index however many they wrote.
            (("email_hash", "created_at"), False),
            (("ip_hash", "created_at"), False),
            # The same-text check, and a comment's page of threads.
            (("post", "body_digest"), False),
            (("post", "status", "parent", "created_at"), False),
        )

    def save(self, *args, **kwargs):
        self.body_digest = text_digest(self.body)
        return super().save(*args, **kwargs)

    @classmethod
    def approved_for(cls, post):
        return cls.select().where(
            (cls.post == post) & (cls.status == CommentStatus.APPROVED)
        )

    @classmethod
    def pending(cls):
        return cls.select().where(cls.status == CommentStatus.PENDING)


class CommentCount(BaseModel):
    """A post's approved comments, kept by triggers (migration 0015).

    Counting them cost a scan of the post's comments: 0.25 ms at 4,000, for
    every comment sent and every page shown.
    """

    post = ForeignKeyField(Post, primary_key=True, on_delete="CASCADE")
    approved = IntegerField()
    threads = IntegerField()  # top level: what the pages of a post's threads hold


class Setting(BaseModel):
    key = CharField(max_length=64, primary_key=True)
    value = TextField()  # JSON


class SpamToken(BaseModel):
    """Token counts of the learning classifier, shared by every worker."""

    token = CharField(max_length=64, primary_key=True)
    spam = IntegerField(default=0)
    ham = IntegerField(default=0)


class SpamModelVersion(BaseModel):
    """One row, given a new random value by every change of the token counts.

    Each worker keeps the counts it has read while the value stays the same.
    """

    version = IntegerField()


class SpamLesson(BaseModel):
    """What the classifier learned from a moderator about one comment."""

    comment = ForeignKeyField(Comment, unique=True, on_delete="CASCADE")
    spam = BooleanField()
    # The tokens counted (JSON list), so a change of mind takes back exactly them.
    tokens = TextField(default="")
    learned_at = DateTimeField(default=utcnow)


class BlockedItem(BaseModel):
    kind = CharField(max_length=12)  # email_hash | host | ip_hash
    value = CharField(max_length=255)
    reason = CharField(max_length=255, default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("kind", "value"), True),)


class ModerationUndo(BaseModel):
    """What one moderator action changed, kept a short while to be taken back."""

    # The id is never given twice: AUTOINCREMENT on SQLite (migration 0029).
    user = ForeignKeyField(User, null=True, on_delete="CASCADE")
    action = CharField(max_length=20)
    # JSON: each comment's state, lesson and blocklist rows before and after.
    steps = TextField()
    created_at = DateTimeField(default=utcnow, index=True)


class ErasedComment(BaseModel):
    """A WordPress comment a privacy erase deleted: a new import of the same
    file must not bring the person's comment back. Its ID is all that is kept."""

    wp_id = BigIntegerField(primary_key=True)
