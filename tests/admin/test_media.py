import io
import re
from pathlib import Path

import pytest

from blog import media
from blog.models import AuditEntry
from tests.admin.conftest import Browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    "data, kind",
    [(PNG, "png"), (JPEG, "jpg"), (GIF, "gif"), (WEBP, "webp"), (SVG, None),
     (b"<html>", None), (b"RIFF\x00\x00\x00\x00WAVE", None)],
)  # fmt: skip
def test_sniff_reads_the_content_not_the_name(data, kind):
    assert media.sniff(data[:16]) == kind


def _upload(browser, data, name):
    return browser.post(
        "/admin/media/",
        {"file": (io.BytesIO(data), name)},
        page="/admin/media/",
        content_type="multipart/form-data",
    )


def test_upload_stores_under_a_made_name_and_shows_the_markdown(app, browser_for):
    editor = browser_for("editor")
    response = _upload(editor, PNG, "My Holiday Photo.JPG")
    page = response.get_data(as_text=True)
    assert response.status_code == 201
    (saved,) = media.library(app.config["MEDIA_DIR"])
    assert saved.path.endswith("/my-holiday-photo.png")
    assert f"![my holiday photo](/media/{saved.path})" in page
    served = app.test_client().get(saved.url)
    assert served.status_code == 200
    assert served.data == PNG
    assert AuditEntry.get(AuditEntry.action == "media.upload").detail == saved.path


def test_same_name_twice_keeps_both(app, browser_for):
    editor = browser_for("editor")
    _upload(editor, PNG, "a.png")
    _upload(editor, PNG + b"2", "a.png")
    _upload(editor, GIF, "a.png")
    library = media.library(app.config["MEDIA_DIR"])
    names = sorted(item.path.rsplit("/", 1)[1] for item in library)
    assert names == ["a-2.png", "a.gif", "a.png"]


@pytest.mark.parametrize(
    "data, name",
    [
        (SVG, "logo.svg"),
        (SVG, "logo.png"),
        (b"MZ\x90\x00", "photo.jpg"),
        (b"", "x.png"),
    ],
)
def test_anything_but_an_image_is_refused(app, browser_for, data, name):
    response = _upload(browser_for("editor"), data, name)
    assert response.status_code == 400
    assert media.library(app.config["MEDIA_DIR"]) == []


def _upload_error(response) -> str:
    match = re.search(r'id="upload-error">([^<]*)<', response.get_data(as_text=True))
    assert match, "no error beside the file field"
    return match.group(1)


def test_the_refusal_names_the_formats_as_written(browser_for):
    response = _upload(browser_for("editor"), SVG, "logo.svg")
    expected = "Only PNG, JPEG, GIF and WebP images are accepted (no SVG)."
    assert _upload_error(response) == expected


def test_size_limit(make_app, users):
    app = make_app(MEDIA_MAX_BYTES=1024 * 1024)
    browser = Browser(app.test_client())
    browser.login("editor")
    response = _upload(browser, PNG + b"\x00" * (1024 * 1024), "big.png")
    assert response.status_code == 413
    assert _upload_error(response) == "Images may be at most 1 MB."
    assert media.library(app.config["MEDIA_DIR"]) == []


def test_delete_from_the_library(app, browser_for):
    editor = browser_for("editor")
    _upload(editor, PNG, "gone.png")
    (saved,) = media.library(app.config["MEDIA_DIR"])
    response = editor.post(
        "/admin/media/delete", {"path": saved.path}, page="/admin/media/"
    )
    assert response.status_code == 302
    assert media.library(app.config["MEDIA_DIR"]) == []
    assert app.test_client().get(saved.url).status_code == 404


@pytest.mark.parametrize(
    "path", ["../keep.txt", "{outside}", "nothing.png", "a" * 300 + ".png"]
)
def test_delete_stays_inside_the_media_folder(app, browser_for, path):
    keep = Path(app.config["MEDIA_DIR"]).parent / "keep.txt"
    # The folder is there, as on a site with uploads: a name too long is
    # refused by the file system inside it, not found missing before.
    Path(app.config["MEDIA_DIR"]).mkdir(parents=True, exist_ok=True)
    keep.write_text("precious")
    response = browser_for("editor").post(
        "/admin/media/delete", {"path": path.format(outside=keep)}, page="/admin/media/"
    )
    assert response.status_code == 404
    assert keep.read_text() == "precious"
