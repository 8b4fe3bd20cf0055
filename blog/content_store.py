"""Storing parsed content files as Posts: new, changed, moved or renamed ones."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import content_export, redirects
from .front_matter import ContentError
from .models import Post, PostStatus, utcnow
from .prepared import PreparedInsert
from .term_models import Category, PostCategory, PostTag, Tag, term_slug

if TYPE_CHECKING:
    from .content import Source


def unpublish(row):
    # Clearing the hash re-imports the file if it ever comes back.
    Post.update(
        status=PostStatus.UNPUBLISHED, source_hash="", modified_at=utcnow()
    ).where(Post.id == row.id).execute()


def _exported(post_id, source: Source):
    """The post without a file (written in the dashboard, imported) that
    source is the export of: `blog content export` wrote it to this path."""
    if post_id is None:
        return None
    post = Post.get_or_none(
        (Post.id == post_id)
        & Post.source_path.is_null()
        & (Post.status != PostStatus.TRASH)
    )
    if post and content_export.export_path(post) == source.path:
        return post
    return None


def _keep_address(before: Post, fields: dict):
    """Links to a public post outlive a new slug or date in its front matter,
    as they do an edit in the dashboard."""
    date = fields.get("date", before.date)
    after = Post(kind=fields["kind"], slug=fields["slug"], date=date)
    if before.is_public and after.url != before.url:
        redirects.remember_all({before.url: after.url})


class Store:
    """Writes Sources into the database, caching tag and category lookups."""

    def __init__(self, vanished=()):
        # Posts whose file is gone: a new file with one's bytes (posts sharing
        # a slug, -2, -3, moved together), or else its slug, is that file moved
        # or renamed, and takes the post (URL, comments) over.
        self.vanished = {row.id: row for row in vanished}
        self.vanished_by_hash = {
            (row.kind, row.source_hash): row.id
            for row in self.vanished.values()
            if row.source_hash
        }
        self.tags = {tag.slug: tag.id for tag in Tag.select(Tag.id, Tag.slug)}
        self.categories = {
            c.slug: c.id for c in Category.select(Category.id, Category.slug)
        }
        self.slugs = {
            (post.kind, post.slug): post.id
            for post in Post.select(Post.id, Post.kind, Post.slug)
        }
        # (path, message): imported, but the owner should know.
        self.warnings: list[tuple[str, str]] = []
        self.feed_ids = {
            post.feed_id: post.id
            for post in Post.select(Post.id, Post.feed_id).where(
                Post.feed_id.is_null(False)
            )
        }

    def save(self, source: Source, existing) -> tuple[int, bool]:
        taken_over = None
        if existing is None:
            existing = taken_over = self._moved(source)
        self._check_feed_id(source, existing, taken_over)
        fields = {
            "kind": source.kind,
            "title": source.title,
            "slug": self._free_slug(source, existing),
            "date": source.date or utcnow().replace(microsecond=0),
            "updated": source.updated,
            "author": source.author,
            "status": source.status,
            "summary": source.summary,
            "summary_html": source.summary_html,
            "body": source.body,
            "body_format": source.body_format,
            "body_html": source.body_html,
            "body_text": source.body_text,
            "template": source.template,
            "nav_order": source.nav_order,
            "comments_open": source.comments_open,
            "source_hash": source.hash,
            "modified_at": utcnow(),
        }
        if fields["slug"] != source.slug:
            self._tell_slug_taken(source, fields["slug"])
        self._tell_scheduled(source, existing)
        # Only a key the file has: the dashboard's choice or an import's id
        # stays when the file says nothing of it.
        if source.sticky is not None:
            fields["sticky"] = source.sticky
        if source.feed_id is not None:
            fields["feed_id"] = source.feed_id
        if existing is None:
            post_id = _INSERT_POST(source_path=source.path, **fields)
            self.slugs[(source.kind, fields["slug"])] = post_id
        else:
            post_id = existing.id
            if source.date is None:
                del fields["date"]
            fields["version"] = Post.version + 1
            if taken_over:
                fields["source_path"] = source.path
            Post.update(**fields).where(Post.id == post_id).execute()
            _keep_address(existing, fields)
            if self.slugs.get((existing.kind, existing.slug)) == post_id:
                del self.slugs[(existing.kind, existing.slug)]
            self.slugs[(source.kind, fields["slug"])] = post_id
            PostTag.delete().where(PostTag.post == post_id).execute()
            PostCategory.delete().where(PostCategory.post == post_id).execute()
        self._link(post_id, source)
        if source.feed_id is not None:
            self.feed_ids[source.feed_id] = post_id
        return post_id, existing is None

    def _check_feed_id(self, source: Source, existing, taken_over):
        """Refuse another post's Atom id (a copied file): feed readers would
        take the two for one entry."""
        holder = self.feed_ids.get(source.feed_id)
        if holder is None or (existing is not None and holder == existing.id):
            return
        if taken_over is not None:
            self.vanished[taken_over.id] = taken_over  # still gone: unpublished
        slug = Post.select(Post.slug).where(Post.id == holder).scalar()
        raise ContentError(
            f"feed_id {source.feed_id!r} is already the post {slug!r}'s: "
            "remove it from a copied file"
        )

    def _tell_slug_taken(self, source: Source, slug: str):
        holder = self.slugs.get((source.kind, source.slug))
        if holder is None:
            why = "was taken when this post was first synced"
        else:
            path = Post.select(Post.source_path).where(Post.id == holder).scalar()
            why = f"belongs to {path}" if path else "belongs to a dashboard post"
        self.warnings.append(
            (source.path, f"the slug {source.slug!r} {why}: this post is at {slug!r}")
        )

    def _tell_scheduled(self, source: Source, existing):
        """A typo in the year (2204) takes a public post down."""
        date = source.date
        if source.status != PostStatus.PUBLISHED or not date or date <= utcnow():
            return
        public = existing is not None and existing.is_public
        hidden = "taken down" if public else "hidden"
        self.warnings.append(
            (
                source.path,
                f"dated {date:%Y-%m-%d %H:%M} UTC, in the future: {hidden} until then",
            )
        )

    def _moved(self, source: Source):
        """The post of a vanished file (or of an export) this new file is."""
        moved = self.vanished.pop(
            self.vanished_by_hash.pop((source.kind, source.hash), None), None
        )
        if moved is not None:
            return moved
        held_by = self.slugs.get((source.kind, source.slug))
        return self.vanished.pop(held_by, None) or _exported(held_by, source)

    def _free_slug(self, source: Source, existing) -> str:
        """The wanted slug, or slug-2, slug-3... when another post holds it; a
        post keeps the one it has (its address) when a lower one is freed."""
        own = existing.id if existing else None
        numbered = re.compile(rf"{re.escape(source.slug)}(?:-\d+)?")
        if existing is not None and numbered.fullmatch(existing.slug):
            return existing.slug
        candidate, number = source.slug, 1
        while self.slugs.get((source.kind, candidate), own) != own:
            number += 1
            candidate = f"{source.slug}-{number}"
        return candidate

    def _link(self, post_id: int, source: Source):
        tag_ids = {self._term(Tag, self.tags, name) for name in source.tags}
        cat_ids = {self._term(Category, self.categories, n) for n in source.categories}
        if tag_ids:
            PostTag.insert_many(
                [(post_id, t) for t in tag_ids], [PostTag.post, PostTag.tag]
            ).execute()
        if cat_ids:
            PostCategory.insert_many(
                [(post_id, c) for c in cat_ids],
                [PostCategory.post, PostCategory.category],
            ).execute()

    @staticmethod
    def _term(model, cache: dict, name: str) -> int:
        slug = term_slug(name)
        if slug not in cache:
            cache[slug] = model.insert(name=name, slug=slug).execute()
        return cache[slug]


# peewee took longer to build each INSERT than the main process took for
# everything else in a first sync.
_INSERT_POST = PreparedInsert(Post)
