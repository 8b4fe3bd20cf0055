"""Checks on a page's HTML that accessibility and validity depend on.

Each function takes the text of a page and returns a list of problems, so a
test asserts `== []` and its failure names what is wrong. They are the parts
of axe-core's and the Nu validator's rules that the themes have got wrong
before, run on the real rendered pages without a browser.
"""

import html5lib
from html5lib.constants import E

LANDMARKS = {"header", "main", "footer", "nav", "aside"}
CONTROLS = {"input", "select", "textarea"}
UNLABELLED_INPUTS = {"hidden", "submit", "button", "image", "reset"}
REFERENCES = ("aria-describedby", "aria-labelledby", "aria-controls", "for")
# What the stylesheets let scroll sideways when wider than the column: code
# blocks, tables in a text (a post's .body, the preview's .post-body) and the
# dashboard's lists on a narrow screen.
SCROLLING_TABLES = {"list", "body", "post-body"}
FOCUSABLE = {"button", "input", "select", "textarea"}


def parse(html: str):
    """The page's tree, or an AssertionError naming each parse error."""
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    tree = parser.parse(html)
    lines = html.splitlines()
    errors = [
        f"line {line}: {E.get(code, code) % (data or {})}: {lines[line - 1].strip()}"
        for (line, _column), code, data in parser.errors
    ]
    assert errors == [], "\n".join(errors)
    return tree


def parse_errors(html: str) -> list[str]:
    try:
        parse(html)
    except AssertionError as error:
        return str(error).splitlines()
    return []


def duplicate_ids(html: str) -> list[str]:
    seen, repeated = set(), []
    for element in parse(html).iter():
        ident = element.get("id")
        if ident is not None:
            if ident in seen:
                repeated.append(ident)
            seen.add(ident)
    return repeated


def broken_references(html: str) -> list[str]:
    """aria-describedby, aria-labelledby and label for= naming no element."""
    tree = parse(html)
    ids = {element.get("id") for element in tree.iter()}
    return [
        f"<{element.tag} {name}={target!r}>"
        for element in tree.iter()
        for name in REFERENCES
        for target in (element.get(name) or "").split()
        if target not in ids
    ]


def unlabelled_controls(html: str) -> list[str]:
    tree = parse(html)
    labelled = {label.get("for") for label in tree.iter("label")}
    wrapped = {
        id(control)
        for label in tree.iter("label")
        for control in label.iter()
        if control.tag in CONTROLS
    }
    return [
        f"<{control.tag} name={control.get('name')!r}>"
        for control in tree.iter()
        if control.tag in CONTROLS
        and control.get("type") not in UNLABELLED_INPUTS
        and control.get("id") not in labelled
        and id(control) not in wrapped
        and not control.get("aria-label")
        and not control.get("aria-labelledby")
    ]


def text_outside_landmarks(html: str) -> list[str]:
    """Words in <body> that no landmark holds (axe-core's "region" rule).

    The skip link is exempt: it comes before the landmarks by design.
    """
    body = parse(html).find("body")
    found: list[str] = []

    def walk(element):
        if not isinstance(element.tag, str):  # an HTML comment
            return
        if element.tag in LANDMARKS or "skip-link" in element.get("class", ""):
            return
        if element.tag in ("script", "template"):
            return
        for text in (element.text, *(child.tail for child in element)):
            if text and text.strip():
                found.append(f"{text.strip()[:60]!r} in <{element.tag}>")
        for child in element:
            walk(child)

    walk(body)
    return found


def _focusable(element) -> bool:
    if element.get("tabindex") == "0" or element.tag in FOCUSABLE:
        return True
    return element.tag == "a" and element.get("href") is not None


def _scrollers(element, classes=frozenset()):
    if not isinstance(element.tag, str):
        return
    classes = classes | set(element.get("class", "").split())
    if element.tag == "pre" or (element.tag == "table" and classes & SCROLLING_TABLES):
        yield element
    for child in element:
        yield from _scrollers(child, classes)


def scrollers_without_tab_stop(html: str) -> list[str]:
    """A code block or wide table a keyboard cannot reach, so cannot scroll.

    axe-core's "scrollable-region-focusable": the region itself or something
    inside it must take the focus.
    """
    return [
        f"<{element.tag}>{''.join(element.itertext())[:40]!r}"
        for element in _scrollers(parse(html))
        if not any(map(_focusable, element.iter()))
    ]
