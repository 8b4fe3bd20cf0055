import pytest

from blog.comments.privacy import PHONE_MASK, mask_contacts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+1 555 123 4567 ext. 89", PHONE_MASK),
        ("+1 555 123 4567 x89", PHONE_MASK),
        ("Call 555-123-4567x89 today", f"Call {PHONE_MASK} today"),
        ("555-123-4567 x 89", PHONE_MASK),
        ("(555) 123-4567, ext. 1234.", f"{PHONE_MASK}."),
        ("555-123-4567 extension 89", PHONE_MASK),
        ("+1 555 123 4567 EXT: 89", PHONE_MASK),
        ("0612345678 poste 12", PHONE_MASK),
        ("Tel. 030/12345678 Durchwahl 33", f"Tel. {PHONE_MASK}"),
        ("555 123 4567 x89 or 555 765 4321", f"{PHONE_MASK} or {PHONE_MASK}"),
        ("+1 555 123 4567 (ext. 89)", PHONE_MASK),
        ("(call 555-123-4567 x89)", f"(call {PHONE_MASK})"),
        ("tel:+1-555-123-4567;ext=89", f"tel:{PHONE_MASK}"),
    ],
)
def test_an_extension_is_masked_with_its_number(text, expected):
    assert mask_contacts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1920x1080 at 60 Hz",
        "4x 1234567 rows",
        "ext4 and x86 since 2024",
        "3 x 5 = 15, ext. 4 of the spec",
    ],
)
def test_an_extension_alone_is_no_phone(text):
    assert mask_contacts(text) == text
