import re
import xml.etree.ElementTree as ET

import pytest

from blog import identicon

KEY = "site key"


def test_names_are_keyed_and_short():
    name = identicon.name_for("email-hash", KEY)
    assert identicon.NAME.fullmatch(name)
    assert name == identicon.name_for("email-hash", KEY)
    assert name != identicon.name_for("email-hash", "other site")
    assert name != identicon.name_for("other-hash", KEY)


@pytest.mark.parametrize("name", ["0" * 20, "0123456789abcdef0123", "f" * 20])
def test_the_picture_is_a_symmetric_svg(name):
    picture = identicon.svg(name)
    root = ET.fromstring(picture)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    cells = {
        (int(rect.get("x")), int(rect.get("y")))
        for rect in root.iter("{http://www.w3.org/2000/svg}rect")
        if rect.get("x") is not None
    }
    size = identicon.GRID * identicon.CELL
    assert cells == {(size - identicon.CELL - x, y) for x, y in cells}
    assert "<script" not in picture and "href" not in picture


def test_the_picture_depends_only_on_the_name():
    one, other = identicon.svg("a" * 20), identicon.svg("b" * 20)
    assert one == identicon.svg("a" * 20)
    assert one != other
    assert re.search(r"hsl\(\d+, \d+%, \d+%\)", one)
