"""Markdown to safe HTML: posts (trusted authors) and comments (anyone)."""

import posixpath
import re
import secrets
from functools import lru_cache, partial
from html import escape, unescape
from typing import NamedTuple

import bleach
from bleach import html5lib_shim
from bleach.linkifier import LinkifyFilter, build_url_re
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from slugify import slugify

from blog import highlight

POST_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "div", "dl", "dt", "em", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "progress", "q", "s", "samp",
    "section", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
}  # fmt: skip
POST_ATTRIBUTES = {
    "*": ["class", "id", "title", "lang", "dir"],
    "a": ["href", "rel", "name"],
    "img": ["src", "alt", "width", "height", "loading"],
    "input": ["type", "checked", "disabled"],
    "ol": ["start", "reversed"],
    "td": ["colspan", "rowspan", "align"],
    "th": ["colspan", "rowspan", "align", "scope"],
    "progress": ["value", "max"],
    "details": ["open"],
}
COMMENT_TAGS = {
    "a", "blockquote", "br", "code", "em", "li", "ol", "p", "pre", "strong", "ul",
}  # fmt: skip
COMMENT_ATTRIBUTES = {"a": ["href", "rel"]}
PROTOCOLS = {"http", "https", "mailto"}
UGC_REL = "nofollow ugc noopener"
MAX_EMPHASIS = 8  # levels of emphasis in a comment; deeper marks show as typed

# A URL of these characters, with a lower-case ASCII host if any, is already
# what markdown-it's normalizeLink (parse, punycode, percent-encode, format)
# would return: skipping that work is a tenth of a sync.
_PLAIN_URL = re.compile(
    r"(?:https?://[a-z0-9.-]+)?(?:[/?#][A-Za-z0-9;/?@&=+$,\-_.!~*'()#]*)?"
    r"|[A-Za-z0-9\-_.~][A-Za-z0-9;/?@&=+$,\-_.!~*'()#]*"
)


def _normalize_link(md: MarkdownIt, url: str) -> str:
    if _PLAIN_URL.fullmatch(url):
        return url
    return MarkdownIt.normalizeLink(md, url)


# Ids of the reader's pages' own parts and of footnotes: a heading named like
# one takes the next free suffix, so #comments still leads to the comments.
PAGE_IDS = frozenset(
    "main site-search page-title post-title post-tags related-title comments"
    " comments-title respond reply-title cancel-comment-reply-link commentform"
    " email-notes comment author email url homepage remember parent token"
    " submit-comment kept-comment error-title comment-error author-error"
    " email-error url-error".split()
)
_NUMBERED_IDS = re.compile(r"comment-\d+(?:-author)?|fn\d+|fnref\d+")


def _heading_id(title: str) -> str:
    # A heading of emoji, punctuation or an image alone slugifies to nothing.
    slug = slugify(title) or "section"
    if slug in PAGE_IDS or _NUMBERED_IDS.fullmatch(slug):
        return f"{slug}-1"
    return slug


def _post_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "highlight": highlight.highlight})
    md.normalizeLink = partial(_normalize_link, md)
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(tasklists_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=_heading_id)
    return md


def _comment_parser() -> MarkdownIt:
    # "zero" has every rule off: enable only the small comment syntax.
    md = MarkdownIt("zero", {"html": False})
    md.enable(
        ["emphasis", "backticks", "link", "autolink", "newline", "escape", "entity"]
        + ["list", "blockquote", "code", "fence", "paragraph"]
    )
    return md


_post_md = _post_parser()
_comment_md = _comment_parser()
_post_cleaner = bleach.Cleaner(
    tags=POST_TAGS, attributes=POST_ATTRIBUTES, protocols=PROTOCOLS, strip=True
)


def _mark_ugc(attrs, new=False):
    href = attrs.get((None, "href"), "")
    if href.startswith("mailto:"):
        return attrs
    attrs[(None, "rel")] = UGC_REL
    return attrs


class _TreeWalker(html5lib_shim.getTreeWalker("etree")):
    """html5lib's etree walker, less its search for an element among its siblings.

    Back up from an element's children, the stock walker finds the element's
    place by scanning its parent's children: quadratic in siblings, 4 s for a
    comment of 13,000 "*a*" paragraphs. Each place is kept on the way down.
    """

    def __init__(self, tree):
        super().__init__(tree)
        self._places = {}

    def getFirstChild(self, node):
        return self._placed(super().getFirstChild(node))

    def getNextSibling(self, node):
        return self._placed(super().getNextSibling(node))

    def getParentNode(self, node):
        if not isinstance(node, tuple) or node[3] == "text" or len(node[2]) < 2:
            return super().getParentNode(node)
        parents = node[2]
        parent = parents.pop()
        return parent, self._places[parent], parents, None

    def _placed(self, node):
        if node is not None and node[3] is None:  # an element, not its text
            self._places[node[0]] = node[1]
        return node


class _Cleaner(bleach.Cleaner):
    def __init__(self, **options):
        super().__init__(**options)
        self.walker = _TreeWalker


# Links the linkifier makes pass no protocol check: its pattern takes only the
# schemes comments may link to ("callto:x.com" would open another program).
# bleach's pattern may also start a match inside a run of letters and hyphens
# ("1-1-1-...") or of opening parentheses, and each start reads the rest of the
# run: 15 s for a comment of 65,000 such characters. A match starts only where
# such a run starts, which finds the same links.
_URL_RE = build_url_re(protocols=PROTOCOLS)
COMMENT_URL = re.compile(
    r"(?<!\()" + _URL_RE.pattern.replace(r"\b(?<![@.])", r"\b(?<![\w@.-])"),
    _URL_RE.flags,
)

# Links are made in the cleaning pass: a separate Linker pass re-escapes the
# text of the tags it skips, so `<b>` in a code span would show as &lt;b&gt;.
_comment_cleaner = _Cleaner(
    tags=COMMENT_TAGS,
    attributes=COMMENT_ATTRIBUTES,
    protocols=PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[
        partial(
            LinkifyFilter,
            callbacks=[_mark_ugc],
            skip_tags={"pre", "code"},
            url_re=COMMENT_URL,
        )
    ],
)


def media_url(link: str, source_path: str | None) -> str:
    """Map a link relative to a content file onto the public /media/ URL.

    content/posts/x.md linking ../media/a.png serves as /media/a.png, so a
    post's relative links work both in an editor and on the site.
    """
    if not source_path or "://" in link or link.startswith(("/", "#", "mailto:")):
        return link
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(source_path), link))
    if resolved.startswith("media/"):
        return "/" + resolved
    return link


_LINK_ATTRS = {"link_open": "href", "image": "src"}
# src and href in the author's own HTML (an <img> given a width, a <figure>).
_HTML_LINK = re.compile(r"""(\s(?:src|href)\s*=\s*)(["']?)([^"'\s>]+)\2""", re.I)


def _rewrite_links(tokens, source_path):
    for token in tokens:
        if token.children:
            _rewrite_links(token.children, source_path)
        if token.type in ("html_block", "html_inline"):
            token.content = _rewrite_html_links(token.content, source_path)
        attr = _LINK_ATTRS.get(token.type)
        value = token.attrGet(attr) if attr else None
        if isinstance(value, str):
            token.attrSet(attr, media_url(value, source_path))


def _rewrite_html_links(html: str, source_path: str | None) -> str:
    if not source_path:
        return html
    return _HTML_LINK.sub(
        lambda m: m[1] + m[2] + media_url(m[3], source_path) + m[2], html
    )


def _align_by_class(tokens):
    """Give table cells their column's alignment as a class.

    markdown-it writes style="text-align:…", which the Content-Security-Policy
    refuses; the theme's stylesheet aligns .align-left, -center and -right.
    """
    for token in tokens:
        if token.type in ("th_open", "td_open") and "style" in token.attrs:
            align = str(token.attrs.pop("style")).removeprefix("text-align:")
            token.attrSet("class", f"align-{align}")


class Rendered(NamedTuple):
    html: str
    text: str


_TEXT_TOKENS = {"text", "code_inline", "fence", "code_block"}


def _token_text(tokens, joiner=" ") -> str:
    # Blocks are apart; the pieces of a line are not: "`fetch`ing" is one word.
    parts = []
    for token in tokens:
        if token.children:
            parts.append(_token_text(token.children, ""))
        elif token.type in _TEXT_TOKENS:
            parts.append(token.content)
        elif token.type == "html_block":
            # An author's <div> or <details> holds words a reader searches for.
            parts.append(plain_text(token.content))
        elif token.type in ("softbreak", "hardbreak") or (
            token.type == "html_inline" and _CELL_ENDS.fullmatch(token.content)
        ):
            parts.append(" ")
    return joiner.join(part for part in parts if part)


def render_post(text: str, source_path: str | None = None, fmt="markdown") -> Rendered:
    """Render a trusted author's Markdown (or HTML) to sanitized HTML and its text.

    source_path is the file's path relative to the content folder, used to
    resolve relative links to media.
    """
    if fmt == "html":
        html = _post_cleaner.clean(_rewrite_html_links(text, source_path))
        return Rendered(html, plain_text(html))
    env: dict = {}
    tokens = _post_md.parse(text, env)
    _rewrite_links(tokens, source_path)
    _align_by_class(tokens)
    highlight.name_languages(tokens)
    if _has_raw_html(tokens):
        html = _clean_author_html(tokens, env)
    else:
        html = _post_md.renderer.render(tokens, _post_md.options, env)
    return Rendered(html, _token_text(tokens))


def _top_level_blocks(tokens):
    start, depth = 0, 0
    for index, token in enumerate(tokens):
        depth += token.nesting
        if depth == 0:
            yield tokens[start : index + 1]
            start = index + 1


_SAFE_BLOCK = "x-safe-block"
_skeleton_cleaner = bleach.Cleaner(
    tags=POST_TAGS | {_SAFE_BLOCK},
    attributes={**POST_ATTRIBUTES, _SAFE_BLOCK: ["data-n"]},
    protocols=PROTOCOLS,
    strip=True,
)


def _clean_author_html(tokens, env) -> str:
    """Bleach only the top-level blocks that hold the author's own HTML.

    The other blocks are markdown-it's own output, already safe and balanced:
    they wait outside the costly bleach pass as placeholder elements (an
    element can never land inside an attribute) and are put back after it. A
    placeholder that the author's HTML turned into text (inside a stripped
    <script>, say) gets its block back as escaped text, as bleaching the
    whole page would have done.
    """
    nonce = secrets.token_hex(8)
    safe, skeleton = [], []
    for block in _top_level_blocks(tokens):
        html = _post_md.renderer.render(block, _post_md.options, env)
        if _has_raw_html(block):
            skeleton.append(html)
        else:
            skeleton.append(
                f'<{_SAFE_BLOCK} data-n="{nonce}-{len(safe)}"></{_SAFE_BLOCK}>'
            )
            safe.append(html)
    cleaned = _skeleton_cleaner.clean("".join(skeleton))
    mark = f'{_SAFE_BLOCK} data-n="{nonce}-(\\d+)"'
    cleaned = re.sub(f"<{mark}></{_SAFE_BLOCK}>", lambda m: safe[int(m[1])], cleaned)
    return re.sub(
        f"&lt;{mark}&gt;&lt;/{_SAFE_BLOCK}&gt;",
        lambda m: escape(safe[int(m[1])], quote=False),
        cleaned,
    )


def _has_raw_html(tokens) -> bool:
    """Whether the author wrote any HTML of their own.

    markdown-it escapes everything else it emits and refuses unsafe link
    schemes, so bleach (the costly part of a sync) is needed only here.
    """
    return any(
        token.type in ("html_block", "html_inline")
        or (token.children and _has_raw_html(token.children))
        for token in tokens
    )


# Kept for a few bodies: the content checks (links, keywords, blocklist) and
# the stored HTML all read one new comment's rendering.
@lru_cache(maxsize=16)
def render_comment(text: str) -> str:
    """Render a reader's comment: raw HTML off, strict allowlist, links marked UGC."""
    env: dict = {}
    tokens = _comment_md.parse(text, env)
    _limit_emphasis(tokens)
    html = _comment_md.renderer.render(tokens, _comment_md.options, env)
    return clean_comment_html(html)


_EMPHASIS = {"em_open": 1, "strong_open": 1, "em_close": -1, "strong_close": -1}


def _limit_emphasis(tokens):
    """Show the marks of emphasis past MAX_EMPHASIS levels as typed: bleach's
    parser walks every open level at each character, so "*" 30,000 times
    before a letter and after it took seconds to clean."""
    for token in tokens:
        depth = 0
        for child in token.children or ():
            step = _EMPHASIS.get(child.type, 0)
            depth += max(step, 0)
            if step and depth > MAX_EMPHASIS:
                child.type, child.tag, child.nesting = "text", "", 0
                child.content = child.markup
            depth += min(step, 0)


def clean_comment_html(html: str) -> str:
    """HTML held to a comment's allowlist, its links made and marked UGC: a
    rendered comment's, or an imported one's."""
    return _comment_cleaner.clean(html)


def summarize(summary: str, text: str, length: int = 280) -> str:
    """HTML for a listing: the author's summary, else the start of the text."""
    if summary.strip():
        return render_post(summary).html
    words = " ".join(text.split())
    if len(words) > length:
        words = words[:length].rsplit(" ", 1)[0] + "…"
    return f"<p>{escape(words)}</p>" if words else ""


# bleach breaks the line after a stripped p or li, not after a cell, row or br.
_CELL_ENDS = re.compile(r"<br\b[^>]*>|</(?:td|th|tr|caption)\s*>", re.I)


def plain_text(html: str) -> str:
    """The text of a piece of HTML, for search, summaries and related posts."""
    spaced = _CELL_ENDS.sub(lambda m: m[0] + " ", html)
    # bleach gives HTML back, its entities escaped: "&amp;" is not the text "&".
    return unescape(bleach.clean(spaced, tags=set(), strip=True, strip_comments=True))
