"""Import a WordPress export (WXR) in one transaction, with a report of everything.

    report = import_file("export.xml", key=secret, dry_run=True)
    print(report.format())

Records are read one at a time (wxr.py) and written as they come; the whole
import is one transaction, so a file that turns out malformed half-way leaves
nothing behind. WordPress IDs are kept on every row (wp_id): running the same
import again finds them and changes nothing. A dry run does all the work and
rolls it back.
"""

import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slugify import slugify

from .. import markup, publishing, redirects
from ..comments import word_index
from ..content import is_reserved
from ..db import write_transaction
from ..models import Post, PostStatus
from ..term_models import PostCategory, PostTag
from . import autop, exporter, shortcodes, terms, threads, wxr
from .report import Report

# WordPress status -> (our status, what the report says about it).
STATUSES = {
    "publish": (PostStatus.PUBLISHED, ""),
    "future": (PostStatus.PUBLISHED, ""),  # its date in the future schedules it
    "draft": (PostStatus.DRAFT, ""),
    "pending": (PostStatus.DRAFT, "pending review in WordPress: imported as a draft"),
    "private": (PostStatus.DRAFT, "private in WordPress: imported as a draft"),
    "trash": (PostStatus.TRASH, "in WordPress's trash: imported as trash"),
}
ZERO_DATE = "0000-00-00 00:00:00"


class _DryRun(Exception):
    """Raised at the end of a dry run to roll the transaction back."""


def import_file(
    path,
    key: str,
    dry_run: bool = False,
    authors: dict | None = None,
    ip_retention: datetime.timedelta | None = None,
) -> Report:
    """Import the WXR file at path; key is the site's privacy key for IP hashes.

    Comments older than ip_retention keep no address data, as live ones do not.
    """
    report = Report(source=Path(path).name, dry_run=dry_run)
    try:
        with open(path, "rb") as stream, write_transaction():
            _Import(stream, report, key, authors or {}, ip_retention).run()
            word_index.catch_up()  # one batch for every comment imported
            if dry_run:
                raise _DryRun
    except _DryRun:
        report.post_ids = []
    except wxr.WXRError as error:
        report.error = error
        report.post_ids = []
    if report.ok and not dry_run:
        publishing.refresh(report.post_ids)
        publishing.invalidate_pages()
    return report


class _Import:
    """One run over one file: caches of what exists, and the report to fill."""

    def __init__(self, stream, report: Report, key: str, author_names: dict, keep):
        self.reader = wxr.read(stream)
        self.report = report
        self.author_names = dict(author_names)
        self.mapped_authors = set(author_names)
        self.terms = terms.Terms(report)
        self.threads = threads.Threads(report, key, keep)
        self.redirects = dict(redirects.WORDPRESS_FEEDS)
        self.tz = ZoneInfo("UTC")
        self.base_path = ""
        # Posts of earlier imports and every slug in use: one query each.
        self.known = dict(
            Post.select(Post.wp_id, Post.id).where(Post.wp_id.is_null(False)).tuples()
        )
        self.slugs = set(Post.select(Post.kind, Post.slug).tuples())

    def run(self):
        for kind, record in self.reader.records():
            getattr(self, f"_{kind}")(record)
        self._start_items()
        # Terms declared after the items (not WordPress's order, but valid).
        self.terms.finish(self.redirects)
        self.report.redirects = redirects.remember_all(self.redirects)
        self.threads.finish()

    def _author(self, author: wxr.Author):
        self.threads.author(author)
        if author.login in self.mapped_authors:
            return
        name = author.display_name or author.login
        self.author_names[author.login] = name
        self.report.notes.append(f"author {author.login!r}: shown as {name!r}")

    def _category(self, term: wxr.Term):
        self.terms.category(term)

    def _tag(self, term: wxr.Term):
        self.terms.tag(term)

    def _term(self, term: wxr.Term):
        tally = self.report["other terms"]
        tally.found += 1
        tally.skip(f"{term.taxonomy or 'no taxonomy'}: only categories and tags")

    def _start_items(self):
        """Once, before the first item: the channel and its terms are all read."""
        if self.report.version:
            return
        channel = self.reader.channel
        self.report.version = self.reader.version
        self.report.site = channel.get("{wp}base_blog_url") or channel.get("link", "")
        self.base_path = urlsplit(self.report.site).path.rstrip("/")
        self.tz = self.threads.tz = _site_zone(channel)
        self.terms.finish(self.redirects)

    def _item(self, item: wxr.Item):
        self._start_items()
        kind = {"post": "posts", "page": "pages", "attachment": "attachments"}.get(
            item.post_type, "other items"
        )
        tally = self.report[kind]
        tally.found += 1
        reason = _skip_reason(item)
        if reason:
            tally.skip(reason)
            self.threads.orphaned(item, f"its {item.post_type or 'item'} was skipped")
            return
        if item.wp_id is not None and item.wp_id in self.known:
            tally.existing += 1
            post = Post.get_by_id(self.known[item.wp_id])
        else:
            post = self._create(item)
            tally.imported += 1
            if item.wp_id is not None:
                self.known[item.wp_id] = post.id
            self.report.post_ids.append(post.id)
        self.threads.add(post, item)
        if post.status == PostStatus.PUBLISHED:
            self._remember_paths(item, post)

    def _create(self, item: wxr.Item) -> Post:
        status, note = STATUSES[item.status]
        if item.status in ("private", "draft") and _taken_down(item):
            status, note = PostStatus.UNPUBLISHED, ""
        if item.password and status == PostStatus.PUBLISHED:
            status = PostStatus.DRAFT
            note = "password-protected in WordPress: imported as a draft"
        if note:
            self.report.notes.append(f"{_label(item)}: {note}")
        kind = "page" if item.post_type == "page" else "post"
        title = terms.plain(item.title)[:300]
        body = body_html(item.content)
        rendered = markup.render_post(body, None, "html")
        summary = item.excerpt.strip()
        source = dict(item.meta).get(exporter.SUMMARY_META, "").strip()
        post = Post.create(
            kind=kind,
            title=title,
            slug=self._free_slug(kind, _wanted_slug(item, title)),
            date=self._date(item),
            updated=_updated(item),
            author=self._author_name(item.creator),
            status=status,
            summary=source or summary,
            summary_html=_summary_html(summary, source, rendered.text),
            body=body,
            body_format="html",
            body_html=rendered.html,
            body_text=rendered.text,
            nav_order=item.menu_order if kind == "page" else 0,
            comments_open=item.comment_status == "open",
            sticky=item.sticky,
            wp_id=item.wp_id,
            # Feed readers know the post by it: a new id would show it as new.
            feed_id=item.guid or None,
        )
        self._link_terms(post, item)
        return post

    def _free_slug(self, kind: str, wanted: str) -> str:
        """The wanted slug, or slug-2, slug-3... when taken (or reserved for a page)."""
        candidate, number = wanted, 1
        while (kind, candidate) in self.slugs or (
            kind == "page" and is_reserved(candidate)
        ):
            number += 1
            candidate = f"{wanted[:190]}-{number}"
        self.slugs.add((kind, candidate))
        return candidate

    def _link_terms(self, post: Post, item: wxr.Item):
        category_ids, tag_ids = self.terms.for_item(item)
        if category_ids:
            PostCategory.insert_many(
                [(post.id, c) for c in category_ids],
                [PostCategory.post, PostCategory.category],
            ).execute()
        if tag_ids:
            PostTag.insert_many(
                [(post.id, t) for t in tag_ids], [PostTag.post, PostTag.tag]
            ).execute()

    def _date(self, item: wxr.Item) -> datetime.datetime:
        moment = wxr.parse_date(item.post_date_gmt, item.post_date, self.tz)
        if moment is None:
            self.report.notes.append(f"{_label(item)}: no date: dated today")
            return datetime.datetime.now(datetime.UTC).replace(
                tzinfo=None, microsecond=0
            )
        return moment

    def _author_name(self, login: str) -> str:
        return (self.author_names.get(login) or login)[:120]

    def _remember_paths(self, item: wxr.Item, post: Post):
        """Old addresses of the item that should lead to its new one."""
        if item.wp_id is not None:
            self.redirects[f"/?p={item.wp_id}"] = post.url
        if post.kind == "page" and item.wp_id is not None:
            self.redirects[f"/?page_id={item.wp_id}"] = post.url
        old = [self._local_path(item.link)]
        if post.kind == "post" and item.post_date[:10] != ZERO_DATE[:10]:
            day = item.post_date[:10].replace("-", "/")
            old.append(f"/{day}/{unquote(item.post_name)}/")
            old += [
                f"/{day}/{unquote(v)}/" for k, v in item.meta if k == "_wp_old_slug"
            ]
        for path in old:
            if path and path not in ("/", post.url):
                self.redirects[path] = post.url
        # A post's own comment feed, at WordPress's address under its permalink.
        for path in {*old, post.url}:
            if path.endswith("/") and path != "/":
                self.redirects[f"{path}feed/"] = f"/comments/{post.id}/feed/"

    def _local_path(self, link: str) -> str:
        """The path of a link on the old site, relative to where the blog was."""
        parts = urlsplit(link)
        path = unquote(parts.path)
        if self.base_path and path.startswith(self.base_path + "/"):
            path = path[len(self.base_path) :]
        return "" if parts.query else path


def _skip_reason(item: wxr.Item) -> str:
    if item.post_type == "attachment":
        return "media files are not copied: posts keep linking to the old site"
    if item.post_type not in ("post", "page"):
        return f"{item.post_type or 'no type'}: not a post or a page"
    if item.status == "auto-draft":
        return "auto-draft: an unsaved editor buffer"
    if item.status not in STATUSES:
        return f"status {item.status or 'none'!r}: unknown"
    return ""


def body_html(content: str) -> str:
    """A WordPress post body as the HTML WordPress would show."""
    if autop.has_blocks(content):
        blocks = shortcodes.expand_blocks(content)
        return autop.strip_block_delimiters(blocks).strip()
    return autop.autop(shortcodes.expand(content)).strip()


def _updated(item: wxr.Item) -> datetime.datetime | None:
    """The "Updated" date our own export keeps in a post meta field."""
    value = dict(item.meta).get(exporter.UPDATED_META, "")
    return wxr.parse_date(value, "", datetime.UTC)


def _summary_html(excerpt: str, source: str, text: str) -> str:
    """Our own export's Markdown summary, or WordPress's excerpt, as HTML."""
    if source or not excerpt:
        return markup.summarize(source, text)
    return markup.render_post(autop.autop(excerpt), None, "html").html


def _taken_down(item: wxr.Item) -> bool:
    """Our own export's post that was taken down (its address answers 410)."""
    return dict(item.meta).get(exporter.STATUS_META) == PostStatus.UNPUBLISHED


def _site_zone(channel: dict) -> ZoneInfo:
    """The site's zone, when the exporter wrote one: WordPress's own does not."""
    name = channel.get("{wp}timezone_string", "")
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _label(item: wxr.Item) -> str:
    return f"{item.post_type} {item.wp_id} “{terms.plain(item.title) or '(no title)'}”"


def _wanted_slug(item: wxr.Item, title: str) -> str:
    slug = terms.clean_slug(item.post_name)[:200]
    return slug or slugify(title)[:200] or f"{item.post_type}-{item.wp_id}"
