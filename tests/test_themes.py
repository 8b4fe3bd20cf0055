"""Themes: the resolution chain, the example child theme, safe templates."""

import datetime
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from blog import create_app, highlight, publishing
from blog.cli import main
from blog.themes import ThemeError, Themes, available, theme_chain
from tests.factories import make_post

THEMES_DIR = Path(__file__).resolve().parent.parent / "themes"
TEMPLATES = sorted(THEMES_DIR.glob("*/templates/**/*.html"))
STYLESHEETS = sorted(THEMES_DIR.glob("*/static/**/*.css"))


def make_theme(root: Path, name: str, parent: str | None = None, files=None) -> Path:
    """A theme folder with a theme.toml and files {relative path: text}."""
    folder = root / name
    (folder / "templates").mkdir(parents=True)
    meta = f'name = "{name}"\n' + (f'parent = "{parent}"\n' if parent else "")
    (folder / "theme.toml").write_text(meta)
    for relative, text in (files or {}).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


@pytest.fixture
def post(app):
    return make_post(
        title="A post to theme",
        slug="themed",
        date=datetime.datetime(2024, 6, 23, 12, 0),
        tags=["sqlite"],
        categories=["Notes"],
    )


# Resolution


def test_the_example_theme_descends_from_the_default():
    assert theme_chain(THEMES_DIR, "example") == ["example", "default"]
    assert theme_chain(THEMES_DIR, "default") == ["default"]
    assert {"default", "example"} <= set(available(THEMES_DIR))


def test_templates_and_static_files_follow_the_chain():
    themes = Themes(THEMES_DIR, "example")
    assert themes.find("templates", "post.html") == (
        THEMES_DIR / "example/templates/post.html"
    )
    assert themes.find("templates", "base.html") == (
        THEMES_DIR / "default/templates/base.html"
    )
    assert themes.find("static", "css/palette.css") == (
        THEMES_DIR / "example/static/css/palette.css"
    )
    assert themes.find("static", "css/site.css") == (
        THEMES_DIR / "default/static/css/site.css"
    )
    assert themes.find("static", "!default/css/palette.css") == (
        THEMES_DIR / "default/static/css/palette.css"
    )
    assert themes.find("static", "css/missing.css") is None


def test_a_grandchild_theme_reaches_the_default(tmp_path):
    for name in ("default", "example"):
        make_theme(tmp_path, name, "default" if name == "example" else None)
    make_theme(tmp_path, "grandchild", "example")
    assert theme_chain(tmp_path, "grandchild") == ["grandchild", "example", "default"]


def test_a_theme_without_theme_toml_descends_from_the_default(tmp_path):
    make_theme(tmp_path, "default")
    (tmp_path / "bare" / "templates").mkdir(parents=True)
    assert theme_chain(tmp_path, "bare") == ["bare", "default"]


@pytest.mark.parametrize("name", ["nope", "../themes", "", "default/../example"])
def test_an_unknown_theme_is_refused(name):
    with pytest.raises(ThemeError):
        Themes(THEMES_DIR, name)


def test_an_app_with_an_unknown_theme_does_not_start(tmp_path):
    with pytest.raises(ThemeError, match="nope"):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "INSTANCE_PATH": str(tmp_path / "instance"),
                "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
                "THEME": "nope",
            }
        )


@pytest.mark.parametrize(
    "parents",
    [{"a": "a"}, {"a": "b", "b": "a"}, {"a": "b", "b": "c", "c": "b"}],
    ids=["itself", "two", "three"],
)
def test_a_parent_loop_is_detected(tmp_path, parents):
    make_theme(tmp_path, "default")
    for name, parent in parents.items():
        make_theme(tmp_path, name, parent)
    with pytest.raises(ThemeError, match="parent loop"):
        theme_chain(tmp_path, "a")


def test_a_broken_theme_toml_is_a_theme_error(tmp_path):
    make_theme(tmp_path, "default")
    make_theme(tmp_path, "broken", files={"theme.toml": "parent = [unclosed"})
    with pytest.raises(ThemeError, match="theme.toml"):
        theme_chain(tmp_path, "broken")


@pytest.mark.parametrize(
    "parent, reason",
    [("nosuch", "no theme 'nosuch'"), ("broken", "parent loop")],
)
def test_a_theme_whose_parents_do_not_resolve_cannot_be_chosen(
    make_app, tmp_path, parent, reason
):
    themes_dir = tmp_path / "themes"
    shutil.copytree(THEMES_DIR, themes_dir)
    make_theme(themes_dir, "broken", parent=parent)
    app = make_app(THEMES_DIR=str(themes_dir))
    # The site would fall back to another theme and only its log would say why.
    assert "broken" not in available(themes_dir)
    result = app.test_cli_runner().invoke(main, ["settings", "set", "theme", "broken"])
    assert result.exit_code == 1 and reason in result.output
    with app.app_context():
        assert app.extensions["settings"]["theme"] == ""


@pytest.mark.parametrize(
    "name",
    [
        "!default//etc/passwd",
        "!..//etc/passwd",
        "!/etc/passwd",
        "/etc/passwd",
        "css/../../../blog/__init__.py",
        "!default/../example/theme.toml",
        "",
    ],
)
def test_names_cannot_leave_the_themes_folder(name):
    assert Themes(THEMES_DIR, "example").find("static", name) is None


@pytest.mark.parametrize("name", ["a" * 300 + ".css", "css/" + "a" * 300])
def test_a_name_too_long_for_the_file_system_is_a_404(client, name):
    # Anyone may type one into the address bar: a 404, not a 500.
    assert client.get(f"/static/{name}").status_code == 404


def test_links_out_of_a_theme_folder_are_not_followed(make_app, tmp_path):
    # A theme copied from elsewhere could link a static file to the secret key.
    secret = tmp_path / "secret.txt"
    secret.write_text("not for readers")
    theme = make_theme(tmp_path / "themes", "linked", files={"static/ok.css": ""})
    (theme / "static/key.txt").symlink_to(secret)
    (theme / "static/up").symlink_to(tmp_path)
    (theme / "static/css").symlink_to(theme / "static")
    shutil.copytree(THEMES_DIR / "default", tmp_path / "themes/default")
    client = make_app(THEMES_DIR=str(tmp_path / "themes"), THEME="linked").test_client()
    assert client.get("/static/key.txt").status_code == 404
    assert client.get("/static/up/secret.txt").status_code == 404
    # A link that stays inside the folder still works.
    assert client.get("/static/css/ok.css").status_code == 200


def test_a_theme_whose_base_template_fails_still_answers_in_words(make_app, tmp_path):
    themes = tmp_path / "themes"
    shutil.copytree(THEMES_DIR / "default", themes / "default")
    make_theme(themes, "broken", files={"templates/base.html": "{{ 1 / 0 }}"})
    app = make_app(THEMES_DIR=str(themes), THEME="broken", PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    failed = client.get("/")
    assert failed.status_code == 500
    assert "Something went wrong on our side." in failed.get_data(as_text=True)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "There is nothing at this address." in missing.get_data(as_text=True)


# Rendering with the example theme and with an override folder


def test_the_example_theme_replaces_one_block_of_the_post_page(make_app, post):
    client = make_app(THEME="example").test_client()
    html = client.get(post.url).get_data(as_text=True)
    # Its own header block...
    assert 'class="post-header dateline-header"' in html
    assert (
        '<p class="dateline"><time datetime="2024-06-23T12:00:00+00:00">'
        "Sun. Jun 23rd, 2024</time></p>" in html
    )
    assert "Written by" in html
    # ...inside everything else the default page has.
    assert 'class="post-footer"' in html
    assert 'class="topbar"' in html
    assert "/static/css/palette.css?v=" in html


def test_blog_theme_in_the_environment_picks_the_theme(make_app, monkeypatch):
    monkeypatch.setenv("BLOG_THEME", "example")
    assert make_app().extensions["themes"].chain == ["example", "default"]


def test_the_example_theme_serves_its_own_palette_over_the_default(make_app):
    client = make_app(THEME="example").test_client()
    palette = client.get("/static/css/palette.css").get_data(as_text=True)
    site_css = client.get("/static/css/site.css").get_data(as_text=True)
    assert "--bg: #fbf7f0" in palette
    assert site_css == (THEMES_DIR / "default/static/css/site.css").read_text()


def test_an_override_folder_beats_the_theme(make_app, tmp_path, post):
    overrides = tmp_path / "overrides"
    (overrides / "templates").mkdir(parents=True)
    (overrides / "static/css").mkdir(parents=True)
    (overrides / "templates/post.html").write_text(
        '{% extends "!example/post.html" %}'
        '{% block post_body %}<p id="local">Local body</p>{% endblock %}'
    )
    (overrides / "static/css/palette.css").write_text(":root { --bg: #000000; }")
    client = make_app(THEME="example", THEME_OVERRIDES_DIR=str(overrides)).test_client()
    html = client.get(post.url).get_data(as_text=True)
    assert '<p id="local">Local body</p>' in html
    assert "dateline-header" in html
    assert client.get("/static/css/palette.css").data == b":root { --bg: #000000; }"


def test_switching_the_theme_setting_restyles_the_next_page(app, client, post):
    assert "dateline-header" not in client.get(post.url).get_data(as_text=True)
    app.extensions["settings"].set("theme", "example")
    publishing.invalidate_pages()
    assert "dateline-header" in client.get(post.url).get_data(as_text=True)


def test_theme_static_urls_carry_a_version_and_a_long_lifetime(client):
    html = client.get("/").get_data(as_text=True)
    hrefs = re.findall(r'href="(/static/[^"]+)"', html)
    assert {h.split("?")[0] for h in hrefs} >= {
        "/static/css/palette.css",
        "/static/css/site.css",
        "/static/css/pygments.css",
    }
    assert all("?v=" in href for href in hrefs)
    response = client.get(hrefs[0])
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_switching_themes_changes_the_url_of_a_stylesheet_they_both_ship(
    make_app, tmp_path
):
    # A clone or a copy gives every file the same modification time.
    themes_dir = tmp_path / "themes"
    shutil.copytree(THEMES_DIR, themes_dir)
    for path in themes_dir.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    app = make_app(THEMES_DIR=str(themes_dir))
    client = app.test_client()

    def palette_href():
        html = client.get("/").get_data(as_text=True)
        return re.search(r'href="(/static/css/palette\.css[^"]*)"', html).group(1)

    before = palette_href()
    with app.app_context():
        app.extensions["settings"].set("theme", "example")
        publishing.invalidate_pages()
    # Browsers keep a versioned URL for a year: the same one would keep the old colours.
    assert palette_href() != before


# Safety of every template and stylesheet, in every theme


def test_there_are_templates_to_scan():
    assert len(TEMPLATES) >= 8
    assert len(STYLESHEETS) >= 4


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JINJA_COMMENT = re.compile(r"{#.*?#}", re.DOTALL)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


@pytest.mark.parametrize(
    "path", TEMPLATES, ids=[str(p.relative_to(THEMES_DIR)) for p in TEMPLATES]
)
def test_no_template_has_inline_script_or_style(path):
    source = JINJA_COMMENT.sub("", path.read_text(encoding="utf-8"))
    assert not INLINE_SCRIPT.search(source), "inline <script> (CSP refuses it)"
    assert not STYLE_ATTRIBUTE.search(source), "style= attribute (CSP refuses it)"
    assert not STYLE_ELEMENT.search(source), "<style> element (CSP refuses it)"
    assert not EVENT_HANDLER.search(source), "on*= event handler (CSP refuses it)"
    assert not JS_URL.search(source), "javascript: URL"


def test_the_scanner_catches_what_it_is_for():
    assert INLINE_SCRIPT.search('<script>alert(1)</script><script src="/a.js">')
    assert not INLINE_SCRIPT.search('<script src="/static/js/a.js" defer></script>')
    assert STYLE_ATTRIBUTE.search('<p class="x" style="color: red">')
    assert EVENT_HANDLER.search('<button type="button" onclick="go()">')
    assert not EVENT_HANDLER.search('<p class="only">written in an online form</p>')


EXTERNAL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.IGNORECASE)


@pytest.mark.parametrize(
    "path",
    STYLESHEETS + TEMPLATES,
    ids=[str(p.relative_to(THEMES_DIR)) for p in STYLESHEETS + TEMPLATES],
)
def test_themes_load_nothing_from_other_sites(path):
    """No web fonts, CDNs or trackers: readers' addresses stay with us."""
    source = path.read_text(encoding="utf-8")
    loads = re.findall(
        r"""(?:@import|url\(|<link[^>]*href=|<script[^>]*src=|<img[^>]*src=)"""
        r"""\s*["']?([^"')\s>]+)""",
        source,
    )
    assert [url for url in loads if EXTERNAL.match(url)] == []
    assert "@font-face" not in source


def test_the_pygments_stylesheet_is_generated_from_highlight():
    generated = (THEMES_DIR / "default/static/css/pygments.css").read_text()
    assert highlight.pygments_css() in generated
    assert "pre code .k " in generated


# Colour contrast (WCAG 2 AA) of each theme's palette

TEXT_PAIRS = [
    ("text", "bg"),
    ("muted", "bg"),
    ("link", "bg"),
    ("link-visited", "bg"),
    ("text", "surface"),
    ("muted", "surface"),
    ("link", "surface"),
    ("link-visited", "surface"),
    ("on-accent", "accent"),
    ("topbar-text", "topbar-bg"),
    ("code-text", "code-bg"),
    ("mark-text", "mark-bg"),
    # comments.css writes field errors in the focus colour.
    ("focus", "bg"),
    ("focus", "surface"),
]
# Control borders and accent marks are not text: 3:1 is enough.
UI_PAIRS = [("control-border", "bg"), ("accent", "bg")]
PALETTES = sorted(THEMES_DIR.glob("*/static/css/palette.css"))


def relative_luminance(colour: str) -> float:
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(digit * 2 for digit in hex_digits)
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (light + 0.05) / (dark + 0.05)


def palette_schemes(css: str) -> dict[str, dict[str, str]]:
    """The custom properties of the light scheme and of the dark one."""
    light_part, _, dark_part = css.partition("@media (prefers-color-scheme: dark)")

    def colours(part):
        return dict(
            re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b", part)
        )

    light = colours(light_part)
    return {"light": light, "dark": {**light, **colours(dark_part)}}


def test_contrast_is_computed_like_wcag():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#fff", "#fff") == pytest.approx(1)


@pytest.mark.parametrize(
    "path", PALETTES, ids=[p.relative_to(THEMES_DIR).parts[0] for p in PALETTES]
)
def test_palette_colours_meet_wcag_aa(path):
    schemes = palette_schemes(path.read_text())
    assert "@media (prefers-color-scheme: dark)" in path.read_text()
    failures = []
    for scheme, colours in schemes.items():
        for pairs, minimum in ((TEXT_PAIRS, 4.5), (UI_PAIRS, 3.0)):
            for fg, bg in pairs:
                ratio = contrast(colours[fg], colours[bg])
                if ratio < minimum:
                    failures.append(f"{scheme}: --{fg} on --{bg} is {ratio:.2f}:1")
    assert failures == []


def test_site_css_uses_only_colours_from_the_palette():
    """Hard-coded colours in site.css would escape the contrast check."""
    site_css = (THEMES_DIR / "default/static/css/site.css").read_text()
    assert re.findall(r"#[0-9a-fA-F]{3,6}\b|rgb\(|hsl\(", site_css) == []
    used = set(re.findall(r"var\(--([\w-]+)\)", site_css))
    defined = palette_schemes(
        (THEMES_DIR / "default/static/css/palette.css").read_text()
    )["light"]
    fonts = {"font-body", "font-heading", "font-mono"}
    assert used - fonts <= set(defined)


ADMIN_CSS = THEMES_DIR / "default/static/admin/admin.css"
ADMIN_TEXT_PAIRS = [
    *[(fg, bg) for fg in ("ink", "muted", "accent") for bg in ("paper", "panel")],
    ("muted", "danger-bg"),
    ("danger", "danger-bg"),
    ("danger", "panel"),
    ("on-accent", "accent"),
    ("header-text", "header-bg"),
    ("header-muted", "header-bg"),
    ("ink", "state-bg"),
    ("ok", "ok-bg"),
    ("ink", "notice-bg"),
    ("warn", "warn-bg"),
    ("danger", "danger-state-bg"),
    ("ink", "avatar-bg"),
    ("ink", "secret-bg"),
]
# Borders that show where a control is, and the focus ring: 3:1 (WCAG 1.4.11).
ADMIN_UI_PAIRS = [
    *[("focus", bg) for bg in ("paper", "panel", "danger-bg", "header-bg")],
    ("control-border", "paper"),
    ("control-border", "panel"),
    ("header-border", "header-bg"),
]


def test_dashboard_colours_meet_wcag_aa():
    css = ADMIN_CSS.read_text()
    root = css[css.index(":root {") : css.index("}")]
    colours = palette_schemes(root)["light"]
    failures = [
        f"--{fg} on --{bg} is {ratio:.2f}:1"
        for pairs, minimum in ((ADMIN_TEXT_PAIRS, 4.5), (ADMIN_UI_PAIRS, 3.0))
        for fg, bg in pairs
        if (ratio := contrast(colours[fg], colours[bg])) < minimum
    ]
    assert failures == []
    # A colour written anywhere but :root would escape the check above.
    rest = css.replace(root, "")
    assert re.findall(r"#[0-9a-fA-F]{3,6}\b|rgb\(|hsl\(", rest) == []


# The HTML of the pages: landmarks, labels, CSP


class Landmarks(HTMLParser):
    """Collects the parts of a page that accessibility depends on."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def all(self, name):
        return [attrs for tag, attrs in self.tags if tag == name]


def parse(html: str) -> Landmarks:
    parser = Landmarks()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("path", ["/", "post", "/tag/sqlite/", "/2024/", "/missing/"])
def test_pages_have_landmarks_and_labelled_controls(client, post, path):
    page = parse(
        client.get(post.url if path == "post" else path).get_data(as_text=True)
    )
    assert page.all("html")[0].get("lang") == "en"
    assert len(page.all("main")) == 1 and page.all("main")[0]["id"] == "main"
    assert page.all("header") and page.all("footer")
    assert all(nav.get("aria-label") for nav in page.all("nav"))
    assert any(a.get("href") == "#main" for a in page.all("a"))
    assert len(page.all("h1")) == 1
    labels = {label.get("for") for label in page.all("label")}
    for control in page.all("input") + page.all("textarea") + page.all("select"):
        if control.get("type") in ("hidden", "submit", "button", "image"):
            continue
        assert control.get("id") in labels or control.get("aria-label"), control


def test_every_page_sends_the_content_security_policy(client, post):
    for path in ("/", post.url, "/tag/sqlite/", "/missing/", "/static/css/site.css"):
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "unsafe-inline" not in policy


def test_the_policy_lets_a_post_show_images_from_other_sites(client):
    """An imported WordPress post keeps its images on the old site, and the
    post allowlist passes http(s) image links: the policy must not block them."""
    post = make_post(body="![A chart](https://old.example.org/wp-content/a.png)")
    response = client.get(post.url)
    assert 'src="https://old.example.org/wp-content/a.png"' in response.text
    directives = response.headers["Content-Security-Policy"].split("; ")
    (image_sources,) = [d.split()[1:] for d in directives if d.startswith("img-src")]
    assert "*" in image_sources


def test_rendered_pages_have_no_inline_script_or_style(client, post):
    for path in ("/", post.url, "/tag/sqlite/", "/2024/", "/missing/"):
        html = client.get(path).get_data(as_text=True)
        assert not INLINE_SCRIPT.search(html)
        assert not STYLE_ATTRIBUTE.search(html)
        assert not EVENT_HANDLER.search(html)
