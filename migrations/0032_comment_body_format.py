"""Comments keep the format of their body: markdown, or an import's html.

A WordPress comment is stored as WordPress's HTML source; a moderator's edit
rendered it as Markdown with raw HTML off, and readers saw the tags as text.
Imported comments (those with a WordPress ID) are marked html, except those
already edited here: their stored HTML was rendered from the body as Markdown,
which is what their body is now taken for.
"""

MARK_IMPORTED = """
UPDATE "comment" SET "body_format" = 'html'
WHERE "wp_id" IS NOT NULL AND "id" NOT IN (
    SELECT "object_id" FROM "audit_entry"
    WHERE "object_type" = 'comment' AND "action" = 'comment.edit'
    AND "object_id" IS NOT NULL
)
"""


def up(migrator, db):
    # Added in place: peewee's SQLite migrator would rebuild the table for a
    # NOT NULL column, and lose its triggers (word index, comment counts).
    db.execute_sql(
        'ALTER TABLE "comment" ADD COLUMN "body_format" VARCHAR(8) NOT NULL '
        "DEFAULT 'markdown'"
    )
    db.execute_sql(MARK_IMPORTED)


def down(migrator, db):
    db.execute_sql('ALTER TABLE "comment" DROP COLUMN "body_format"')
