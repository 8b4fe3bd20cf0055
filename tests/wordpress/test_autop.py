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


def test_a_link_alone_on_its_line_is_a_link_as_wordpress_embeds_it():
    """WordPress shows a URL on a line of its own as the video or post it
    names; imported, it was bare text no reader could follow."""
    url = "https://www.youtube.com/watch?v=ex8fMxXJDJw&t=1"
    link = f'<a href="{url.replace("&", "&amp;")}">{url.replace("&", "&amp;")}</a>'
    classic = body_html(f"Watch this:\n\n{url}\n\nNice, see {url} too.")
    assert f"<p>{link}</p>" in classic
    assert f"see {url} too" in classic  # inside a sentence it stays text
    block = body_html(
        f'<!-- wp:embed {{"url":"{url}"}} -->\n<figure class="wp-block-embed">'
        f'<div class="wp-block-embed__wrapper">\n{url}\n</div></figure>\n'
        "<!-- /wp:embed -->"
    )
    assert link in block


def test_shortcodes_in_a_block_editor_body_are_expanded_too():
    content = (
        "<!-- wp:shortcode -->\n"
        '[caption align="alignleft"]<img src="c.jpg" /> Cat[/caption]\n'
        "<!-- /wp:shortcode -->"
    )
    result = body_html(content)
    assert "[caption" not in result
    assert '<figure class="wp-caption alignleft"><img src="c.jpg" />' in result


def test_code_and_other_blocks_keep_their_urls_and_brackets_as_text():
    url = "https://example.org/install.sh"
    assert f"<pre>curl\n{url}\n</pre>" in body_html(f"<pre>curl\n{url}\n</pre>")
    ours = (
        f"<!-- wp:html -->\n<p>Write [caption]x[/caption]</p>\n{url}\n<!-- /wp:html -->"
    )
    assert body_html(ours) == f"<p>Write [caption]x[/caption]</p>\n{url}"
