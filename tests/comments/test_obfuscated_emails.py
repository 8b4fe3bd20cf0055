"""Addresses written to dodge robots are masked; prose and code that only
resemble one are kept, in the stored text and in the rendered page alike.

Code is read like prose (see blog/comments/emails.py): an address in a code
block is as public as one in a sentence, so it is masked there too, while
what code writes that is no address stays.
"""

import pytest

from blog.comments.privacy import EMAIL_MASK, mask_contacts, mask_html
from blog.markup import render_comment
from tests import worst_cases

OBFUSCATED = [
    ("jane at gmail.com", EMAIL_MASK),
    ("Write to jane at gmail.com. Thanks", f"Write to {EMAIL_MASK}. Thanks"),
    ("jane [at] gmail [dot] com", EMAIL_MASK),
    ("jane(at)gmail(dot)com", EMAIL_MASK),
    ("jane (at) gmail (dot) com", EMAIL_MASK),
    ("jane <at> gmail <dot> com", EMAIL_MASK),
    ("jane AT gmail DOT com", EMAIL_MASK),
    ("jane AT example.org", EMAIL_MASK),
    ("jane @ gmail . com", EMAIL_MASK),
    ("jane @ gmail.com", EMAIL_MASK),
    ("jane@gmail . com", EMAIL_MASK),
    ("jane at gmail . com", EMAIL_MASK),
    ("jane at example dot co dot uk", EMAIL_MASK),
    ("jane [at] example.org", EMAIL_MASK),
    ("jane[@]example[.]org", EMAIL_MASK),
    ("jane (@) example (.) org", EMAIL_MASK),
    ("jane -at- example -dot- org", EMAIL_MASK),
    ("jane /at/ example /dot/ org", EMAIL_MASK),
    ("jane -at- example.org", EMAIL_MASK),
    ("jane.doe at example.org", EMAIL_MASK),
    ("jane_doe at example.org", EMAIL_MASK),
    ("jane+blog at example.org", EMAIL_MASK),
    ("jane at protonmail.com, thanks", f"{EMAIL_MASK}, thanks"),
    # The user name's dots spelt out too: none of it is left showing.
    ("jane dot doe at gmail dot com", EMAIL_MASK),
    ("jane dot doe at gmail.com", EMAIL_MASK),
    ("jane(dot)doe(at)gmail(dot)com", EMAIL_MASK),
    ("jane [dot] doe [at] example [dot] org", EMAIL_MASK),
    ("jane . doe @ gmail . com", EMAIL_MASK),
    ("Mail jane dot m dot doe at gmail dot com now", f"Mail {EMAIL_MASK} now"),
    # A user name of many short parts: 64 characters, 140 spelt out.
    (" [dot] ".join(["jane"] + ["ab"] * 20) + " [at] example [dot] org", EMAIL_MASK),
    ("jean point dupont arobase exemple point fr", EMAIL_MASK),
    # Any host, after words that give an address.
    ("Email me at jane at acme.com", f"Email me at {EMAIL_MASK}"),
    ("my email is jane at acme.com.", f"my email is {EMAIL_MASK}."),
    ("Contact: jane at acme.com", f"Contact: {EMAIL_MASK}"),
    ("write to jane at acme.com", f"write to {EMAIL_MASK}"),
    # Spanish and Portuguese, French, Italian, German, Russian.
    ("jane arroba gmail punto com", EMAIL_MASK),
    ("jane arroba gmail ponto com", EMAIL_MASK),
    ("jane arroba example.es", EMAIL_MASK),
    ("jane (arroba) example (punto) es", EMAIL_MASK),
    ("jean arobase exemple point fr", EMAIL_MASK),
    ("gianni chiocciola esempio punto it", EMAIL_MASK),
    ("max ät example punkt de", EMAIL_MASK),
    ("max (ät) example (punkt) de", EMAIL_MASK),
    ("ivan собака example точка ru", EMAIL_MASK),
]


@pytest.mark.parametrize(("typed", "stored"), OBFUSCATED)
def test_an_obfuscated_address_is_masked(typed, stored):
    assert mask_contacts(typed) == stored
    shown = mask_html(render_comment(typed))
    assert EMAIL_MASK in shown
    assert not {"jane", "jean", "gianni", "max", "ivan"} & set(shown.split())


# Normal technical-blog prose and code: kept as typed.
PROSE_AND_CODE = [
    "meet me at noon. com is down",
    "look at example.com for details",
    "at the end of the day it works",
    "I work at google.com as an engineer",
    "the mail server at mx.example.com answers, email is at the heart of it",
    "Contact form at example.com/contact, reach me on example.com",
    "It is hosted at fly.io and backed up at rsync.net",
    "Posted at news.ycombinator.com and lobste.rs",
    "the docs at docs.python.org/3/library/re.html",
    "have a look at github.com/pallets/flask",
    "Node.js at nodejs.org and config.yaml at github.com",
    "Python 3.12 at python.org, v2.1 at pypi.org",
    "see RFC 5321 at rfc-editor.org, section 4.1.2",
    "what's at stake at this point in time",
    "look at this point in the code",
    "at least 5 at most 10, the price is 5 @ 3 each",
    "I looked at the code at work. Looks fine",
    "I'm at work. Com'on!",
    "Open it at localhost:8000 or at 127.0.0.1:5000",
    "Released at 10.30 on 2024-06-23, version 3.12.1",
    "SQLite 3.45.1 at 12:30:45 UTC",
    "served at 192.168.1.10 and 10.0.0.1",
    "ISBN 978-3-16-148410-0 at $19.99",
    "at 48.8584° N, 2.2945° E",
    "colour #ff8800 at 50% opacity, and #0af",
    "commit 1a2b3c4d5e6f at HEAD~2",
    "it runs at 60 fps at 1920x1080",
    "thanks @everyone and @jane_doe",
    "@app.route('/') and @pytest.fixture",
    "@Override public void run()",
    "@media screen and (max-width: 600px) {}",
    "```\nssh root@192.168.1.10\nssh pi@raspberrypi\n```",
    "git clone git@github.com:pallets/flask.git",
    "`scores = q @ k.transpose(-2, -1)`",
    "    y = X @ self.weights + self.bias",
    "npm install react@18.2.0 @types/node@20.1.0",
    "pip install 'mypkg @ git+https://github.com/me/mypkg.git'",
    "docker pull nginx@sha256:abc123",
    "logo@2x.png and icon@3x.webp",
    "print(f'{user}@{host}')",
    "user@localhost and admin@host",
    "the at sign (@) and the dot (.)",
    "Deployed at v2.example.com at 5 p.m.",
    "Universität Wien, Straße 5. Grüße",
    "state-of-the-art-at-scale.io and https://example.com/at/de/index.html",
    "5 - at - 3 and a / at / b",
]


@pytest.mark.parametrize("text", PROSE_AND_CODE)
def test_prose_and_code_that_resemble_an_address_are_kept(text):
    assert mask_contacts(text) == text
    html = render_comment(text)
    assert mask_html(html) == html


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("```\ngit config user.email jane@example.com\n```", EMAIL_MASK),
        ("`ssh deploy@prod.example.com`", f"`ssh {EMAIL_MASK}`"),
    ],
)
def test_an_address_in_code_is_masked_like_one_in_prose(typed, stored):
    assert stored in mask_contacts(typed)


@pytest.mark.parametrize("unit", worst_cases.NEAR_ADDRESSES)
def test_a_longest_comment_of_near_addresses_holds_none(unit):
    text = worst_cases.repeated(unit)
    assert mask_contacts(text) == text


@pytest.mark.parametrize("at", worst_cases.LONG_HOSTS)
def test_a_longest_comment_of_one_host_with_no_domain_holds_no_address(at):
    text = worst_cases.long_host(at)
    assert mask_contacts(text) == text


@pytest.mark.parametrize("unit", worst_cases.SPELT_USER_NAMES)
def test_a_longest_spelt_user_name_is_masked_a_user_names_length_back(unit):
    text = worst_cases.spelt_user_name(unit)
    kept, masked = mask_contacts(text).split(EMAIL_MASK)
    assert masked == ""
    assert text.startswith(kept)
    # A user name's 64 characters with their spelt dots, and the host.
    assert 64 <= len(text) - len(kept) <= 64 + 6 * 32 + len(worst_cases.SPELT_ADDRESS)
