"""Markdown files with front matter in content/, synced into Posts (content_export
writes them back)."""

import datetime
import gc
import hashlib
import os
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import frontmatter
import yaml
from slugify import slugify

from . import content_export, front_matter, markup, redirects
from .db import write_transaction
from .front_matter import ContentError
from .models import Post, PostStatus, utcnow
from .prepared import PreparedInsert
from .term_models import Category, PostCategory, PostTag, Tag

FILE_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
RESERVED_SLUGS = {
    "admin", "archive", "author", "category", "comments", "feed", "feeds", "login",
    "logout", "media", "robots.txt", "search", "sitemap.xml", "static", "tag",
}  # fmt: skip


def is_reserved(slug: str) -> bool:
    """Whether the site's own routes answer /<slug>/ before a page could.

    Digits alone are a year's archive (/2024/).
    """
    return slug in RESERVED_SLUGS or slug.isdigit()


# Below this many changed files, starting worker processes costs more than it saves.
POOL_THRESHOLD = 64


@dataclass
class Source:
    """One content file, parsed and rendered, ready to store."""

    path: str
    hash: str
    kind: str
    title: str
    slug: str
    date: datetime.datetime | None
    updated: datetime.datetime | None
    author: str
    status: str
    summary: str
    body: str
    body_format: str
    template: str
    nav_order: int
    comments_open: bool
    tags: list[str]
    categories: list[str]
    body_html: str = ""
    body_text: str = ""
    summary_html: str = ""


@dataclass
class SyncReport:
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unpublished: list[int] = field(default_factory=list)
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> list[int]:
        return self.added + self.updated + self.unpublished


def parse(path: str, raw: bytes, tz: ZoneInfo) -> Source:
    """Parse one content file; path is relative to the content folder."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ContentError(
            f"not UTF-8 ({error.reason} at byte {error.start})"
        ) from error
    # PostgreSQL refuses a NUL in any text, and no Markdown file holds one.
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        raise ContentError(f"binary data, not text (a NUL byte on line {line})")
    try:
        post = frontmatter.loads(text)
    # ValueError: YAML reads 2024-13-45 as a date and fails to build it.
    except (yaml.YAMLError, ValueError) as error:
        raise ContentError(f"bad front matter: {error}".splitlines()[0]) from error
    meta = post.metadata
    kind = "page" if path.startswith("pages/") else "post"
    stem = Path(path).stem
    match = FILE_NAME.match(stem)
    title = str(meta.get("title") or "").strip()
    if not title:
        raise ContentError(front_matter.why_no_title(text))
    date = front_matter.as_datetime(meta.get("date"), tz, "date")
    if date is None and match:
        date = front_matter.as_datetime(
            "-".join(match.groups()[:3]), tz, "file name date"
        )
    if date is None and kind == "post":
        raise ContentError("no date in front matter or file name (YYYY-MM-DD-slug.md)")
    slug = slugify(str(meta.get("slug") or (match.group(4) if match else stem)))
    if not slug:
        raise ContentError("cannot make a slug from the file name or title")
    if kind == "page" and is_reserved(slug):
        raise ContentError(f"the slug {slug!r} is reserved for the site's own pages")
    status = str(meta.get("status") or PostStatus.PUBLISHED).lower()
    if status not in (PostStatus.DRAFT, PostStatus.PUBLISHED, PostStatus.UNPUBLISHED):
        raise ContentError(
            f"status must be draft, published or unpublished, not {status!r}"
        )
    # Other generators' way of saying it (Hugo, Jekyll): never published.
    if front_matter.flag(meta.get("draft"), "draft", False):
        status = PostStatus.DRAFT
    categories = front_matter.names(meta.get("categories", meta.get("category")))
    body_format = str(meta.get("format") or "markdown")
    if body_format not in ("markdown", "html"):
        raise ContentError(f"format must be markdown or html, not {body_format!r}")
    return Source(
        path=path,
        hash=hashlib.sha256(raw).hexdigest(),
        kind=kind,
        title=title,
        slug=slug,
        date=date,
        updated=front_matter.as_datetime(meta.get("updated"), tz, "updated"),
        author=str(meta.get("author") or "").strip(),
        status=status,
        summary=str(meta.get("summary") or meta.get("description") or "").strip(),
        body=post.content,
        body_format=body_format,
        template=str(meta.get("template") or ""),
        nav_order=front_matter.order(meta.get("order")),
        comments_open=front_matter.flag(meta.get("comments"), "comments", True),
        tags=front_matter.names(meta.get("tags")),
        categories=categories,
    )


def prepare(job: tuple[str, bytes, str]) -> Source | tuple[str, str]:
    """Parse and render one file: the costly part, run in worker processes."""
    path, raw, tz_name = job
    try:
        source = parse(path, raw, ZoneInfo(tz_name))
    except ContentError as error:
        return (path, str(error))
    rendered = markup.render_post(source.body, path, source.body_format)
    source.body_html, source.body_text = rendered
    source.summary_html = markup.summarize(source.summary, source.body_text)
    return source


def scan(content_dir: Path, prefix: str = "") -> dict[str, Path]:
    """Every Markdown file under content_dir, by prefix + its relative POSIX path."""
    found = {}
    for root, _dirs, files in os.walk(content_dir):
        for name in files:
            if name.endswith(".md"):
                full = Path(root, name)
                found[prefix + full.relative_to(content_dir).as_posix()] = full
    return found


def _storable(path: str) -> bool:
    """Whether a path can be stored: a name in another encoding (a Latin-1
    "café.md" from an old archive) reaches Python with surrogates in it."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _quiet_collector():
    # Parsing makes many short-lived, acyclic token objects: the default
    # threshold runs the cycle collector so often that it costs 15% of a sync.
    gc.set_threshold(50_000, 20, 20)


def _prepare_all(jobs: list, workers: int | None) -> Iterator:
    """Parsed and rendered files, in order; in worker processes when many."""
    if len(jobs) < POOL_THRESHOLD or workers == 1:
        yield from map(prepare, jobs)
        return
    with ProcessPoolExecutor(
        max_workers=workers or os.cpu_count(), initializer=_quiet_collector
    ) as pool:
        # Lazily consumed: the caller stores results while workers render more.
        yield from pool.map(prepare, jobs, chunksize=8)


def _prefix(folder: Path, root) -> str:
    """Where folder lies in the content root, whose relative paths are stored."""
    try:
        inside = folder.resolve().relative_to(Path(root).resolve()).as_posix()
    except (TypeError, ValueError):  # no root, or a folder outside it (an export)
        return ""
    return "" if inside == "." else f"{inside}/"


def sync(content_dir, tz_name="UTC", workers=None, root=None) -> SyncReport:
    """Import new and changed files; unpublish posts whose file disappeared.

    A content_dir inside root (content/pages/ of content/) is synced as that
    part of root: its files keep their paths, and only its posts can vanish.
    """
    content_dir = Path(content_dir)
    prefix = _prefix(content_dir, root)
    report = SyncReport()
    known = {
        row.source_path: row
        for row in Post.select(
            Post.id,
            Post.source_path,
            Post.source_hash,
            Post.status,
            Post.kind,
            Post.slug,
            Post.date,
        ).where(Post.source_path.is_null(False))
    }
    jobs = []
    for path, full in sorted(scan(content_dir, prefix).items()):
        if not _storable(path):
            report.errors.append((path, "the file name is not UTF-8: rename it"))
            continue
        try:
            raw = full.read_bytes()
        except OSError as error:
            # Unreadable, or an editor's lock (a dangling symlink): report it, go on.
            report.errors.append((path, error.strerror or str(error)))
            continue
        row = known.get(path)
        if row and row.source_hash == hashlib.sha256(raw).hexdigest():
            report.unchanged += 1
            continue
        jobs.append((path, raw, tz_name))
    prepared = _prepare_all(jobs, workers)
    present = set(scan(content_dir, prefix))
    with write_transaction():
        store = _Store(
            row
            for path, row in known.items()
            if path.startswith(prefix) and path not in present
        )
        for item in prepared:
            if isinstance(item, tuple):
                report.errors.append(item)
                continue
            post_id, created = store.save(item, known.get(item.path))
            (report.added if created else report.updated).append(post_id)
        for row in store.vanished.values():
            if row.status == PostStatus.PUBLISHED:
                _unpublish(row)
                report.unpublished.append(row.id)
    return report


def _unpublish(row):
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


class _Store:
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

    def save(self, source: Source, existing) -> tuple[int, bool]:
        taken_over = None
        if existing is None:
            existing = taken_over = self._moved(source)
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
            date = fields.get("date", existing.date)
            moved = Post(kind=source.kind, slug=fields["slug"], date=date)
            # Links and feed readers keep a public post's old address.
            if existing.is_public and moved.url != existing.url:
                redirects.remember_all({existing.url: moved.url})
            self.slugs = {k: v for k, v in self.slugs.items() if v != post_id}
            self.slugs[(source.kind, fields["slug"])] = post_id
            PostTag.delete().where(PostTag.post == post_id).execute()
            PostCategory.delete().where(PostCategory.post == post_id).execute()
        self._link(post_id, source)
        return post_id, existing is None

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
        kept = [s for (kind, s), i in self.slugs.items() if i == own and own]
        numbered = re.compile(rf"{re.escape(source.slug)}(?:-\d+)?")
        if kept and numbered.fullmatch(kept[0]):
            return kept[0]
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
        slug = slugify(name) or name.lower()
        if slug not in cache:
            cache[slug] = model.insert(name=name, slug=slug).execute()
        return cache[slug]


# peewee took longer to build each INSERT than the main process took for
# everything else in a first sync.
_INSERT_POST = PreparedInsert(Post)
