"""Posts' stored renderings made again with this version's renderer.

A post's body_html and body_text (and an empty summary's start-of-text) are
a cache of markup.render_post, and this version renders differently: table
alignment as classes (the Content-Security-Policy refused style attributes),
an anchor for a heading that slugifies to nothing, the text of HTML posts
with entities decoded and of the author's HTML blocks, relative media links
in the author's HTML. Without this, posts already there kept the old output
until saved again. In batches, each its own transaction, so comments can be
written between them; then the search index and related posts again.
"""

atomic = False  # the batches commit one by one
BATCH = 200


def up(migrator, db):
    from blog import markup, related, search
    from blog.db import write_transaction
    from blog.models import Post

    last, ids = 0, []
    while rows := list(
        Post.select(
            Post.id, Post.body, Post.body_format, Post.source_path, Post.summary
        )
        .where(Post.id > last)
        .order_by(Post.id)
        .limit(BATCH)
    ):
        with write_transaction():
            for post in rows:
                html, text = markup.render_post(
                    post.body, post.source_path, post.body_format
                )
                fields = {Post.body_html: html, Post.body_text: text}
                if not post.summary.strip():
                    fields[Post.summary_html] = markup.summarize("", text)
                Post.update(fields).where(Post.id == post.id).execute()
        ids += [post.id for post in rows]
        last = rows[-1].id
    if ids:
        search.index(ids)
        related.recompute_all()


def down(migrator, db):
    """Nothing to undo: the renderings are a cache, and the older code renders
    each post again when it is saved."""
