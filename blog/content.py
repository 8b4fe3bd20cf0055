"""Markdown files with front matter in content/, synced into Posts (content_export
writes them back)."""

import datetime
import gc
import hashlib
import math
import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import frontmatter
import yaml
from slugify import slugify

from . import front_matter, markup
from .content_store import Store, unpublish
from .db import write_transaction
from .front_matter import ContentError
from .models import Post, PostStatus
from .term_models import Category, Tag

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
    # None when the file has no such key: the post keeps what it has.
    sticky: bool | None = None
    feed_id: str | None = None
    # Imported all the same; the sync reports them with the file's path.
    warnings: list[str] = field(default_factory=list)


@dataclass
class SyncReport:
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unpublished: list[int] = field(default_factory=list)
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

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
    except yaml.YAMLError as error:
        raise ContentError(front_matter.yaml_problem(error, text)) from error
    # YAML reads 2024-02-30 as a date and fails to build it.
    except ValueError as error:
        raise ContentError(
            f"bad front matter: a date that does not exist ({error})"
        ) from error
    meta = post.metadata
    kind = "page" if path.startswith("pages/") else "post"
    stem = Path(path).stem
    match = FILE_NAME.match(stem)
    title = _text(meta, "title")
    if not title:
        raise ContentError(front_matter.why_no_title(text))
    date = front_matter.as_datetime(meta.get("date"), tz, "date")
    if date is None and match:
        date = front_matter.as_datetime(
            "-".join(match.groups()[:3]), tz, "file name date"
        )
    if date is None and kind == "post":
        raise ContentError("no date in front matter or file name (YYYY-MM-DD-slug.md)")
    slug = slugify(_text(meta, "slug") or (match.group(4) if match else stem))
    if len(slug) > Post.slug.max_length:
        raise ContentError(f"slug: at most {Post.slug.max_length} characters")
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
    categories = front_matter.names(
        meta.get("categories", meta.get("category")),
        "categories",
        Category.name.max_length,
    )
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
        author=_text(meta, "author"),
        status=status,
        summary=_text(meta, "summary") or _text(meta, "description"),
        body=post.content,
        body_format=body_format,
        template=_text(meta, "template"),
        nav_order=front_matter.order(meta.get("order")),
        comments_open=front_matter.flag(meta.get("comments"), "comments", True),
        tags=front_matter.names(meta.get("tags"), "tags", Tag.name.max_length),
        categories=categories,
        sticky=front_matter.flag(meta.get("sticky"), "sticky", None),
        feed_id=front_matter.feed_id(meta.get("feed_id")),
        warnings=_unknown_keys(meta),
    )


def _text(meta: dict, name: str) -> str:
    # summary and description are TEXT: no limit but the file's size
    limit = getattr(Post, name).max_length if name in _LIMITED else math.inf
    return front_matter.text(meta.get(name), name, limit)


_LIMITED = {"title", "slug", "author", "template"}
KNOWN_KEYS = {
    "title", "date", "updated", "slug", "tags", "categories", "category", "author",
    "status", "draft", "summary", "description", "template", "comments", "format",
    "order", "sticky", "feed_id",
}  # fmt: skip


def _unknown_keys(meta: dict) -> list[str]:
    """A misspelt key (tilte, tag) would be ignored without a word."""
    unknown = sorted(str(key) for key in meta if key not in KNOWN_KEYS)
    return [f"unknown keys ignored: {', '.join(unknown)}"] if unknown else []


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


def _prepare_all(jobs: list, workers: int | None) -> Iterable:
    """Parsed and rendered files, in order; in worker processes when many.

    A few are rendered before the sync takes the write lock: one large file
    took 20 s, and no comment could be saved meanwhile.
    """
    if len(jobs) < POOL_THRESHOLD or workers == 1:
        return [prepare(job) for job in jobs]
    return _prepare_in_pool(jobs, workers)


def _prepare_in_pool(jobs: list, workers: int | None) -> Iterator:
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
            Post.kind,
            Post.slug,
            Post.date,
            Post.source_path,
            Post.source_hash,
            Post.status,
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
        store = Store(
            row
            for path, row in known.items()
            if path.startswith(prefix) and path not in present
        )
        for item in prepared:
            if isinstance(item, tuple):
                report.errors.append(item)
                continue
            try:
                post_id, created = store.save(item, known.get(item.path))
            except ContentError as error:
                report.errors.append((item.path, str(error)))
                continue
            (report.added if created else report.updated).append(post_id)
            report.warnings += [(item.path, warning) for warning in item.warnings]
        report.warnings += store.warnings
        for row in store.vanished.values():
            if row.status == PostStatus.PUBLISHED:
                unpublish(row)
                report.unpublished.append(row.id)
    return report
