"""Whether a comment is sent under the name or the email of a staff member.

Readers tell a staff member's comment by its name alone, and the public form
signs nobody in: staff answer from the moderation queue, where a reply is
linked to its author's account. A comment from the form under a user's name,
or one that looks the same, or with a user's email, waits for a moderator
(WordPress asks a registered user's email to sign in instead). It holds and
never sends to spam: a reader may share a name with a staff member.

Every user is staff, whatever their role, and a disabled user too: their name
is still theirs, their comments still show it and they may be enabled again.
A deleted user's name is free. A staff member signed in may send the form
under their own name and email: the session cookie proves who they are.

Names are compared by how they look, not by their characters: case, spaces,
punctuation, accents and invisible characters are left out, and letters of
other alphabets that look like Latin ones (Cyrillic "а", Greek "Ι") are read
as those, as are the digits and letters that look alike in most fonts ("0"
and "o", "1", "l" and "I", "rn" and "m"). Emails are compared by the keyed
hash the pipeline already made of the commenter's, never in clear.
"""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from confusable_homoglyphs.confusables import confusables_data

from ...models import User
from ...prepared import Prepared
from ..privacy import hash_email
from . import Outcome, Verdict


@dataclass(frozen=True)
class Staff:
    """Who a commenter must not pass for: names by their look, email hashes."""

    names: Mapping[str, str] = field(default_factory=dict)  # look -> shown name
    email_hashes: frozenset[str] = frozenset()


NO_STAFF = Staff()

# Pairs in most fonts; confusables.json maps other alphabets to Latin, not
# these (both are Latin), and "I" has become "i" by then.
_ASCII_ALIKE = str.maketrans({"0": "o", "1": "l", "i": "l"})
_SEQUENCES_ALIKE = (("rn", "m"), ("vv", "w"))


@lru_cache(maxsize=4096)
def _latin(char: str) -> str:
    """The Latin letter or digit a character looks like, else the character."""
    if char.isascii():
        return char
    alike = sorted(
        glyph["c"]
        for glyph in confusables_data.get(char, ())
        if len(glyph["c"]) == 1 and glyph["c"].isascii() and glyph["c"].isalnum()
    )
    return alike[0] if alike else char


def look(name: str) -> str:
    """What a name looks like: "Jane Editor", " JANE-editor" and "Jаne Editor"
    (a Cyrillic "а") are one look."""
    # NFKD: full-width and mathematical letters are plain, accents apart.
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(_latin(char) for char in decomposed if char.isalnum())
    seen = letters.casefold().translate(_ASCII_ALIKE)
    for sequence, single in _SEQUENCES_ALIKE:
        seen = seen.replace(sequence, single)
    return seen


@lru_cache(maxsize=4)
def staff_of(users: tuple[tuple[str, str, str], ...], key: str) -> Staff:
    """Staff from (user name, display name, email) rows, emails hashed with key."""
    names: dict[str, str] = {}
    for username, display_name, _email in users:
        shown = display_name or username
        for seen in {look(username), look(display_name)} - {""}:
            names.setdefault(seen, shown)
    hashes = frozenset(hash_email(email, key) for *_, email in users if email)
    return Staff(names, hashes)


def live(key: str, signed_in: int | None = None) -> Staff:
    """The site's staff now, but the signed-in sender, who may comment under
    their own name: one query, the rest cached while users stay."""
    rows = _USERS.execute().fetchall()
    users = (row[1:] for row in rows if row[0] != signed_in)
    return staff_of(tuple(sorted(users)), key)


# Built once: building the query cost peewee ten times what SQLite takes to run it.
_USERS = Prepared(
    lambda: User.select(User.id, User.username, User.display_name, User.email)
)


def check_staff(fields: dict, staff: Staff) -> Verdict:
    """Hold a comment under a staff member's name or email; the email is
    never named in the reason, as moderators need not see it to judge."""
    found = []
    shown = staff.names.get(look(fields.get("author_name") or ""))
    if shown:
        found.append(f'name of a staff member "{shown}"')
    if (fields.get("email_hash") or "") in staff.email_hashes:
        found.append("email of a staff member")
    if found:
        return Verdict("staff", Outcome.HOLD, ", ".join(found))
    return Verdict("staff", Outcome.PASS, "neither a staff member's name nor email")
