"""Code blocks of posts: the language a fence names, and its colours."""

import re
from functools import lru_cache

from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

# The name at the start of an info string, as authors write it in the wild:
# "rust,ignore" (rustdoc), "rust=" (HackMD), "{.python}" (Pandoc).
_LANGUAGE = re.compile(r"\s*\{?\s*\.?([\w+#-]+)")

_formatter = HtmlFormatter(nowrap=True)


def language(info: str) -> str:
    """The language a fence's info string names, or "" for none."""
    found = _LANGUAGE.match(info)
    return found[1] if found else ""


def name_languages(tokens) -> None:
    """Keep only the language in each fence's info string.

    markdown-it makes the code's class from the info string's first word, so
    "rust,ignore" would be neither highlighted nor a language class.
    """
    for token in tokens:
        if token.type == "fence":
            token.info = language(token.info)


@lru_cache(maxsize=256)
def _lexer(name: str):
    try:
        return get_lexer_by_name(name)
    except ClassNotFound:
        return None


def highlight(code: str, lang: str, _attrs) -> str:
    """Pygments spans with CSS classes; markdown-it wraps them in pre/code."""
    lexer = _lexer(lang) if lang else None
    return pygments_highlight(code, lexer, _formatter) if lexer else ""


def pygments_css(selector: str = "pre code", style: str = "xcode") -> str:
    """Stylesheet for highlighted code; xcode's colours meet WCAG AA on white."""
    return HtmlFormatter(style=style).get_style_defs(selector)
