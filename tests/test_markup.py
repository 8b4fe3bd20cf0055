import pytest

from blog.markup import media_url, plain_text, render_post


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


def test_fenced_code_is_highlighted_with_classes_not_styles():
    html = render_post("```python\ndef f():\n    return 1\n```").html
    assert '<code class="language-python">' in html
    assert '<span class="k">def</span>' in html
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


def test_text_is_extracted_for_search_and_related_posts():
    rendered = render_post("# Title\n\nSome **bold** words and `code`.")
    assert rendered.text.split() == [
        "Title",
        "Some",
        "bold",
        "words",
        "and",
        "code",
        ".",
    ]
    assert plain_text("<p>a <b>b</b></p>") == "a b"
