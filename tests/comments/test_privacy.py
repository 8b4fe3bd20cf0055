import hashlib
import re
from html import unescape
from urllib.parse import unquote

import pytest

from blog.comments import privacy
from blog.comments.ignorable import IGNORABLE
from blog.comments.privacy import EMAIL_MASK, PHONE_MASK, mask_contacts, mask_html
from blog.comments.spam import Outcome
from blog.markup import render_comment
from tests import worst_cases

KEY = "site secret"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mail me at jane.doe@example.com please", f"Mail me at {EMAIL_MASK} please"),
        ("Jane.Doe+tag@sub.example.co.uk", EMAIL_MASK),
        ("ünïcode@exämple.de", EMAIL_MASK),
        # An internationalised top-level domain as DNS writes it (.рф).
        ("write to ivan@example.xn--p1ai today", f"write to {EMAIL_MASK} today"),
        ("IVAN@EXAMPLE.XN--P1AI", EMAIL_MASK),
        ("JANE@EXAMPLE.COM", EMAIL_MASK),
        ("Jane＠example.org", EMAIL_MASK),
        ("jane(at)example(dot)com", EMAIL_MASK),
        ("jane [at] example [dot] co [dot] uk", EMAIL_MASK),
        ("jane {at} example {dot} com", EMAIL_MASK),
        ("jane at example dot com", EMAIL_MASK),
        ("jane AT example DOT com", EMAIL_MASK),
        ("jane @ example . com", EMAIL_MASK),
        ("<jane@example.com>", f"<{EMAIL_MASK}>"),
        ("mailto:jane@example.com", f"mailto:{EMAIL_MASK}"),
        ("[me](mailto:me@example.org)", f"[me](mailto:{EMAIL_MASK})"),
        ("contact jane@example.com. Thanks", f"contact {EMAIL_MASK}. Thanks"),
        ("two: a@example.com, b@example.net", f"two: {EMAIL_MASK}, {EMAIL_MASK}"),
    ],
)
def test_emails_are_masked(text, expected):
    assert mask_contacts(text) == expected


NOT_EMAILS = [
    "look at example.com for details",
    "meet me at noon, the dot matrix printer is at home",
    "user@localhost",
    "a@b.c",
    "@mention in a reply",
    "decorators like @app.route work",
    "the price is 5 @ 3 each",
    # High-resolution images' names: no top-level domain is an image type.
    "serve logo@2x.png and logo@3x.webp",
    "`icon@2x.jpg` or icon@1.5x.JPEG, photo@large.gif, hero@2x.avif",
]


@pytest.mark.parametrize("text", NOT_EMAILS)
def test_text_that_only_resembles_an_email_is_kept(text):
    assert mask_contacts(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call +1 (555) 123-4567 now", f"Call {PHONE_MASK} now"),
        ("Call 555-123-4567", f"Call {PHONE_MASK}"),
        ("Call 555.123.4567.", f"Call {PHONE_MASK}."),
        ("(555) 123 4567", PHONE_MASK),
        ("+44 20 7946 0958", PHONE_MASK),
        ("020 7946 0958", PHONE_MASK),
        ("0612345678", PHONE_MASK),
        ("5551234567", PHONE_MASK),
        ("+33 6 12 34 56 78", PHONE_MASK),
        ("06 12 34 56 78", PHONE_MASK),
        ("612 345 678", PHONE_MASK),
        ("555-1234 or 555-123-4567", f"{PHONE_MASK} or {PHONE_MASK}"),
        ("1-800-555-1234", PHONE_MASK),
        ("0044 20 7946 0958", PHONE_MASK),
        ("tel.: +49 (0) 30 1234567", f"tel.: {PHONE_MASK}"),
        ("phone:0612345678", f"phone:{PHONE_MASK}"),
        ("my number is 555 123 4567, call me", f"my number is {PHONE_MASK}, call me"),
        ("+49\u00a0151\u00a012345678", PHONE_MASK),
        ("9780306406158", PHONE_MASK),  # not an ISBN: its check digit is wrong
    ],
)
def test_phone_numbers_are_masked(text, expected):
    assert mask_contacts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "My numbers: 0612345678 0798765432",
        "call 555-123-4567 555-765-4321",
        "(555) 123-4567 (555) 765-4321",
        "555 123 4567  555 765 4321",
        "+1 555 123 4567 555 765 4321",
        "call 555 123 4567 9-5 weekdays",
    ],
)
def test_phone_numbers_next_to_other_numbers_are_masked(text):
    """Numbers side by side read as one run too long to be a phone number,
    but the phone numbers in it show all the same."""
    masked = mask_contacts(text)
    for number in ("0612345678", "0798765432", "123-4567", "765-4321", "123 4567"):
        assert number not in masked
    assert "765 4321" not in masked and PHONE_MASK in masked


@pytest.mark.parametrize(
    "text",
    [
        "555\u2013123\u20134567",  # en dashes, as word processors and phones type
        "+49\u2011151\u201112345678",  # non-breaking hyphens
        "+1 555\u2012123\u20124567",  # figure dashes
        "\uff10\uff19\uff10\uff0d\uff11\uff12\uff13\uff14\uff0d\uff15\uff16\uff17\uff18",
        "\uff08\uff10\uff13\uff09\uff11\uff12\uff13\uff14\uff0d\uff15\uff16\uff17\uff18",
        "06\u202f12\u202f34\u202f56\u202f78",  # French narrow no-break spaces
        "+44\u200920\u20097946\u20090958",  # thin spaces
        "\uff10\uff19\uff10\u3000\uff11\uff12\uff13\uff14\u3000\uff15\uff16\uff17\uff18",
    ],
)
def test_phone_numbers_with_unicode_dashes_and_spaces_are_masked(text):
    """Dashes, spaces and brackets other than ASCII's (full-width ones are how
    Japanese and Chinese input methods type a number) part a number alike."""
    assert mask_contacts(text) == PHONE_MASK


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0171/1234567", PHONE_MASK),
        ("Tel. 030/12345678", f"Tel. {PHONE_MASK}"),
        ("Fax 089/123 456 78.", f"Fax {PHONE_MASK}."),
        ("+49 171/1234567", PHONE_MASK),
        ("see 01/02/2024", "see 01/02/2024"),
        ("012/345", "012/345"),
        ("https://example.com/0171/1234567", "https://example.com/0171/1234567"),
    ],
)
def test_an_area_code_parted_by_a_slash_is_masked(text, expected):
    """German and Austrian numbers are often written "030/1234567"."""
    assert mask_contacts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://wa.me/15551234567", f"https://wa.me/{PHONE_MASK}"),
        ("[chat](https://wa.me/447946095800)", f"[chat](https://wa.me/{PHONE_MASK})"),
        ("https://t.me/+15551234567", f"https://t.me/{PHONE_MASK}"),
        (
            "https://api.whatsapp.com/send?phone=15551234567&text=hi",
            f"https://api.whatsapp.com/send?phone={PHONE_MASK}&text=hi",
        ),
        ("viber://chat?number=%2B15551234567", f"viber://chat?number={PHONE_MASK}"),
        ("https://example.com/?id=123456789", "https://example.com/?id=123456789"),
        ("https://t.me/s/channel/1234567", "https://t.me/s/channel/1234567"),
    ],
)
def test_a_phone_number_in_a_chat_link_is_masked(text, expected):
    """A path or a query value is left alone, unless it is the number of a
    click-to-chat link."""
    assert mask_contacts(text) == expected


NOT_PHONES = [
    "SQLite 3.45.1 is out",
    "version 1.2.3.4567",
    "1000000 rows",
    "1 000 000 rows",
    "10 000 000 rows",
    "in 2024 2025 2026",
    "192.168.100.200 is my router",
    "on 2024-06-23 at 12:30",
    "23.06.2024",
    "06/23/2024",
    "pi is 3.14159265",
    "price $1 234 567",
    "ISBN 978-3-16-148410-0",
    "ISBN 9780306406157 and 979-1234567896",
    "https://example.com/1234567890",
    "?id=123456789",
    "port 8080",
    "12:30:45.123456",
    "uuid 550e8400-e29b-41d4-a716-446655440000",
    "commit 1a2b3c4d5e6f7a8b9c0d",
    "50% of 1234567 is a lot",
    "#1234567 is the issue",
    "1 000 000 000 000 000 000 bytes",
    "from 1999 2000 2001 2002 2003",
    "0 1 1 2 3 5 8 13 21 34 55 89 144 233",
    "10.0.0.1 10.0.0.2 10.0.0.3",
    "2024-06-23 2024-06-24 2024-06-25",
    "on 2024\u201306\u201323",
    "from 1999\u20132024",
    "10\u202f000\u202f000 rows",
    "\uff12\uff10\uff12\uff14\uff0d\uff10\uff16\uff0d\uff12\uff13",
]


@pytest.mark.parametrize("text", NOT_PHONES)
def test_numbers_that_are_not_phones_are_kept(text):
    assert mask_contacts(text) == text


# Each way Markdown (or a browser, for a link) decodes what was typed, and
# what the page showed before masking read the text that way.
ENCODED_CONTACTS = [
    # (typed, stored, shown unmasked)
    ("Mail jane.doe&#64;example.com", f"Mail {EMAIL_MASK}", "jane.doe@example.com"),
    ("Mail jane.doe&#x40;example.com", f"Mail {EMAIL_MASK}", "jane.doe@example.com"),
    ("Mail jane.doe&commat;example.com", f"Mail {EMAIL_MASK}", "jane.doe@example.com"),
    (r"Mail jane.doe\@example.com", f"Mail {EMAIL_MASK}", "jane.doe@example.com"),
    ("jane&period;doe&#64;example&#46;com", EMAIL_MASK, "jane.doe@example.com"),
    (r"jane\_doe@example.com", EMAIL_MASK, "jane_doe@example.com"),
    ("jane&#xFF20;example.com", EMAIL_MASK, "jane＠example.com"),
    ("jane&lt;at&gt;example&lt;dot&gt;com", EMAIL_MASK, "jane<at>example<dot>com"),
    ("[me](mailto:jane%40example.com)", f"[me](mailto:{EMAIL_MASK})", "jane@"),
    ("<mailto:jane&#64;example.com>", f"<mailto:{EMAIL_MASK}>", "jane@"),
    # Bleach writes the text "&#64;" back as a reference the browser decodes.
    ("jane&amp;#64;example.com", EMAIL_MASK, "jane@example.com"),
    # Shown as "&#64;" in code or after "&amp;amp;": a person reads "@".
    ("`jane&#64;example.com`", f"`{EMAIL_MASK}`", "jane&#64;example.com"),
    ("jane&amp;amp;#64;example.com", EMAIL_MASK, "jane&#64;example.com"),
    ("Call &#43;44 20 7946 0958 today", f"Call {PHONE_MASK} today", "+44 20"),
    ("Call &plus;44 20 7946 0958", f"Call {PHONE_MASK}", "+44 20"),
    (r"Call \+44 20 7946 0958", f"Call {PHONE_MASK}", "+44 20"),
    ("Call +44&nbsp;20&nbsp;7946&nbsp;0958", f"Call {PHONE_MASK}", "7946"),
    ("Call &#53;&#53;&#53;-123-4567", f"Call {PHONE_MASK}", "555-123"),
    (r"Call 555\-123\-4567", f"Call {PHONE_MASK}", "555-123"),
    ("Call 555&#x2D;123&#x2D;4567", f"Call {PHONE_MASK}", "555-123"),
]
ENCODED_IDS = [typed for typed, _, _ in ENCODED_CONTACTS]


def shows(html: str, contact: str) -> bool:
    """Whether a page shows the contact, in its text or in a link."""
    text = unescape(re.sub(r"<[^>]*>", "", html)).replace("\u00a0", " ")
    links = unquote(unescape(" ".join(re.findall(r'href="([^"]*)"', html))))
    return contact in text or contact in links


@pytest.mark.parametrize(
    ("typed", "stored", "shown"), ENCODED_CONTACTS, ids=ENCODED_IDS
)
def test_contacts_are_masked_however_they_are_encoded(typed, stored, shown):
    assert shows(render_comment(typed), shown)  # what the page would show
    assert mask_contacts(typed) == stored
    assert not shows(render_comment(stored), shown)


@pytest.mark.parametrize(
    ("typed", "stored", "shown"), ENCODED_CONTACTS, ids=ENCODED_IDS
)
def test_the_rendered_html_is_masked_on_its_own_too(typed, stored, shown):
    html = mask_html(render_comment(typed))
    assert not shows(html, shown)
    assert EMAIL_MASK in html or PHONE_MASK in html


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("jane\u200b@example.com", "jane@example.com"),  # zero width space
        ("jane@exam\u00adple.com", "jane@example.com"),  # soft hyphen
        ("jane@example\u2060.com", "jane@example.com"),  # word joiner
        ("jane\ufeff@example.com", "jane@example.com"),  # byte order mark
        ("jane\u034f@example.com", "jane@example.com"),  # combining grapheme joiner
        ("jane\ufe0f@example.com", "jane@example.com"),  # variation selector
        ("ja\U000e0041ne@example.com", "jane@example.com"),  # a tag character
        ("Call 555\u034f123\u034f4567", "5551234567"),
        ("jane@example&#8203;.com", "jane@example.com"),
        ("jane@example&shy;.com", "jane@example.com"),
        ("Call 555\u200b123\u200b4567", "5551234567"),
        ("Call 0612\u200c345678", "0612345678"),
        ("jane@example\uff0ecom", "jane@example"),  # a full-width dot
        ("jane@example\u3002com", "jane@example"),  # an ideographic full stop
    ],
)
def test_contacts_with_invisible_characters_inside_are_masked(typed, shown):
    """A character that shows as nothing, or as a dot, hides nothing from a reader."""
    html = render_comment(mask_contacts(typed))
    assert not shows(re.sub(IGNORABLE, "", html), shown)


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("感谢@小明。这篇文章很好。", "感谢@小明。这篇文章很好。"),
        ("引用@李四。他说得对", "引用@李四。他说得对"),
        ("田中さん@東京。よろしく", "田中さん@東京。よろしく"),
        ("请联系 jane@example.com。谢谢", f"请联系 {EMAIL_MASK}。谢谢"),
        ("メール jane@example.co.jp。よろしく", f"メール {EMAIL_MASK}。よろしく"),
    ],
)
def test_a_full_stop_ending_a_chinese_or_japanese_sentence_is_no_dot(typed, masked):
    """Those scripts put no space after their full stop: what follows it is the
    next sentence, not a host name, and stays shown."""
    assert mask_contacts(typed) == masked


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        # Markup between the characters of a contact: the page reads it whole.
        ("jane@*example*.com", "jane@"),
        ("jane@**exa**mple.com", "jane@"),
        ("[jane@](https://x.example)example.com", "jane@"),
        ("Call +44 *20* 7946 0958", "+44"),
        ("jane%EF%BC%A0example.com", "jane"),  # the linkifier cuts it in two
    ],
)
def test_the_rendered_html_is_read_across_inline_tags(typed, shown):
    html = mask_html(render_comment(typed))
    assert not shows(html, shown)
    assert html.count("<") == html.count(">")  # still whole tags


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Mail jane@*example*.com today", f"Mail {EMAIL_MASK} today"),
        ("jane@**exa**mple.com", EMAIL_MASK),
        # A mark before the address is not part of it.
        ("`jane`@example.com", f"`{EMAIL_MASK}"),
        ("*jane*@example.com.", f"*{EMAIL_MASK}."),
        ("jane&#64;*example*.com", EMAIL_MASK),
        ("jane at *example* dot com", EMAIL_MASK),
    ],
)
def test_marks_inside_an_address_do_not_keep_it_in_the_source(typed, stored):
    """What the page reads whole is masked where it is stored, not only shown."""
    assert mask_contacts(typed) == stored


@pytest.mark.parametrize(
    "text",
    [
        "*Thanks* @everyone, see _docs_ and `@app.route`",
        "**bold** and snake_case_name @ home",
        "a_b@localhost and x*y@z",
        "1_000_000_000 rows and 10*1000*1000 bytes, ~2024~",
    ],
)
def test_marks_near_no_address_are_kept(text):
    assert mask_contacts(text) == text


@pytest.mark.parametrize(
    "text",
    [
        r"1\. not a list",
        r"a\*b\* and \_c\_",
        "&lt;div&gt; and AT&amp;T &copy; 2024",
        "`&#64;app.route` and &#64;app.route",
        "SQLite 3&period;45&period;1 and version&nbsp;1.2.3.4567",
        "100% sure, 50%25 off, caf&eacute; at 12:30",
        "&notanentity; stays &#x1F600;",
        "in *2024* 2025 2026",
        "para jane@\n\nexample.com",
        "[x](https://example.com/1234567890?a=1&b=2)",
        "`a < b && c`",
    ]
    + NOT_EMAILS
    + NOT_PHONES,
)
def test_encoded_text_with_no_contact_is_kept_as_typed_and_as_shown(text):
    assert mask_contacts(text) == text
    html = render_comment(text)
    assert mask_html(html) == html


def test_masking_keeps_the_rest_of_a_long_comment():
    text = "First line.\n\nWrite to a.b@example.com or call 555-123-4567.\nBye"
    assert mask_contacts(text) == (
        f"First line.\n\nWrite to {EMAIL_MASK} or call {PHONE_MASK}.\nBye"
    )


def test_email_hash_is_keyed_and_normalised():
    one = privacy.hash_email(" Jane@Example.com ", KEY)
    assert one == privacy.hash_email("jane@example.com", KEY)
    assert one != privacy.hash_email("jane@example.com", "another site")
    assert one not in {
        hashlib.md5(b"jane@example.com").hexdigest(),
        hashlib.sha256(b"jane@example.com").hexdigest(),
    }
    assert len(one) == 64
    assert privacy.hash_email("", KEY) == ""


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("203.0.113.9", "::ffff:203.0.113.9"),
        ("2001:db8::1", "2001:DB8:0:0:0:0:0:1"),
        (" 203.0.113.9 ", "203.0.113.9"),
        # Some proxies (Azure's gateway, IIS's ARR) give the client's port too.
        ("203.0.113.9:50312", "203.0.113.9"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
    ],
)
def test_ip_hash_is_the_same_for_every_spelling_of_an_address(one, other):
    assert privacy.hash_ip(one, KEY) == privacy.hash_ip(other, KEY)


@pytest.mark.parametrize(
    ("address", "sender", "prefix"),
    [
        ("203.0.113.9", "203.0.113.9", "203.0.113.0/24"),
        ("::ffff:203.0.113.9", "203.0.113.9", "203.0.113.0/24"),
        ("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd:12::/64", "2001:db8:abcd::/48"),
        ("2001:DB8:ABCD:12::99", "2001:db8:abcd:12::/64", "2001:db8:abcd::/48"),
        ("::1", "::/64", "::/48"),
        ("203.0.113.9:50312", "203.0.113.9", "203.0.113.0/24"),
        ("[2001:db8:abcd:12::99]:443", "2001:db8:abcd:12::/64", "2001:db8:abcd::/48"),
        ("not an address", "not an address", ""),
        ("", "", ""),
    ],
)
def test_the_sender_and_the_network_kept_of_an_address(address, sender, prefix):
    # An IPv6 sender is its /64; what is kept to show is the /48 (IPv4: /24).
    assert privacy.sender(address) == sender
    assert privacy.truncate_ip(address) == prefix


def test_addresses_one_ipv6_host_may_pick_hash_alike_and_no_others():
    same_host = ["2001:db8:1:2::1", "2001:db8:1:2:aaaa:bbbb:cccc:dddd"]
    assert len({privacy.hash_ip(address, KEY) for address in same_host}) == 1
    other_network = privacy.hash_ip("2001:db8:1:3::1", KEY)
    assert other_network != privacy.hash_ip(same_host[0], KEY)


def test_ip_hash_is_keyed():
    assert privacy.hash_ip("203.0.113.9", KEY) != privacy.hash_ip("203.0.113.9", "k2")
    assert privacy.hash_ip("203.0.113.9", KEY) != privacy.hash_ip("203.0.113.8", KEY)
    assert privacy.hash_ip("", KEY) == ""


def test_protect_keeps_nothing_raw_but_the_body_it_masked():
    kept = privacy.protect(
        "Mail jane@example.com", "jane@example.com", "203.0.113.9", KEY
    )
    assert kept.body == f"Mail {EMAIL_MASK}"
    assert kept.email_hash == privacy.hash_email("jane@example.com", KEY)
    assert kept.ip_hash == privacy.hash_ip("203.0.113.9", KEY)
    assert kept.ip_prefix == "203.0.113.0/24"
    assert "203.0.113.9" not in repr(kept)
    assert "jane@example.com" not in repr(kept)
    assert kept.verdict.check == "privacy"
    assert kept.verdict.outcome is Outcome.PASS
    assert "1 email" in kept.verdict.reason


def test_protect_does_not_count_masks_the_commenter_typed():
    kept = privacy.protect(f"I wrote {EMAIL_MASK} myself", "a@example.com", "", KEY)
    assert kept.verdict.reason.startswith("masked 0 email")
    assert kept.ip_hash == "" and kept.ip_prefix == ""


@pytest.mark.parametrize(
    "text",
    [
        "a" * 65_000 + "@",
        "1" * 65_000 + "a",
        "1 " * 32_000 + "x",
        "look at it " * 6_000,
        "a@" + "b." * 32_000,
        "(1" * 30_000,
    ],
)
def test_hostile_long_input_is_handled(text):
    masked = mask_contacts(text)
    assert isinstance(masked, str) and masked


@pytest.mark.parametrize("unit", worst_cases.ENDLESS_NUMBERS)
def test_a_longest_comment_of_numbers_that_never_end_holds_no_phone(unit):
    text = worst_cases.endless(unit)
    assert mask_contacts(text) == text


@pytest.mark.parametrize(
    "html",
    [
        # A linkifier that could not read "&#64;" linked the address's host.
        'ann@<a href="http://example.com" rel="nofollow ugc noopener">example.com</a>',
        'call <a href="tel:5551234567">555</a>-123-4567',
    ],
)
def test_a_link_made_of_part_of_a_contact_keeps_no_address(html):
    masked = mask_html(html)
    assert "example.com" not in masked and "5551234567" not in masked
    assert masked.count("<a") == masked.count("</a>")
