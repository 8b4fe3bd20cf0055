"""Small WXR files for tests, written from plain dicts."""

from xml.sax.saxutils import escape

WP_12 = "http://wordpress.org/export/1.2/"


def _cdata(value: str) -> str:
    return f"<![CDATA[{value}]]>"


def comment(wp_id, approved="1", parent=0, kind="", **fields) -> dict:
    values = {
        "comment_id": wp_id,
        "comment_author": f"Reader {wp_id}",
        "comment_author_email": f"reader{wp_id}@example.org",
        "comment_author_url": "",
        "comment_author_IP": "203.0.113.77",
        "comment_date": "2020-05-01 10:00:00",
        "comment_date_gmt": "2020-05-01 08:00:00",
        "comment_content": f"Comment number {wp_id}.",
        "comment_approved": approved,
        "comment_type": kind,
        "comment_parent": parent,
    }
    values.update(fields)
    return values


def item(wp_id, title="A post", post_type="post", status="publish", **fields) -> dict:
    values = {
        "title": title,
        "link": f"http://old.example/2020/05/01/{fields.get('post_name', 'a-post')}/",
        "creator": "ada",
        "content": "First paragraph.\n\nSecond paragraph.",
        "excerpt": "",
        "post_id": wp_id,
        "post_date": "2020-05-01 12:00:00",
        "post_date_gmt": "2020-05-01 10:00:00",
        "comment_status": "open",
        "post_name": "a-post",
        "status": status,
        "post_type": post_type,
        "post_password": "",
        "is_sticky": "0",
        "terms": [],
        "comments": [],
    }
    values.update(fields)
    return values


def _item_xml(values: dict) -> str:
    simple = [
        "post_id", "post_date", "post_date_gmt", "comment_status", "post_name",
        "status", "post_type", "post_password", "is_sticky",
    ]  # fmt: skip
    parts = [
        "<item>",
        f"<title>{escape(values['title'])}</title>",
        f"<link>{escape(values['link'])}</link>",
        f'<guid isPermaLink="false">{escape(values.get("guid", ""))}</guid>',
        f"<dc:creator>{_cdata(values['creator'])}</dc:creator>",
        f"<content:encoded>{_cdata(values['content'])}</content:encoded>",
        f"<excerpt:encoded>{_cdata(values['excerpt'])}</excerpt:encoded>",
    ]
    parts += [f"<wp:{name}>{escape(str(values[name]))}</wp:{name}>" for name in simple]
    parts += [
        f'<category domain="{domain}" nicename="{slug}">{_cdata(name)}</category>'
        for domain, slug, name in values["terms"]
    ]
    for old in values.get("old_slugs", []):
        parts.append(
            "<wp:postmeta><wp:meta_key>_wp_old_slug</wp:meta_key>"
            f"<wp:meta_value>{_cdata(old)}</wp:meta_value></wp:postmeta>"
        )
    for entry in values["comments"]:
        fields = "".join(
            f"<wp:{name}>{_cdata(str(value))}</wp:{name}>"
            for name, value in entry.items()
        )
        parts.append(f"<wp:comment>{fields}</wp:comment>")
    parts.append("</item>")
    return "\n".join(parts)


def wxr(
    items=(),
    categories=(),
    tags=(),
    namespace=WP_12,
    version="1.2",
    extra_channel="",
) -> bytes:
    """A WXR file; categories are (id, slug, parent, name), tags (id, slug, name)."""
    excerpt = namespace + "excerpt/"
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rss version="2.0" xmlns:excerpt="{excerpt}" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        f'xmlns:wp="{namespace}">\n<channel>\n<title>Old blog</title>\n'
        "<link>http://old.example</link>\n"
        f"<wp:wxr_version>{version}</wp:wxr_version>\n"
        "<wp:base_site_url>http://old.example</wp:base_site_url>\n"
        "<wp:base_blog_url>http://old.example</wp:base_blog_url>\n"
        "<wp:author><wp:author_login>ada</wp:author_login>"
        "<wp:author_display_name>Ada Lovelace</wp:author_display_name></wp:author>\n"
        f"{extra_channel}"
    )
    terms = [
        f"<wp:category><wp:term_id>{term_id}</wp:term_id>"
        f"<wp:category_nicename>{slug}</wp:category_nicename>"
        f"<wp:category_parent>{parent}</wp:category_parent>"
        f"<wp:cat_name>{_cdata(name)}</wp:cat_name></wp:category>"
        for term_id, slug, parent, name in categories
    ]
    terms += [
        f"<wp:tag><wp:term_id>{term_id}</wp:term_id><wp:tag_slug>{slug}</wp:tag_slug>"
        f"<wp:tag_name>{_cdata(name)}</wp:tag_name></wp:tag>"
        for term_id, slug, name in tags
    ]
    body = "\n".join(terms + [_item_xml(values) for values in items])
    return (head + body + "\n</channel>\n</rss>\n").encode("utf-8")
