"""WordPress's automatic paragraphs (wpautop), as its content filter applies them.

A classic-editor post is stored with bare blank lines between paragraphs and
single newlines for line breaks; WordPress adds the <p> and <br /> when it
shows the post. We add them once, on import, so the stored body is plain HTML.
Block-editor posts are already complete HTML: WordPress skips wpautop for
them, and so do we, after removing the <!-- wp:... --> delimiters.
"""

import re

BLOCKS = (
    "(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li"
    "|pre|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend"
    "|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu"
    "|summary)"
)
_BLOCK_DELIMITER = re.compile(r"<!--\s+/?wp:.*?-->\n?", re.DOTALL)
_PRE = re.compile(r"<pre(?:\s[^>]*)?>.*?</pre>", re.DOTALL)
_TAG_OR_COMMENT = re.compile(r"<!--.*?-->|<[^<>]+>", re.DOTALL)
_KEEP_LINES = re.compile(r"<(script|style|svg)[\s>].*?</\1>", re.DOTALL)
NEWLINE_MARK = " <!-- wpnl --> "
PRESERVED = "<WPPreserveNewline />"

_BEFORE_BLOCK = re.compile(rf"(<{BLOCKS}[\s/>])")
_AFTER_BLOCK = re.compile(rf"(</{BLOCKS}>)")
_BLOCK_TAG = rf"(</?{BLOCKS}[^>]*>)"
# Tidying after wrapping, in WordPress's order: empty paragraphs, paragraphs
# around lone block tags, list items and blockquotes.
_TIDY = [
    (re.compile(r"<p>\s*</p>"), ""),
    (re.compile(r"<p>([^<]+)</(div|address|form)>"), r"<p>\1</p></\2>"),
    (re.compile(rf"<p>\s*{_BLOCK_TAG}\s*</p>"), r"\1"),
    (re.compile(r"<p>(<li.+?)</p>"), r"\1"),
    (re.compile(r"<p><blockquote([^>]*)>", re.IGNORECASE), r"<blockquote\1><p>"),
    (re.compile(r"</blockquote></p>"), "</p></blockquote>"),
    (re.compile(rf"<p>\s*{_BLOCK_TAG}"), r"\1"),
    (re.compile(rf"{_BLOCK_TAG}\s*</p>"), r"\1"),
]
_AFTER_BREAKS = [
    (re.compile(rf"{_BLOCK_TAG}\s*<br />"), r"\1"),
    (
        re.compile(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)"),
        r"\1",
    ),
    (re.compile(r"\n</p>$"), "</p>"),
]


def has_blocks(text: str) -> bool:
    return "<!-- wp:" in text


def strip_block_delimiters(text: str) -> str:
    """Remove the block editor's <!-- wp:name {...} --> comments, keep their HTML."""
    return _BLOCK_DELIMITER.sub("", text)


def autop(text: str, br: bool = True) -> str:
    """Paragraphs from blank lines, <br /> from single newlines, <pre> untouched."""
    if not text.strip():
        return ""
    text, pres = _hold_pre(text + "\n")
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = _BEFORE_BLOCK.sub(r"\n\n\1", text)
    text = _AFTER_BLOCK.sub(r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _TAG_OR_COMMENT.sub(lambda m: m.group().replace("\n", NEWLINE_MARK), text)
    text = _hug_inline_media(text)
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [part for part in re.split(r"\n\s*\n", text) if part]
    text = "".join(f"<p>{part.strip(chr(10))}</p>\n" for part in paragraphs)
    for pattern, replacement in _TIDY:
        text = pattern.sub(replacement, text)
    if br:
        text = _line_breaks(text)
    for pattern, replacement in _AFTER_BREAKS:
        text = pattern.sub(replacement, text)
    for number, block in enumerate(pres):
        text = text.replace(f"<pre wp-pre-tag-{number}></pre>", block)
    return text.replace(NEWLINE_MARK, "\n")


def _hold_pre(text: str) -> tuple[str, list[str]]:
    """Swap each <pre> for a placeholder: its newlines are the author's own."""
    held: list[str] = []

    def hold(match):
        held.append(match.group())
        return f"<pre wp-pre-tag-{len(held) - 1}></pre>"

    return _PRE.sub(hold, text), held


def _hug_inline_media(text: str) -> str:
    """No paragraphs between <option>s, <param>s, <source>s or around captions."""
    if "<option" in text:
        text = re.sub(r"\s*<option", "<option", text)
        text = re.sub(r"</option>\s*", "</option>", text)
    if "</object>" in text:
        text = re.sub(r"(<object[^>]*>)\s*", r"\1", text)
        text = re.sub(r"\s*</object>", "</object>", text)
        text = re.sub(r"\s*(</?(?:param|embed)[^>]*>)\s*", r"\1", text)
    if "<source" in text or "<track" in text:
        text = re.sub(r"([<\[](?:audio|video)[^>\]]*[>\]])\s*", r"\1", text)
        text = re.sub(r"\s*([<\[]/(?:audio|video)[>\]])", r"\1", text)
        text = re.sub(r"\s*(<(?:source|track)[^>]*>)\s*", r"\1", text)
    if "<figcaption" in text:
        text = re.sub(r"\s*(<figcaption[^>]*>)", r"\1", text)
        text = re.sub(r"</figcaption>\s*", "</figcaption>", text)
    return text


def _line_breaks(text: str) -> str:
    text = _KEEP_LINES.sub(lambda m: m.group().replace("\n", PRESERVED), text)
    text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
    text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    return text.replace(PRESERVED, "\n")
