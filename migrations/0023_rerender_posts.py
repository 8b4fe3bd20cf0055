"""Posts' stored renderings made again with this version's renderer.

A post's body_html and body_text are a cache of markup.render_post, and this
version renders differently: headings named like the page's own parts
("Comments", "Respond") no longer take their ids, a word split by inline
Markdown stays one word in the text, the words of HTML table cells and <br>
lines stay apart, and a fence's language is read as authors write it
("rust,ignore", "rust=", "{.python}"). Without this, posts already there kept
the old output until saved again. Then the search index (which now holds
the author's summary too), related posts and the page cache.
"""

atomic = False  # the batches commit one by one


def up(migrator, db):
    from blog.publishing import render_all_again

    render_all_again()


def down(migrator, db):
    """Nothing to undo: the renderings are a cache, and the older code renders
    each post again when it is saved."""
