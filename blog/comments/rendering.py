"""A comment's stored HTML from its body, by the format the body is in.

A comment sent through the form, or written by a moderator, is Markdown with
raw HTML off. An imported one keeps its source as HTML (WordPress's, whose
paragraphs are blank lines it adds <p> for when shown): rendered as WordPress
shows it and held to the same allowlist. Either way its contacts are masked in
the HTML as the page shows them, since markup can split an address.
"""

from .. import markup
from ..wordpress import autop
from . import privacy

MARKDOWN = "markdown"
HTML = "html"
FORMATS = (MARKDOWN, HTML)


def render(body: str, body_format: str = MARKDOWN) -> str:
    """The HTML readers see for a masked body in this format."""
    if body_format == MARKDOWN:
        return privacy.mask_html(markup.render_comment(body))
    if body_format == HTML:
        return privacy.mask_html(markup.clean_comment_html(autop.autop(body)))
    raise ValueError(f"a comment body is markdown or html, not {body_format!r}")
