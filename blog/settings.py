"""Site settings stored in the database, each with a default, check and help."""

import json
import math
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .db import serialise
from .models import Setting
from .prepared import Prepared


class SettingError(ValueError):
    """A value a setting does not accept; the message gives the allowed range."""


@dataclass(frozen=True)
class Definition:
    key: str
    default: Any
    help: str
    group: str = "site"
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple = ()

    def parse(self, value):
        """Turn text (from the CLI or a form) or a JSON value into a checked value."""
        kind = type(self.default)
        try:
            if kind is bool:
                parsed = as_bool(value)
            elif kind is int:
                parsed = _as_int(value)
            elif kind is float:
                parsed = _as_float(value)
            elif kind is list:
                parsed = _as_list(value)
            else:
                parsed = self._choice(str(value).strip())
        except (TypeError, ValueError) as error:
            raise self.refuse(value) from error
        _check_encoding(self.key, parsed)
        self.check(parsed)
        return parsed

    def _choice(self, text: str) -> str:
        """One of the choices in any case, as listed ("Newest" is "newest")."""
        return next((c for c in self.choices if c.casefold() == text.casefold()), text)

    def allowed(self) -> str:
        """The values this setting takes, in words, for every refusal."""
        kind = type(self.default)
        if kind is bool:
            return "true or false (or yes/no, on/off, 1/0)"
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if kind is list:
            return "a list: one item a line, or items separated by commas"
        if self.key == "timezone":
            return "a time zone name such as Europe/Paris or UTC"
        if self.key == "theme":
            return "the name of an installed theme, or empty"
        if kind not in (int, float):
            return "text"
        noun = "a whole number" if kind is int else "a number"
        if self.minimum is not None and self.maximum is not None:
            return f"{noun} from {self.minimum} to {self.maximum}"
        if self.minimum is not None:
            return f"{noun} of at least {self.minimum}"
        if self.maximum is not None:
            return f"{noun} of at most {self.maximum}"
        return noun

    def shown_default(self) -> str:
        """The default in a form's words: a checkbox is on or off."""
        if isinstance(self.default, bool):
            return "on" if self.default else "off"
        if isinstance(self.default, list):
            return ", ".join(self.default) or "none"
        return str(self.default) if self.default != "" else "empty"

    def refuse(self, value) -> "SettingError":
        return SettingError(
            f"{self.key}: must be {self.allowed()}, not {_shown(value)}"
        )

    def check(self, value):
        if isinstance(value, float) and not math.isfinite(value):
            raise self.refuse(value)
        if self.minimum is not None and value < self.minimum:
            raise self.refuse(value)
        if self.maximum is not None and value > self.maximum:
            raise self.refuse(value)
        if self.choices and value not in self.choices:
            raise self.refuse(value)
        if self.key == "timezone":
            try:
                ZoneInfo(value)
            # OSError: a folder of the zone database ("America"), or too long a name.
            except (ZoneInfoNotFoundError, ValueError, OSError) as error:
                raise self.refuse(value) from error


def _shown(value) -> str:
    """A refused value as typed, cut short: a pasted page echoed whole would
    bury the message."""
    text = repr(value)
    if len(text) <= 60:
        return text
    return f"{text[:40]}... ({len(str(value))} characters)"


def _check_encoding(key: str, value):
    """Refuse text that cannot be written out: a shell whose encoding is not
    UTF-8 hands Python its bytes as surrogates, and a title holding one made
    every page (the error page too) fail to encode."""
    for text in value if isinstance(value, list) else [value]:
        if isinstance(text, str):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise SettingError(
                    f"{key}: not valid UTF-8 text (is the terminal's encoding UTF-8?)"
                ) from None


def as_bool(value) -> bool:
    """A yes/no word, as settings and front matter read it; ValueError if not."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(value)


# Plain ASCII digits: int() and float() also take "1_0", full-width and other
# scripts' digits, which nobody means in a setting.
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _as_int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(value)
    if isinstance(value, str) and not _INT.fullmatch(value.strip()):
        raise ValueError(value)
    return int(value)


def _as_float(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(value)
    if isinstance(value, str) and not _FLOAT.fullmatch(value.strip().lower()):
        raise ValueError(value)
    return float(value)


def _as_list(value) -> list:
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    # One per line; on one line (the command line), separated by commas.
    text = str(value)
    items = text.splitlines() if "\n" in text else text.split(",")
    return [item.strip() for item in items if item.strip()]


DEFINITIONS: dict[str, Definition] = {}


def define(*definitions: Definition):
    for definition in definitions:
        DEFINITIONS[definition.key] = definition


# (lower, upper): settings that make sense only in this order.
ORDERED: list[tuple[str, str]] = []


def out_of_order(values: dict, changed) -> dict[str, str]:
    """Messages, by the changed setting, for pairs the values put out of order."""
    messages = {}
    for lower, upper in ORDERED:
        if values[lower] > values[upper]:
            key = lower if lower in changed else upper
            other = upper if key == lower else lower
            relation = "at most" if key == lower else "at least"
            messages[key] = f"{key}: must be {relation} {other} ({values[other]})"
    return messages


define(
    Definition("title", "Field Notes", "The site's name, in the header and feeds."),
    Definition(
        "tagline", "Notes on running a small site well", "A line under the title."
    ),
    Definition("author", "", "Author shown on posts that name none."),
    Definition(
        "date_format",
        "%a. %b %o, %Y",
        "strftime format for dates; %o is the day with its ordinal (23rd).",
    ),
    Definition(
        "timezone", "UTC", "Time zone of dates shown and of front matter dates."
    ),
    Definition(
        "posts_per_page",
        10,
        "Posts on the home page and archives.",
        minimum=1,
        maximum=100,
    ),
    Definition(
        "related_count", 5, "Related posts shown under a post.", minimum=0, maximum=20
    ),
    Definition("theme", "", "Active theme; empty means the BLOG_THEME configuration."),
)


# Read again whenever another worker published or changed a setting: built
# once, it costs a tenth of what peewee models did.
_STORED = Prepared(lambda: Setting.select(Setting.key, Setting.value))


class Settings:
    """Reads every setting with one query and keeps them until told to reload."""

    def __init__(self):
        self._values: dict = {}
        self._rows: list | None = None  # the stored rows self._values was made from
        self._fresh = False

    def reload(self):
        self._fresh = False

    def all(self) -> dict:
        if not self._fresh:
            rows = _STORED.execute().fetchall()
            # Most reloads follow publishing, not a setting: the same rows need
            # not be decoded and merged with the defaults again.
            if rows != self._rows:
                stored = {key: json.loads(value) for key, value in rows}
                self._values = {
                    key: stored.get(key, definition.default)
                    for key, definition in DEFINITIONS.items()
                }
                self._rows = rows
            self._fresh = True
        return self._values

    def __getitem__(self, key: str):
        return self.all()[key]

    def set(self, key: str, value) -> Any:
        return self.set_many({key: value})[key]

    def set_many(self, changes: dict) -> dict:
        """Store several settings, their order checked together: raising both
        of an ordered pair one at a time would put them out of order midway."""
        parsed = {}
        for key, value in changes.items():
            definition = DEFINITIONS.get(key)
            if definition is None:
                raise SettingError(f"unknown setting {key!r}")
            parsed[key] = definition.parse(value)
        # What another worker stored since this one last read: checked against
        # a stale cache, a pair would be stored out of order after all. On
        # PostgreSQL two saves could each read before the other wrote, so they
        # take turns (SQLite's write transaction already locks at BEGIN).
        serialise("settings")
        self.reload()
        for message in out_of_order({**self.all(), **parsed}, parsed).values():
            raise SettingError(message)
        for key, value in parsed.items():
            # An upsert both SQLite and PostgreSQL accept (PostgreSQL has no REPLACE).
            Setting.insert(key=key, value=json.dumps(value)).on_conflict(
                conflict_target=[Setting.key], preserve=[Setting.value]
            ).execute()
        self.reload()
        return parsed
