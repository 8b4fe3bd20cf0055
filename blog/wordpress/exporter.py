"""Write the site as a WXR 1.2 file that WordPress's importer accepts.

Posts and pages (not trashed ones), categories with their parents, tags, and
approved and pending comments. Spam and deleted comments stay here, and no
IP data ever leaves: every comment_author_IP is empty.

Bodies go out as HTML inside a wp:html block: WordPress then shows them as
they are (no wpautop over finished HTML), and our importer takes them back
unchanged. Markdown posts export their rendered HTML.
"""

import datetime
import html
import re
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from slugify import slugify

from .. import feeds, markup
from ..comment_models import Comment, CommentStatus
from ..models import Post, PostStatus, User, utcnow
from ..term_models import Category, Tag

NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
}
EXPORTED_COMMENTS = (CommentStatus.APPROVED, CommentStatus.PENDING)
BATCH = 200
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
BLOCK_OPEN, BLOCK_CLOSE = "<!-- wp:html -->\n", "\n<!-- /wp:html -->"
# A post's "Updated" date (GMT), hidden from WordPress by the leading "_";
# WordPress's own post_modified changes with every save, so it cannot say it.
UPDATED_META = "_field_notes_updated"
# "unpublished" on a post taken down (its address answers 410 Gone), which no
# WordPress status says: WordPress's "private" is the nearest.
STATUS_META = "_field_notes_status"
# The summary's Markdown source; the excerpt carries it as HTML for WordPress.
SUMMARY_META = "_field_notes_summary"


def text(tag: str, value) -> str:
    return f"<{tag}>{escape(_clean(str(value)))}</{tag}>"


def cdata(tag: str, value: str) -> str:
    # "]]>" cannot appear inside CDATA: end the section there and start another.
    safe = _clean(value).replace("]]>", "]]]]><![CDATA[>")
    return f"<{tag}><![CDATA[{safe}]]></{tag}>"


def _clean(value: str) -> str:
    return _NOT_XML.sub("", value)


def _dates(moment: datetime.datetime, tz: ZoneInfo) -> tuple[str, str]:
    """WordPress's local date and GMT date strings of a naive UTC moment."""
    local = moment.replace(tzinfo=datetime.UTC).astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M:%S}", f"{moment:%Y-%m-%d %H:%M:%S}"


class _Authors:
    """Every wp:author: the site's users by their login, then post authors who
    are no user under a login made from their name."""

    def __init__(self):
        self.rows: list[tuple[int, str, str, str]] = []  # id, login, name, email
        self.logins: dict[str, str] = {}  # post author name -> login
        names = Post.select(Post.author).where(Post.author != "").distinct()
        names = sorted(row.author for row in names)
        writers = {
            row.user_id
            for row in Comment.select(Comment.user)
            .where(Comment.user.is_null(False))
            .distinct()
        }
        for user in User.select().order_by(User.id):
            if user.name in names or user.id in writers:
                self.rows.append((user.id, user.username, user.name, user.email))
                self.logins.setdefault(user.name, user.username)
        taken = {row[1] for row in self.rows}
        number = max((row[0] for row in self.rows), default=0)
        for name in names:
            if name in self.logins:
                continue
            base = slugify(name, separator="_") or "author"
            login, suffix = base, 1
            while login in taken:
                suffix += 1
                login = f"{base}_{suffix}"
            number += 1
            taken.add(login)
            self.logins[name] = login
            self.rows.append((number, login, name, ""))


def export(stream, site_url: str, title: str, tz_name: str = "UTC") -> int:
    """Write the WXR to a text stream; return the number of posts and pages."""
    tz = ZoneInfo(tz_name)
    write = stream.write
    write('<?xml version="1.0" encoding="UTF-8" ?>\n')
    names = " ".join(f'xmlns:{k}="{v}"' for k, v in NAMESPACES.items())
    write(f'<rss version="2.0" {names}>\n<channel>\n')
    authors = _Authors()
    for line in _channel(site_url, title, authors.rows):
        write(line + "\n")
    count = 0
    posts = Post.select().where(Post.status != PostStatus.TRASH).order_by(Post.id)
    for start in range(0, posts.count(), BATCH):
        batch = list(posts.offset(start).limit(BATCH))
        for item in _items(batch, site_url, tz, authors.logins):
            write(item)
        count += len(batch)
    write("</channel>\n</rss>\n")
    return count


def _channel(site_url: str, title: str, authors: list):
    yield text("title", title)
    yield text("link", site_url)
    yield "<description></description>"
    yield text("pubDate", f"{utcnow():%a, %d %b %Y %H:%M:%S} +0000")
    yield "<language>en</language>"
    yield text("wp:wxr_version", "1.2")
    yield text("wp:base_site_url", site_url)
    yield text("wp:base_blog_url", site_url)
    for number, login, name, email in authors:
        yield (
            f"<wp:author>{text('wp:author_id', number)}"
            f"{cdata('wp:author_login', login)}"
            f"{text('wp:author_email', email)}"
            f"{cdata('wp:author_display_name', name)}</wp:author>"
        )
    yield from _categories()
    for tag in Tag.select().order_by(Tag.id):
        yield (
            f"<wp:tag>{text('wp:term_id', tag.id)}{cdata('wp:tag_slug', tag.slug)}"
            f"{cdata('wp:tag_name', tag.name)}</wp:tag>"
        )
    yield "<generator>Field Notes</generator>"


def _categories():
    """Every category after its parent, as WordPress's importer needs them."""
    rows = list(Category.select().order_by(Category.id))
    slugs = {row.id: row.slug for row in rows}
    written: set[int] = set()
    while len(written) < len(rows):
        ready = [
            row
            for row in rows
            if row.id not in written
            and (row.parent_id in written or row.parent_id not in slugs)
        ]
        # A loop of parents would never be ready: write the rest as they are.
        ready = ready or [row for row in rows if row.id not in written]
        for row in ready:
            written.add(row.id)
            yield (
                f"<wp:category>{text('wp:term_id', row.id)}"
                f"{cdata('wp:category_nicename', row.slug)}"
                f"{cdata('wp:category_parent', slugs.get(row.parent_id, ''))}"
                f"{cdata('wp:cat_name', row.name)}</wp:category>"
            )


def _items(posts: list[Post], site_url: str, tz: ZoneInfo, logins: dict):
    ids = [post.id for post in posts]
    tags, categories = Tag.by_post(ids), Category.by_post(ids)
    comments: dict[int, list[Comment]] = {post_id: [] for post_id in ids}
    every = list(Comment.select().where(Comment.post.in_(ids)).order_by(Comment.id))
    by_id = {comment.id: comment for comment in every}
    for comment in every:
        if comment.status in EXPORTED_COMMENTS:
            comment.parent_id = _exported_parent(comment, by_id)
            comments[comment.post_id].append(comment)
    for post in posts:
        terms = [("category", c) for c in categories[post.id]]
        terms += [("post_tag", t) for t in tags[post.id]]
        yield _item(post, site_url, tz, logins, terms, comments[post.id])


def _exported_parent(comment: Comment, by_id: dict) -> int | None:
    """The nearest ancestor that is exported too: a reply to spam moves up."""
    parent, seen = by_id.get(comment.parent_id), {comment.id}
    while parent is not None and parent.status not in EXPORTED_COMMENTS:
        if parent.id in seen:
            return None
        seen.add(parent.id)
        parent = by_id.get(parent.parent_id)
    return parent.id if parent is not None else None


def _status(post: Post) -> str:
    if post.status == PostStatus.PUBLISHED:
        return "future" if post.date > utcnow() else "publish"
    # Taken down: hidden from readers, as WordPress's private posts are.
    return "private" if post.status == PostStatus.UNPUBLISHED else "draft"


def _item(post: Post, site_url: str, tz: ZoneInfo, logins, terms, comments) -> str:
    local, gmt = _dates(post.date, tz)
    body = post.body if post.body_format == "html" else post.body_html
    parts = [
        "<item>",
        # WordPress reads titles as HTML; ours are plain text.
        cdata("title", html.escape(post.title, quote=False)),
        text("link", site_url.rstrip("/") + post.url),
        text("pubDate", f"{post.date:%a, %d %b %Y %H:%M:%S} +0000"),
        cdata("dc:creator", logins.get(post.author, "")),
        # The Atom id readers know the post by: WordPress keeps it as the guid
        # and shows it as the id in its own feeds, and so does our import.
        f'<guid isPermaLink="false">{escape(_entry_id(post, site_url))}</guid>',
        "<description></description>",
        cdata("content:encoded", f"{BLOCK_OPEN}{body}{BLOCK_CLOSE}" if body else ""),
        cdata("excerpt:encoded", _summary_html(post)),
        text("wp:post_id", post.id),
        text("wp:post_date", local),
        text("wp:post_date_gmt", gmt),
        text("wp:comment_status", "open" if post.comments_open else "closed"),
        text("wp:ping_status", "closed"),
        text("wp:post_name", post.slug),
        text("wp:status", _status(post)),
        text("wp:post_parent", 0),
        text("wp:menu_order", post.nav_order),
        text("wp:post_type", post.kind),
        "<wp:post_password></wp:post_password>",
        text("wp:is_sticky", int(post.sticky)),
    ]
    parts += [
        f"<category domain={quoteattr(domain)} nicename={quoteattr(term.slug)}>"
        f"<![CDATA[{_clean(term.name)}]]></category>"
        for domain, term in terms
    ]
    if post.updated:
        parts.append(_meta(UPDATED_META, f"{post.updated:%Y-%m-%d %H:%M:%S}"))
    if post.status == PostStatus.UNPUBLISHED:
        parts.append(_meta(STATUS_META, post.status))
    if post.summary.strip():
        parts.append(_meta(SUMMARY_META, post.summary))
    parts += [_comment(comment, tz) for comment in comments]
    parts.append("</item>\n")
    return "\n".join(parts)


def _summary_html(post: Post) -> str:
    """The summary as WordPress shows an excerpt: HTML, not our Markdown."""
    return markup.render_post(post.summary).html if post.summary.strip() else ""


def _meta(key: str, value: str) -> str:
    return (
        f"<wp:postmeta>{text('wp:meta_key', key)}"
        f"{text('wp:meta_value', value)}</wp:postmeta>"
    )


def _entry_id(post: Post, site_url: str) -> str:
    return feeds.entry_id(post, feeds.Site(url=site_url, title=""))


def _comment(comment: Comment, tz: ZoneInfo) -> str:
    local, gmt = _dates(comment.created_at, tz)
    approved = 1 if comment.status == CommentStatus.APPROVED else 0
    return "".join(
        [
            "<wp:comment>",
            text("wp:comment_id", comment.id),
            cdata("wp:comment_author", comment.author_name),
            text("wp:comment_author_email", comment.author_email),
            text("wp:comment_author_url", comment.author_url),
            "<wp:comment_author_IP></wp:comment_author_IP>",
            text("wp:comment_date", local),
            text("wp:comment_date_gmt", gmt),
            # HTML, as WordPress keeps it: the Markdown source would show raw.
            cdata("wp:comment_content", comment.body_html),
            text("wp:comment_approved", approved),
            text("wp:comment_type", comment.kind),
            text("wp:comment_parent", comment.parent_id or 0),
            # A staff reply stays theirs: without it, it came back a reader's
            # comment under their name and email, which then vouched for anyone.
            text("wp:comment_user_id", comment.user_id or 0),
            "</wp:comment>",
        ]
    )
