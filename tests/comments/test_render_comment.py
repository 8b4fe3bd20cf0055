"""Hostile comment text through blog.markup.render_comment: the output is safe."""

import re
from html import unescape

import pytest

from blog.comments.rendering import render
from blog.markup import MAX_EMPHASIS, render_comment
from tests import worst_cases

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "li", "ol", "p", "pre", "strong", "ul",
}  # fmt: skip
TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w:-]*)([^>]*)>")
ATTRIBUTE = re.compile(r'\s([\w:-]+)="([^"]*)"')
SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


def assert_safe(html: str):
    """Only allowlisted tags, only href and rel on links, no script-capable URL."""
    for closing, name, attributes in TAG.findall(html):
        assert name.lower() in ALLOWED_TAGS, f"tag {name} in {html!r}"
        attributes = attributes.rstrip("/ ")
        if closing or name != "a":
            assert not attributes.strip(), f"attributes on {name}: {html!r}"
            continue
        found = dict(ATTRIBUTE.findall(attributes))
        assert set(found) <= {"href", "rel"}, html
        href = found.get("href", "")
        scheme = SCHEME.match(href)
        # A relative href (no scheme) cannot run script.
        assert scheme is None or scheme.group(1).lower() in ("http", "https", "mailto")
        if not href.startswith("mailto:"):
            assert found["rel"] == "nofollow ugc noopener", html
    assert "<script" not in html.lower()
    assert "<!--" not in html


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<data:text/html,<script>alert(1)</script>>",
    "![img](data:image/svg+xml,<svg onload=alert(1)>)",
    "![x](https://evil.example/track.gif)",
    "<svg><script>alert(1)</script></svg>",
    "<svg/onload=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<iframe src="https://evil.example"></iframe>',
    "<object data=x></object><embed src=x>",
    '<base href="https://evil.example/">',
    "<meta http-equiv=refresh content=0;url=https://evil.example>",
    "<form action=https://evil.example><input name=password></form>",
    "<!-- hidden --> text <!--> <!-- -- -->",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&#x3C;img src=x onerror=alert(1)&#x3E;",
    '<a href="https://x.example" onclick="evil()">x</a>',
    '<p onmouseover="alert(1)">x</p>',
    '[x](https://example.com/"onmouseover="alert(1))',
    '<https://example.com/"onmouseover="alert(1)>',
    'https://example.com/"onmouseover="alert(1)',
    "> > > > > > > > > > deeply nested quote",
    "> quote\n>> <script>alert(1)</script>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "    <script>indented code</script>",
    "* <img src=x onerror=alert(1)>\n* [x](javascript:alert(1))",
    "[a](https://ok.example) [b](javascript:alert(1)) www.example.com",
    "\x00<script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="javas\ncript:alert(1)">x</a>',
    "[x](<javascript:alert(1)>)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<details open ontoggle=alert(1)>",
    "<table><tr><td>cell</td></tr></table>",
    "# Heading\n\n<h1>big</h1>",
    # Text the linkifier turns into links: only the allowed schemes.
    "ftp://example.com/file",
    "callto:example.com",
    "data:example.com/x",
    "ssh://example.com and telnet://example.com",
    "webcal://example.com/cal.ics",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_renders_safely(text):
    assert_safe(render_comment(text))


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_as_an_imports_html_source_renders_safely(text):
    """An imported comment's HTML body, as a moderator's edit renders it."""
    assert_safe(render(text, "html"))


def test_a_body_of_no_known_format_is_not_rendered():
    with pytest.raises(ValueError, match="bbcode"):
        render("[b]hi[/b]", "bbcode")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**bold** and _em_", "<p><strong>bold</strong> and <em>em</em></p>\n"),
        ("`a < b && c`", "<p><code>a &lt; b &amp;&amp; c</code></p>\n"),
        (
            "```\n<b>not bold</b>\n```",
            "<pre><code>&lt;b&gt;not bold&lt;/b&gt;\n</code></pre>\n",
        ),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
        ("a < b & c > d", "<p>a &lt; b &amp; c &gt; d</p>\n"),
        (
            "see https://example.com/x?a=1&b=2",
            '<p>see <a href="https://example.com/x?a=1&amp;b=2" '
            'rel="nofollow ugc noopener">https://example.com/x?a=1&amp;b=2</a></p>\n',
        ),
        (
            "[my site](https://ada.example)",
            '<p><a href="https://ada.example" rel="nofollow ugc noopener">my site</a>'
            "</p>\n",
        ),
        (
            "> quoted\n\nreply",
            "<blockquote>\n<p>quoted</p>\n</blockquote>\n<p>reply</p>\n",
        ),
        ("line one\nline two", "<p>line one\nline two</p>\n"),
        ("line one  \nline two", "<p>line one<br>\nline two</p>\n"),
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
        ("code: https://example.com in `https://example.org`", None),
    ],
)
def test_ordinary_markdown_still_works(text, expected):
    html = render_comment(text)
    assert_safe(html)
    if expected is not None:
        assert html == expected
    else:
        # Links are made in text, not inside code.
        assert html.count("<a ") == 1 and "<code>https://example.org</code>" in html


def test_text_in_code_is_escaped_exactly_once():
    html = render_comment("Use `<br>` or\n\n```\nif a < b && b > c:\n```")
    assert "<code>&lt;br&gt;</code>" in html
    assert "if a &lt; b &amp;&amp; b &gt; c:" in html
    assert "&amp;lt;" not in html


@pytest.mark.parametrize("unit", worst_cases.LINK_RUNS)
def test_a_longest_run_a_link_may_start_in_is_text(unit):
    text = worst_cases.repeated(unit)
    html = render(text)
    assert "<a " not in html
    shown = unescape(re.sub(r"<[^>]+>", "", html)).strip()
    assert shown == text.replace("\\(", "(")  # the escape shows as "("


@pytest.mark.parametrize(("unit", "tag", "element"), worst_cases.BLOCKS)
def test_a_longest_comment_of_small_blocks_keeps_every_block(unit, tag, element):
    html = render(worst_cases.repeated(unit))
    blocks = worst_cases.LONGEST // len(unit)
    assert html.count(tag) == blocks and html.count(element) == blocks


def _deepest(html: str, tags=("em", "strong")) -> int:
    depth = deepest = 0
    for closing, name, _attributes in TAG.findall(html):
        if name in tags:
            depth += -1 if closing else 1
            deepest = max(deepest, depth)
    return deepest


@pytest.mark.parametrize("marks", worst_cases.EMPHASIS_MARKS)
def test_emphasis_past_its_deepest_level_shows_its_marks(marks):
    """A comment of emphasis 15,000 levels deep took seconds to clean (the
    HTML parser walks every open level at each character): levels past the
    deepest allowed are shown as the marks typed."""
    text = worst_cases.nested(marks)
    html = render_comment(text)
    assert _deepest(html) == MAX_EMPHASIS
    shown = unescape(re.sub(r"<[^>]+>", "", html)).strip()
    assert len(shown) == len(text) - html.count("<em>") * 2 - html.count("<strong>") * 4


@pytest.mark.parametrize("text", ["*a **b _c __d__ e_ f** g*", "***a***", "_a *b* c_"])
def test_ordinary_nested_emphasis_is_kept(text):
    html = render_comment(text)
    assert "*" not in unescape(html) and "_" not in unescape(html)
