"""WordPress's automatic paragraphs, block delimiters and shortcodes."""

import pytest

from blog.wordpress import autop, shortcodes
from blog.wordpress.importer import body_html


@pytest.mark.parametrize(
    "text, expected",
    [
        ("One.\n\nTwo.", "<p>One.</p>\n<p>Two.</p>\n"),
        ("Line one\nline two", "<p>Line one<br />\nline two</p>\n"),
        ("\n\n  \n", ""),
        ("Para\r\n\r\nOther", "<p>Para</p>\n<p>Other</p>\n"),
        ("A<br /><br />B", "<p>A</p>\n<p>B</p>\n"),
        (
            "Text\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\nAfter",
            "<p>Text</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<p>After</p>\n",
        ),
        ("<h2>Title</h2>\nBody", "<h2>Title</h2>\n<p>Body</p>\n"),
        (
            "<blockquote>Quoted</blockquote>",
            "<blockquote><p>Quoted</p></blockquote>\n",
        ),
        ('<a href="x"\ntitle="y">link</a>', '<p><a href="x"\ntitle="y">link</a></p>\n'),
    ],
)
def test_autop_makes_paragraphs_and_breaks_like_wordpress(text, expected):
    assert autop.autop(text) == expected


def test_autop_leaves_preformatted_text_alone():
    text = "Before\n<pre>line 1\n\nline 3\n  indented</pre>\nAfter"
    result = autop.autop(text)
    assert "<pre>line 1\n\nline 3\n  indented</pre>" in result
    assert result.startswith("<p>Before</p>")
    assert "<br />" not in result.split("<pre>")[1].split("</pre>")[0]


def test_autop_keeps_script_newlines_without_breaks():
    result = autop.autop("<script>\na = 1\n</script>")
    assert "a = 1\n" in result
    assert "a = 1<br />" not in result


def test_block_editor_bodies_lose_their_delimiters_and_skip_autop():
    content = (
        "<!-- wp:paragraph -->\n<p>Hello\nthere</p>\n<!-- /wp:paragraph -->\n\n"
        '<!-- wp:image {"id":5} -->\n<figure><img src="a.png"/></figure>\n'
        "<!-- /wp:image -->\n<!-- wp:separator /-->"
    )
    result = body_html(content)
    assert "wp:" not in result
    assert "<p>Hello\nthere</p>" in result  # no <br /> added inside a block
    assert '<figure><img src="a.png"/></figure>' in result


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            '[caption id="attachment_1" align="alignright" width="300"]'
            '<img src="a.jpg" alt="A" /> The caption[/caption]',
            '<figure class="wp-caption alignright"><img src="a.jpg" alt="A" />'
            '<figcaption class="wp-caption-text">The caption</figcaption></figure>',
        ),
        (
            '[caption caption="From the attribute"]<a href="b"><img src="b.jpg"/></a>'
            "[/caption]",
            '<figure class="wp-caption"><a href="b"><img src="b.jpg"/></a>'
            '<figcaption class="wp-caption-text">From the attribute</figcaption>'
            "</figure>",
        ),
        (
            "[embed]https://example.org/v/1[/embed]",
            '<a href="https://example.org/v/1">https://example.org/v/1</a>',
        ),
        ('[gallery ids="1,2,3"]', '[gallery ids="1,2,3"]'),
        ('[contact-form-7 id="9"]', '[contact-form-7 id="9"]'),
        ("[[caption]literal[/caption]]", "[caption]literal[/caption]"),
        ("[embed]javascript:alert(1)[/embed]", "[embed]javascript:alert(1)[/embed]"),
    ],
)
def test_known_shortcodes_become_html_and_the_rest_stay_visible(text, expected):
    assert shortcodes.expand(text) == expected


def test_a_classic_body_gets_captions_then_paragraphs():
    content = 'Intro\n\n[caption align="alignnone"]<img src="c.jpg" /> Cat[/caption]'
    result = body_html(content)
    assert result.startswith("<p>Intro</p>")
    assert '<figure class="wp-caption alignnone"><img src="c.jpg" />' in result
    assert "<p><figure" not in result
