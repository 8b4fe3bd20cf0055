"""The few WordPress shortcodes we can turn into plain HTML; the rest stay as text.

[caption] (an image with its caption) becomes a <figure>, and [embed]URL[/embed]
and a URL alone on its line (which WordPress shows as the video or post it
names) a link. Shortcodes from plugins ([gallery], [contact-form], ...) need
code we do not have: they are left visible so the author sees what to replace.
"""

import html
import re

_CAPTION = re.compile(
    r"(?<!\[)\[(caption|wp_caption)(\s[^\]]*)?\](.*?)\[/\1\](?!\])", re.DOTALL
)
_EMBED = re.compile(r"(?<!\[)\[embed(?:\s[^\]]*)?\](.*?)\[/embed\](?!\])", re.DOTALL)
_ESCAPED = re.compile(r"\[(\[(?:caption|wp_caption|embed)\b.*?\[/\w+\])\]", re.DOTALL)
_ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"\]]+))""")
# The image (perhaps inside a link) that opens a caption; the rest is its text.
_CAPTIONED = re.compile(
    r"^\s*((?:<a\s[^>]*>\s*)?<img\s[^>]*>\s*(?:</a>)?)(.*)$", re.DOTALL
)
_ALIGN = re.compile(r"^align(?:left|right|center|none)$")
# WordPress's autoembed: a URL with nothing else on its line (not in code).
_OWN_LINE = re.compile(r"^([ \t]*)(https?://[^\s<>\"]+)([ \t]*)$", re.MULTILINE)
_PRE = re.compile(r"(<pre[\s>].*?</pre>)", re.DOTALL | re.IGNORECASE)
# The blocks whose text WordPress expands; other blocks' HTML is shown as it is.
_EXPANDED_BLOCKS = re.compile(
    r"(<!--\s+wp:(shortcode|embed|core-embed/[\w-]+)\b.*?-->)(.*?)(<!--\s+/wp:\2\s+-->)",
    re.DOTALL,
)


def attributes(text: str) -> dict[str, str]:
    """A shortcode's attributes: name="value", name='value' or name=value."""
    return {
        name.lower(): next(v for v in values if v is not None)
        for name, *values in _ATTRIBUTE.findall(text or "")
    }


def _figure(match: re.Match) -> str:
    attrs = attributes(match.group(2))
    inner = match.group(3)
    found = _CAPTIONED.match(inner)
    image, text = (found.group(1), found.group(2)) if found else (inner, "")
    caption = attrs.get("caption") or text.strip()
    align = attrs.get("align", "")
    classes = "wp-caption" + (f" {align}" if _ALIGN.match(align) else "")
    figcaption = (
        f'<figcaption class="wp-caption-text">{caption}</figcaption>' if caption else ""
    )
    return f'<figure class="{classes}">{image.strip()}{figcaption}</figure>'


def _link(match: re.Match) -> str:
    url = match.group(1).strip()
    if not url.startswith(("http://", "https://")):
        return match.group()
    safe = html.escape(url)
    return f'<a href="{safe}">{safe}</a>'


def _own_line(match: re.Match) -> str:
    safe = html.escape(html.unescape(match.group(2)))
    return f'{match.group(1)}<a href="{safe}">{safe}</a>{match.group(3)}'


def expand(text: str) -> str:
    """Turn the shortcodes we understand into HTML; leave every other one as is."""
    text = _CAPTION.sub(_figure, text)
    text = _EMBED.sub(_link, text)
    parts = _PRE.split(text)  # odd parts are <pre> blocks
    text = "".join(
        part if odd % 2 else _OWN_LINE.sub(_own_line, part)
        for odd, part in enumerate(parts)
    )
    # [[caption]...] is WordPress's way to show a shortcode literally.
    return _ESCAPED.sub(r"\1", text)


def expand_blocks(text: str) -> str:
    """Expand the shortcode and embed blocks of a block-editor body."""
    return _EXPANDED_BLOCKS.sub(lambda m: m[1] + expand(m[3]) + m[4], text)
