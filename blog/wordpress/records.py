"""The records a WXR file holds, as wxr.py hands them out."""

from dataclasses import dataclass, field


@dataclass
class Author:
    author_id: int | None
    login: str
    display_name: str
    email: str


@dataclass
class Term:
    taxonomy: str  # category | post_tag | nav_menu | ...
    term_id: int | None
    slug: str
    name: str
    parent: str = ""


@dataclass
class Comment:
    wp_id: int | None  # None: the file gives none
    author: str
    author_email: str
    author_url: str
    author_ip: str
    date: str
    date_gmt: str
    content: str
    approved: str
    kind: str
    parent: int | None
    user_id: int | None = None  # the wp:author_id of a signed-in commenter


@dataclass
class Item:
    wp_id: int | None  # None: the file gives none
    post_type: str
    status: str
    title: str
    link: str
    guid: str
    creator: str
    content: str
    excerpt: str
    post_date: str
    post_date_gmt: str
    post_name: str
    comment_status: str
    menu_order: int
    password: str
    sticky: bool
    terms: list[tuple[str, str, str]] = field(default_factory=list)
    meta: list[tuple[str, str]] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
