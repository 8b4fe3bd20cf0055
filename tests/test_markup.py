import random
import re
import string

import pytest
from markdown_it.common.normalize_url import normalizeLink

from blog import markup
from blog.markup import media_url, plain_text, render_post
from tests.conftest import shared_data


def test_commonmark_extensions_render():
    text = (
        "## A heading\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~\n\n"
        "- [x] done\n- [ ] todo\n\nSee[^1].\n\n[^1]: The note.\n"
    )
    html = render_post(text).html
    assert '<h2 id="a-heading">' in html
    assert "<table>" in html and "<td>2</td>" in html
    assert "<s>gone</s>" in html
    assert 'type="checkbox"' in html and "checked" in html
    assert 'class="footnotes"' in html and "The note." in html


@pytest.mark.parametrize(
    ("headings", "ids"),
    [
        (["🙂", "!!!", "🙂"], ["section", "section-1", "section-2"]),
        (["Notes", "Notes", "Café"], ["notes", "notes-1", "cafe"]),
        (["![diagram](/media/a.svg)"], ["section"]),
        # The page's own parts and the footnotes keep their ids.
        (
            ["Comments", "Comments", "Comment 12", "FN1"],
            ["comments-1", "comments-1-1", "comment-12-1", "fn1-1"],
        ),
    ],
)
def test_every_heading_gets_an_anchor_to_link_to(headings, ids):
    # An empty id is invalid HTML, and #-links cannot reach the heading.
    html = render_post("".join(f"## {text}\n\n" for text in headings)).html
    assert re.findall(r'<h2 id="([^"]*)"', html) == ids


def test_fenced_code_is_highlighted_with_classes_not_styles():
    html = render_post("```python\ndef f():\n    return 1\n```").html
    assert '<code class="language-python">' in html
    assert '<span class="k">def</span>' in html
    assert "style=" not in html


@pytest.mark.parametrize(
    "info, language",
    [
        ("rust,ignore", "rust"),  # rustdoc, as in the Rust blog's posts
        ("rust=", "rust"),  # HackMD's line numbers
        ("{.python .numberLines}", "python"),  # Pandoc's attributes
        ("python {1,3}", "python"),
        ("c++", "c++"),
    ],
)
def test_a_fence_names_its_language_as_authors_write_it(info, language):
    html = render_post(f"```{info}\nfor x in y:\n    pass\n```").html
    assert f'<code class="language-{language}">' in html
    assert '<span class="k">' in html


def test_a_fence_naming_no_language_has_no_language_class():
    html = render_post("```{=html}\n<b>x</b>\n```").html
    assert html.startswith("<pre><code>")
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_table_alignment_is_a_class_not_a_style():
    html = render_post("| a | b | c |\n|:-|:-:|-:|\n| 1 | 2 | 3 |\n").html
    assert '<th class="align-left">a</th>' in html
    assert '<td class="align-center">2</td>' in html
    assert '<td class="align-right">3</td>' in html
    assert "style=" not in html


@pytest.mark.parametrize(
    "raw, forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ("[x](javascript:alert(1))", 'href="javascript'),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ('<div style="position:fixed">x</div>', "style="),
        ("<svg><script>alert(1)</script></svg>", "<svg"),
        ('<form action="/x"><input name="a"></form>', "<form"),
        ('<object data="x.swf"></object>', "<object"),
    ],
)
def test_raw_html_in_posts_is_sanitized(raw, forbidden):
    assert forbidden not in render_post(f"Text\n\n{raw}\n").html


def test_allowed_raw_html_is_kept():
    html = render_post(
        "<details><summary>More</summary>\n\nHidden *text*\n\n</details>"
    ).html
    assert "<details>" in html and "<summary>More</summary>" in html
    assert "<em>text</em>" in html


@pytest.mark.parametrize(
    "text, kept",
    [
        ("<div>\n\nInside **md**\n\n</div>\n\nAfter *that*.\n", "<em>that</em>"),
        ("Para <sup>1</sup> <script>alert(1)</script>\n\n## Head\n", '"head">Head'),
        ("<table>\n\nStray *para*\n\n</table>\n\nAfter.\n", "<p>After.</p>"),
        ('<a title="\n\nIn an *attribute*\n\n">x</a>\n', "attribute"),
        ("<textarea>\n\n# Raw\n\n</textarea>\n\nAfter.\n", "<p>After.</p>"),
        ("<p>Open\n\n```rust\nfn main() {}\n```\n", '<span class="k">fn</span>'),
    ],
)
def test_author_html_mixed_with_markdown_is_cleaned_and_keeps_the_markdown(text, kept):
    html = render_post(text).html
    assert kept in html
    assert "<script" not in html and "<textarea" not in html
    assert "x-safe-block" not in html


def _bleach_whole_page(text: str) -> str:
    env: dict = {}
    tokens = markup._post_md.parse(text, env)
    markup._align_by_class(tokens)
    markup.highlight.name_languages(tokens)
    html = markup._post_md.renderer.render(tokens, markup._post_md.options, env)
    return markup._post_cleaner.clean(html)


def test_rust_blog_posts_with_raw_html_render_as_if_bleached_whole():
    from zoneinfo import ZoneInfo

    from blog.content import parse

    folder = shared_data("markdown/rust-blog")
    checked = 0
    for path in sorted(folder.rglob("*.md")):
        body = parse(path.name, path.read_bytes(), ZoneInfo("UTC")).body
        # Raw HTML starts with "<": a post without one need not be parsed to tell.
        if "<" in body and markup._has_raw_html(markup._post_md.parse(body)):
            # The serialiser spells void elements differently: clean both alike.
            fast = markup._post_cleaner.clean(render_post(body).html)
            assert fast == markup._post_cleaner.clean(_bleach_whole_page(body))
            checked += 1
    assert checked >= 40


def test_plain_links_skip_normalising_but_match_it():
    rng = random.Random(5)
    alphabet = string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=% é\\"
    links = ["https://doc.rust-lang.org/std/vec/struct.Vec.html#method.push"]
    links += ["HTTP://Ünï.example/a b", "mailto:A@B.example", "//host/x"]
    links += ["".join(rng.choices(alphabet, k=rng.randint(0, 40))) for _ in range(5000)]
    links += ["https://" + link for link in links[:2000]]
    fast = sum(bool(markup._PLAIN_URL.fullmatch(link)) for link in links)
    assert fast > 100
    for link in links:
        assert markup._post_md.normalizeLink(link) == normalizeLink(link), link


@pytest.mark.parametrize(
    "link, expected",
    [
        ("../media/a.png", "/media/a.png"),
        ("../media/sub/b.pdf", "/media/sub/b.pdf"),
        ("other.md", "other.md"),
        ("https://example.com/a.png", "https://example.com/a.png"),
        ("/media/a.png", "/media/a.png"),
        ("#anchor", "#anchor"),
    ],
)
def test_media_links_resolve_against_the_source_file(link, expected):
    assert media_url(link, "posts/2024-01-01-x.md") == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            '<img src="../media/a.png" width="300">',
            '<img src="/media/a.png" width="300">',
        ),
        ("<p><a href='../media/b.pdf'>PDF</a></p>", '<a href="/media/b.pdf">PDF</a>'),
        (
            '<img src="https://example.com/c.png">',
            '<img src="https://example.com/c.png">',
        ),
    ],
)
def test_media_links_in_the_authors_html_resolve_too(html, expected):
    # Authors write <img> or <figure> for what Markdown cannot say (a width).
    text = f"<figure>\n{html}\n</figure>\n\nAnd inline: {html}\n"
    rendered = render_post(text, "posts/2024-01-01-x.md").html
    assert rendered.count(expected) == 2
    # A file of format: html, too.
    html_file = render_post(f"<p>{html}</p>", "posts/2024-01-01-x.md", "html").html
    assert expected in html_file


def test_text_is_extracted_for_search_and_related_posts():
    rendered = render_post("# Title\n\nSome **bold** words and `code`.")
    assert rendered.text.split() == [
        "Title",
        "Some",
        "bold",
        "words",
        "and",
        "code.",
    ]
    assert plain_text("<p>a <b>b</b></p>") == "a b"


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("`fetch`ing un*believ*able **WAL**-mode", "fetching unbelievable WAL-mode"),
        (
            "[Flask](https://flask.example)'s docs, see[^1].\n\n[^1]: A note.",
            "Flask's docs, see. A note.",
        ),
        ("one\ntwo  \nthree<br>four", "one two three four"),
    ],
)
def test_a_word_split_by_inline_markup_is_one_word_of_the_text(markdown, text):
    # Search, related posts and summaries read this text.
    assert " ".join(render_post(markdown).text.split()) == text


def test_the_text_of_an_html_post_is_text_not_html():
    # WordPress imports are HTML: their text feeds search, snippets and summaries.
    html = "<p>Tom &amp; Jerry &lt;3 caf&eacute;&nbsp;au lait, &#8220;quoted&#8221;</p>"
    text = render_post(html, fmt="html").text
    assert text == "Tom & Jerry <3 café\xa0au lait, “quoted”"


def test_the_words_of_table_cells_and_lines_stay_apart():
    # WordPress's block editor writes a table on one line.
    html = (
        "<table><tr><th>Bird</th><th>Speed</th></tr><tr><td>Kestrel</td>"
        "<td>fast</td></tr></table><p>Line<br>break<br/>end</p>"
    )
    words = ["Bird", "Speed", "Kestrel", "fast", "Line", "break", "end"]
    assert render_post(html, fmt="html").text.split() == words
    assert render_post(f"<div>\n{html}\n</div>").text.split() == words


def test_text_in_the_authors_html_blocks_is_searchable_text_too():
    text = (
        '<div class="note">\nKestrels hover over motorways.\n</div>\n\n'
        "<details><summary>Spoiler</summary>\nThe butler did it.\n</details>\n\n"
        "After the <b>blocks</b>.\n"
    )
    assert render_post(text).text.split() == [
        *"Kestrels hover over motorways.".split(),
        *"Spoiler The butler did it.".split(),
        *"After the blocks.".split(),
    ]


def test_the_rerender_migration_brings_stored_posts_up_to_date(app):
    """Stored renderings are a cache: an upgrade renders them again."""
    import importlib

    from blog import search
    from blog.models import Post
    from tests.factories import make_post

    body = "| a | b |\n|:-|-:|\n| Tom &amp; Jerry | 2 |\n"
    post = make_post(body=body, body_format="markdown")
    Post.update(
        body_html='<table><tr><td style="text-align:left">old</td></tr></table>',
        body_text="old",
        summary_html="",
    ).where(Post.id == post.id).execute()
    importlib.import_module("migrations.0023_rerender_posts").up(None, None)
    stored = Post.get_by_id(post.id)
    assert "style=" not in stored.body_html and 'class="align-left"' in stored.body_html
    assert "Tom & Jerry" in stored.body_text
    assert "Tom &amp; Jerry" in stored.summary_html
    assert [found.post.id for found in search.query("Jerry", 1, 10).items] == [post.id]


def test_the_rerender_migration_renders_with_this_version(app):
    """0023 brings the changes it names to posts stored before them."""
    import importlib

    from blog.models import Post
    from tests.factories import make_post

    post = make_post(body="## Comments\n\n```rust,ignore\nfn main() {}\n```\n")
    Post.update(body_html='<h2 id="comments">Comments</h2>').where(
        Post.id == post.id
    ).execute()
    importlib.import_module("migrations.0023_rerender_posts").up(None, None)
    stored = Post.get_by_id(post.id).body_html
    assert '<h2 id="comments-1">' in stored
    assert '<code class="language-rust">' in stored
