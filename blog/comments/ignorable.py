"""The characters a page shows as nothing: Unicode's default-ignorable code points.

Soft hyphens, zero-width spaces and joiners, direction marks, the combining
grapheme joiner, variation selectors, Hangul fillers, tag characters and the
byte order mark: "jane\u034f@example.com" reads "jane@example.com" on the
page, and "vi\u034fagra" reads "viagra". Whoever reads a text as a reader sees
it (the privacy mask, the keyword and blocklist match) leaves them out.
"""

import re

IGNORABLE = (
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


INVISIBLE = re.compile(IGNORABLE)


def shows_nothing(text: str) -> bool:
    """Whether a text shows as blank: strip() keeps zero-width characters."""
    return not INVISIBLE.sub("", text).strip()
