"""Create the initial schema (frozen copies of the models as first released)."""

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    class User(Model):
        username = CharField(unique=True, max_length=64)
        display_name = CharField(max_length=120, default="")
        email = CharField(max_length=254, default="")
        password_hash = CharField()
        role = CharField(max_length=16, default="editor")
        session_token = CharField(max_length=64)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "user"

    db.create_tables([User])

    class AuditEntry(Model):
        at = DateTimeField(index=True)
        user = ForeignKeyField(User, null=True, on_delete="SET NULL")
        actor = CharField(max_length=120, default="")
        action = CharField(max_length=64)
        object_type = CharField(max_length=32, default="")
        object_id = IntegerField(null=True)
        from_state = CharField(max_length=32, default="")
        to_state = CharField(max_length=32, default="")
        detail = TextField(default="")

        class Meta:
            database = db
            table_name = "audit_entry"

    db.create_tables([AuditEntry])

    class BlockedItem(Model):
        kind = CharField(max_length=12)
        value = CharField()
        reason = CharField(default="")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "blocked_item"
            indexes = ((("kind", "value"), True),)

    db.create_tables([BlockedItem])

    class Category(Model):
        name = CharField(max_length=100)
        slug = CharField(unique=True, max_length=120)
        parent = ForeignKeyField("self", null=True, on_delete="SET NULL")

        class Meta:
            database = db
            table_name = "category"

    db.create_tables([Category])

    class Post(Model):
        kind = CharField(index=True, max_length=8, default="post")
        title = CharField(max_length=300)
        slug = CharField(index=True, max_length=200)
        date = DateTimeField(index=True)
        updated = DateTimeField(null=True)
        author = CharField(max_length=120, default="")
        status = CharField(index=True, max_length=12, default="draft")
        summary = TextField(default="")
        body = TextField(default="")
        body_format = CharField(max_length=8, default="markdown")
        body_html = TextField(default="")
        body_text = TextField(default="")
        summary_html = TextField(default="")
        template = CharField(max_length=100, default="")
        nav_order = IntegerField(default=0)
        comments_open = BooleanField(default=True)
        sticky = BooleanField(default=False)
        source_path = CharField(unique=True, null=True, max_length=500)
        source_hash = CharField(max_length=64, default="")
        version = IntegerField(default=1)
        created_at = DateTimeField()
        modified_at = DateTimeField()

        class Meta:
            database = db
            table_name = "post"
            indexes = (
                (("kind", "slug"), True),
                (("kind", "status", "sticky", "date"), False),
                (("kind", "status", "date"), False),
            )

    db.create_tables([Post])

    class Comment(Model):
        post = ForeignKeyField(Post, on_delete="CASCADE")
        parent = ForeignKeyField("self", null=True, on_delete="SET NULL")
        thread = ForeignKeyField("self", null=True, on_delete="SET NULL")
        depth = IntegerField(default=0)
        kind = CharField(max_length=10, default="comment")
        author_name = CharField(max_length=245)
        author_email = CharField(max_length=100, default="")
        email_hash = CharField(index=True, max_length=64, default="")
        author_url = CharField(max_length=200, default="")
        user = ForeignKeyField(User, null=True, on_delete="SET NULL")
        body = TextField()
        body_html = TextField(default="")
        status = CharField(index=True, max_length=10)
        spam_score = FloatField(null=True)
        verdicts = TextField(default="[]")
        ip_hash = CharField(index=True, max_length=64, default="")
        ip_prefix = CharField(max_length=48, default="")
        idempotency_key = CharField(unique=True, null=True, max_length=64)
        created_at = DateTimeField(index=True)
        modified_at = DateTimeField()

        class Meta:
            database = db
            table_name = "comment"
            indexes = ((("post", "status", "created_at"), False),)

    db.create_tables([Comment])

    class LoginAttempt(Model):
        key = CharField(index=True, max_length=128)
        at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "login_attempt"

    db.create_tables([LoginAttempt])

    class PostCategory(Model):
        post = ForeignKeyField(Post, on_delete="CASCADE")
        category = ForeignKeyField(Category, on_delete="CASCADE")

        class Meta:
            database = db
            table_name = "post_category"
            indexes = ((("post", "category"), True),)

    db.create_tables([PostCategory])

    class Tag(Model):
        name = CharField(max_length=100)
        slug = CharField(unique=True, max_length=120)

        class Meta:
            database = db
            table_name = "tag"

    db.create_tables([Tag])

    class PostTag(Model):
        post = ForeignKeyField(Post, on_delete="CASCADE")
        tag = ForeignKeyField(Tag, on_delete="CASCADE")

        class Meta:
            database = db
            table_name = "post_tag"
            indexes = ((("post", "tag"), True),)

    db.create_tables([PostTag])

    class Redirect(Model):
        old_path = CharField(unique=True, max_length=500)
        target = CharField(max_length=500)

        class Meta:
            database = db
            table_name = "redirect"

    db.create_tables([Redirect])

    class RelatedPost(Model):
        post = ForeignKeyField(Post, on_delete="CASCADE")
        related = ForeignKeyField(Post, index=True, on_delete="CASCADE")
        rank = IntegerField()
        score = FloatField()
        reason = CharField(max_length=300, default="")

        class Meta:
            database = db
            table_name = "related_post"
            indexes = ((("post", "rank"), True),)

    db.create_tables([RelatedPost])

    class Setting(Model):
        key = CharField(primary_key=True, max_length=64)
        value = TextField()

        class Meta:
            database = db
            table_name = "setting"

    db.create_tables([Setting])

    class SpamToken(Model):
        token = CharField(primary_key=True, max_length=64)
        spam = IntegerField(default=0)
        ham = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "spam_token"

    db.create_tables([SpamToken])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("spam_token"))
    migrator.migrate(migrator.drop_table("setting"))
    migrator.migrate(migrator.drop_table("related_post"))
    migrator.migrate(migrator.drop_table("redirect"))
    migrator.migrate(migrator.drop_table("post_tag"))
    migrator.migrate(migrator.drop_table("tag"))
    migrator.migrate(migrator.drop_table("post_category"))
    migrator.migrate(migrator.drop_table("login_attempt"))
    migrator.migrate(migrator.drop_table("comment"))
    migrator.migrate(migrator.drop_table("post"))
    migrator.migrate(migrator.drop_table("category"))
    migrator.migrate(migrator.drop_table("blocked_item"))
    migrator.migrate(migrator.drop_table("audit_entry"))
    migrator.migrate(migrator.drop_table("user"))
