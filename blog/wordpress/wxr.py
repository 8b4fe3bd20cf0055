"""A streaming reader of WordPress eXtended RSS (WXR 1.0 to 1.2).

The file is fed to the parser in chunks and each top-level record (an
author, a category, a tag, an item with its comments) is handed out as soon
as it closes and then forgotten, so memory holds one item, never the file.

The parser is defusedxml's: a DOCTYPE may not declare entities (no billion
laughs) and nothing external is ever fetched (no file:// or http:// entity).
Every problem is a WXRError naming the line and the reason.
"""

import codecs
import datetime
import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from .records import Author, Comment, Item, Term

CHUNK = 64 * 1024
SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")

# The wp: namespace differs by WXR version and by http/https; so do excerpt: and
# content:. Tags are renamed to stable short URIs ("{wp}post_id") as they are read.
_NAMESPACES = [
    (re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$"), "excerpt"),
    (re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/$"), "wp"),
    (re.compile(r"^https?://purl\.org/rss/1\.0/modules/content/$"), "content"),
    (re.compile(r"^https?://purl\.org/dc/elements/1\.1/$"), "dc"),
    (re.compile(r"^https?://wellformedweb\.org/CommentAPI/$"), "wfw"),
]
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([\w.-]+)["']""")
RECORDS = {
    "{wp}author": "author",
    "{wp}wp_author": "author",
    "{wp}category": "category",
    "{wp}tag": "tag",
    "{wp}term": "term",
    "item": "item",
}


class WXRError(ValueError):
    """The file cannot be read as WXR; line is where the reader stopped."""

    def __init__(self, reason: str, line: int | None = None):
        self.reason, self.line = reason, line
        super().__init__(f"line {line}: {reason}" if line else reason)


def _rename(tag: str) -> str:
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    for pattern, prefix in _NAMESPACES:
        if pattern.match(uri):
            return f"{{{prefix}}}{local}"
    return tag


def _int(text: str | None) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        return 0


def _id(text: str | None) -> int | None:  # a WordPress ID, or None: it gives none
    return number if 0 < (number := _int(text)) < 2**63 else None  # 1 up, 64 bits


class _Records:
    """Parser target: builds one channel child at a time and queues it when done."""

    def __init__(self, reader: "WXRReader"):
        self.reader = reader
        self.depth = 0
        self.builder: TreeBuilder | None = None

    def start(self, tag, attrib):
        tag = _rename(tag)
        self.depth += 1
        if self.depth == 1 and tag != "rss":
            raise WXRError(f"not a WXR file: the root element is <{tag}>, not <rss>")
        if self.depth == 2 and tag == "channel":
            self.reader.saw_channel = True
        if self.depth == 3:
            self.builder = TreeBuilder()
        if self.builder is not None:
            self.builder.start(tag, attrib)

    def end(self, tag):
        self.depth -= 1
        if self.builder is None:
            return
        self.builder.end(_rename(tag))
        if self.depth == 2:
            self.reader.finished(self.builder.close())
            self.builder = None

    def data(self, text):
        if self.builder is not None:
            self.builder.data(text)

    def close(self):
        return None


class WXRReader:
    """Read a WXR stream: iterate records(); channel holds the site's details."""

    def __init__(self, stream):
        self.stream = stream
        self.channel: dict[str, str] = {}
        self.saw_channel = False
        self.line = 1
        self._lines_fed = 0
        self._queue: list[Element] = []
        self._parser = DefusedXMLParser(target=_Records(self))

    @property
    def version(self) -> str:
        return self.channel.get("{wp}wxr_version", "")

    def finished(self, element: Element):
        if element.tag in RECORDS:
            self._queue.append(element)
        elif len(element) == 0:
            self.channel[element.tag] = (element.text or "").strip()

    def records(self) -> Iterator[tuple[str, object]]:
        """Yield (kind, record) pairs in file order: author, category, tag, item."""
        for element in self._elements():
            kind = RECORDS[element.tag]
            if kind == "item" and not self.version:
                raise WXRError(
                    "not a WXR file: an <item> comes before any wp:wxr_version "
                    "(a plain RSS feed?)",
                    self.line,
                )
            yield kind, _CONVERT[kind](element)
        self._check_complete()

    def _check_complete(self):
        if not self.saw_channel:
            raise WXRError("not a WXR file: <rss> has no <channel>", self.line)
        if not self.version:
            raise WXRError("not a WXR file: no wp:wxr_version in the channel")
        if self.version not in SUPPORTED_VERSIONS:
            raise WXRError(f"WXR version {self.version} is not 1.0, 1.1 or 1.2")

    def _elements(self) -> Iterator[Element]:
        decoder = None
        first = True
        while chunk := self.stream.read(CHUNK):
            if first:
                decoder = _utf8_check(chunk)
                first = False
            if decoder is not None:
                self._check_utf8(decoder, chunk)
            self._feed(chunk)
            yield from self._drain()
        if first:
            raise WXRError("the file is empty", 1)
        self._feed(None)
        yield from self._drain()

    def _drain(self) -> Iterator[Element]:
        queue, self._queue = self._queue, []
        yield from queue

    def _feed(self, chunk: bytes | None):
        try:
            if chunk is None:
                self._parser.close()
            else:
                self._parser.feed(chunk)
        except ParseError as error:
            reason = _parse_reason(error, chunk is None)
            raise WXRError(reason, error.position[0]) from None
        except DefusedXmlException as error:
            raise WXRError(_defused_reason(error), self._parser_line()) from None
        except WXRError as error:
            error.line = error.line or self._parser_line()
            raise WXRError(error.reason, error.line) from None
        if chunk is not None:
            self.line = self._parser_line()

    def _parser_line(self) -> int:
        return self._parser.parser.CurrentLineNumber

    def _check_utf8(self, decoder, chunk: bytes):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            # error.object starts with the bytes kept from the last chunk (never
            # a newline: the start of a character).
            read = error.object
            line = self._lines_fed + read[: error.start].count(b"\n") + 1
            raise WXRError(
                f"byte 0x{read[error.start]:02x} is not valid UTF-8: the file says "
                "it is UTF-8 but was saved in another encoding (Latin-1?)",
                line,
            ) from None
        self._lines_fed += chunk.count(b"\n")


def _utf8_check(first_chunk: bytes):
    """An incremental UTF-8 decoder when the file is (or defaults to) UTF-8."""
    if first_chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 announced by its byte order mark: the parser reads it
    declared = _DECLARED_ENCODING.match(first_chunk)
    name = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    if name.replace("_", "-") in ("utf-8", "utf8"):
        return codecs.getincrementaldecoder("utf-8")()
    return None


def _parse_reason(error: ParseError, at_end: bool) -> str:
    message = str(error).split(":")[0]
    if at_end and ("no element found" in message or "unclosed token" in message):
        return f"the file ends too early (truncated?): {message}"
    return f"not valid XML: {message}"


def _defused_reason(error: DefusedXmlException) -> str:
    name = type(error).__name__
    if name == "EntitiesForbidden":
        return (
            "the file declares XML entities, which a WordPress export never does; "
            "refused (it could be an entity bomb or read local files)"
        )
    if name == "ExternalReferenceForbidden":
        return "the file refers to an external resource; refused (nothing fetched)"
    return f"refused: {name}"


def _text(element: Element, tag: str) -> str:
    return element.findtext(tag) or ""


def _author(element: Element) -> Author:
    return Author(
        author_id=_id(_text(element, "{wp}author_id")),
        login=_text(element, "{wp}author_login").strip(),
        display_name=_text(element, "{wp}author_display_name").strip(),
        email=_text(element, "{wp}author_email").strip(),
    )


def _category(element: Element) -> Term:
    return Term(
        taxonomy="category",
        term_id=_id(_text(element, "{wp}term_id")),
        slug=_text(element, "{wp}category_nicename").strip(),
        name=_text(element, "{wp}cat_name").strip(),
        parent=_text(element, "{wp}category_parent").strip(),
    )


def _tag(element: Element) -> Term:
    return Term(
        taxonomy="post_tag",
        term_id=_id(_text(element, "{wp}term_id")),
        slug=_text(element, "{wp}tag_slug").strip(),
        name=_text(element, "{wp}tag_name").strip(),
    )


def _term(element: Element) -> Term:
    return Term(
        taxonomy=_text(element, "{wp}term_taxonomy").strip(),
        term_id=_id(_text(element, "{wp}term_id")),
        slug=_text(element, "{wp}term_slug").strip(),
        name=_text(element, "{wp}term_name").strip(),
        parent=_text(element, "{wp}term_parent").strip(),
    )


def _comment(element: Element) -> Comment:
    return Comment(
        wp_id=_id(_text(element, "{wp}comment_id")),
        author=_text(element, "{wp}comment_author").strip(),
        author_email=_text(element, "{wp}comment_author_email").strip(),
        author_url=_text(element, "{wp}comment_author_url").strip(),
        author_ip=_text(element, "{wp}comment_author_IP").strip(),
        date=_text(element, "{wp}comment_date").strip(),
        date_gmt=_text(element, "{wp}comment_date_gmt").strip(),
        content=_text(element, "{wp}comment_content"),
        approved=_text(element, "{wp}comment_approved").strip(),
        kind=_text(element, "{wp}comment_type").strip(),
        parent=_id(_text(element, "{wp}comment_parent")),
        user_id=_id(_text(element, "{wp}comment_user_id")),
    )


def _item(element: Element) -> Item:
    return Item(
        wp_id=_id(_text(element, "{wp}post_id")),
        post_type=_text(element, "{wp}post_type").strip(),
        status=_text(element, "{wp}status").strip(),
        title=_text(element, "title"),
        link=_text(element, "link").strip(),
        guid=_text(element, "guid").strip(),
        creator=_text(element, "{dc}creator").strip(),
        content=_text(element, "{content}encoded"),
        excerpt=_text(element, "{excerpt}encoded"),
        post_date=_text(element, "{wp}post_date").strip(),
        post_date_gmt=_text(element, "{wp}post_date_gmt").strip(),
        post_name=_text(element, "{wp}post_name").strip(),
        comment_status=_text(element, "{wp}comment_status").strip(),
        menu_order=_int(_text(element, "{wp}menu_order")),
        password=_text(element, "{wp}post_password"),
        sticky=_text(element, "{wp}is_sticky").strip() == "1",
        terms=[
            (term.get("domain", ""), term.get("nicename", ""), (term.text or ""))
            for term in element.findall("category")
        ],
        meta=[
            (_text(meta, "{wp}meta_key"), _text(meta, "{wp}meta_value"))
            for meta in element.findall("{wp}postmeta")
        ],
        comments=[_comment(c) for c in element.findall("{wp}comment")],
    )


_CONVERT = {
    "author": _author,
    "category": _category,
    "tag": _tag,
    "term": _term,
    "item": _item,
}


def parse_date(gmt: str, local: str, tz: datetime.tzinfo) -> datetime.datetime | None:
    """Naive UTC from a *_gmt date, or from the local date when that one is zero."""
    for text, zone in ((gmt, datetime.UTC), (local, tz)):
        if not text or text.startswith("0000"):
            continue
        try:
            moment = datetime.datetime.fromisoformat(text).replace(tzinfo=zone)
            # Year 1 east of UTC or year 9999 west of it has no UTC date.
            return moment.astimezone(datetime.UTC).replace(tzinfo=None)
        except (ValueError, OverflowError):
            continue
    return None


def read(stream) -> WXRReader:
    """A reader over a binary stream; iterate its records()."""
    return WXRReader(stream)
