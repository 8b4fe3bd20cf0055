"""The streaming WXR reader: namespaces, hostile files, memory."""

import io
import socket
import tracemalloc

import pytest

from blog.wordpress import wxr
from tests.wordpress.builders import comment, item
from tests.wordpress.builders import wxr as build


def records(data: bytes):
    reader = wxr.read(io.BytesIO(data))
    return reader, list(reader.records())


@pytest.mark.parametrize(
    "namespace, version",
    [
        ("http://wordpress.org/export/1.0/", "1.0"),
        ("http://wordpress.org/export/1.1/", "1.1"),
        ("http://wordpress.org/export/1.2/", "1.2"),
        ("https://wordpress.org/export/1.2/", "1.2"),
    ],
)
def test_every_wxr_version_and_scheme_reads_alike(namespace, version):
    data = build(
        [item(7, excerpt="Short.", comments=[comment(3)])],
        categories=[(5, "news", "", "News")],
        namespace=namespace,
        version=version,
    )
    reader, found = records(data)
    kinds = [kind for kind, _record in found]
    assert kinds == ["author", "category", "item"]
    post = found[-1][1]
    assert (post.wp_id, post.post_type, post.excerpt) == (7, "post", "Short.")
    assert post.comments[0].author_ip == "203.0.113.77"
    assert reader.version == version


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<rss><channel><title>&d;&d;&d;&d;&d;&d;&d;&d;</title></channel></rss>
"""
FILE_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss><channel><title>&secret;</title></channel></rss>
"""
HTTP_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY remote SYSTEM "http://127.0.0.1:9/x">]>
<rss><channel><title>&remote;</title></channel></rss>
"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>
<rss><channel/></rss>
"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/x.dtd">
<rss><channel><title>&remote;</title></channel></rss>
"""
LATIN1 = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss><channel>\n'
    "<title>Caf\xe9 cr\xe8me</title>\n</channel></rss>\n"
).encode("latin-1")


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test on any attempt to open a connection."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("the reader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


@pytest.mark.parametrize(
    "data, line, reason",
    [
        (BOMB, 3, "declares XML entities"),
        (FILE_ENTITY, 2, "declares XML entities"),
        (HTTP_ENTITY, 2, "declares XML entities"),
        (PARAMETER_ENTITY, 2, "declares XML entities"),
        (EXTERNAL_DTD, 3, "undefined entity"),
        (LATIN1, 3, "byte 0xe9 is not valid UTF-8"),
        (b'{"posts": []}', 1, "not valid XML"),
        (b"<html><body>Hello</body></html>", 1, "root element is <html>"),
        (b"<rss><channel><item><title>x</title></item></channel></rss>", 1, "RSS"),
        (b"<rss><channel><title>x</title></channel></rss>", None, "wxr_version"),
        (b"", 1, "empty"),
    ],
)
def test_hostile_or_broken_files_give_a_clear_error(no_network, data, line, reason):
    with pytest.raises(wxr.WXRError) as caught:
        records(data)
    assert reason in caught.value.reason
    assert caught.value.line == line
    assert no_network == []


def test_a_truncated_file_is_reported_with_its_line():
    data = build([item(n, post_name=f"p{n}") for n in range(1, 30)])
    cut = data[: len(data) // 2]
    with pytest.raises(wxr.WXRError) as caught:
        records(cut)
    assert "ends too early" in caught.value.reason
    assert caught.value.line == cut.count(b"\n") + 1


def test_a_latin1_byte_at_the_end_of_a_chunk_is_the_one_named():
    """The decoder keeps a chunk's last byte when it may start a character:
    its error then pointed into the next chunk, naming a valid byte there."""
    good = build([item(1, content="x")])
    head, tail = good.split(b"x]]>", 1)
    filler = (b"line\n" * wxr.CHUNK)[: wxr.CHUNK - len(head) - 1]
    data = head + filler + "é".encode("latin-1") + b"(]]>" + tail
    with pytest.raises(wxr.WXRError) as caught:
        records(data)
    assert "byte 0xe9 is not valid UTF-8" in caught.value.reason
    assert caught.value.line == data[: wxr.CHUNK].count(b"\n") + 1


def test_an_unsupported_version_is_refused():
    with pytest.raises(wxr.WXRError, match="not 1.0, 1.1 or 1.2"):
        records(build([item(1)], version="9.0"))


def _big_wxr(path, items: int, body_size: int):
    body = ("Lorem ipsum dolor sit amet. " * (body_size // 28)).strip()
    with open(path, "wb") as handle:
        head, tail = build([item(0)]).split(b"<item>", 1)
        handle.write(head)
        for number in range(1, items + 1):
            one = build([item(number, content=body, comments=[comment(number)])])
            handle.write(b"<item>" + one.split(b"<item>", 1)[1].split(b"</item>")[0])
            handle.write(b"</item>\n")
        handle.write(b"</channel>\n</rss>\n")


def test_reading_streams_in_little_memory(tmp_path):
    path = tmp_path / "big.xml"
    _big_wxr(path, items=2000, body_size=4000)
    size = path.stat().st_size
    assert size > 8_000_000
    tracemalloc.start()
    try:
        with open(path, "rb") as stream:
            count = sum(1 for kind, _ in wxr.read(stream).records() if kind == "item")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2000
    # One item and one chunk at a time: a small fraction of the file.
    assert peak < size / 10, f"peak {peak} bytes for a {size} byte file"


def test_a_utf16_file_with_its_byte_order_mark_reads():
    text = build([item(3, title="Café")]).decode("utf-8")
    data = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    _reader, found = records(data)
    assert found[-1][1].title == "Café"
