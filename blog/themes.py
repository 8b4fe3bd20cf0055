"""Themes: templates and static files resolved overrides → active → parents → default.

`{% extends "!default/post.html" %}` names one theme's template directly, so a
child theme can replace a single block of its parent's page.
"""

import os
import re
import tomllib
from pathlib import Path, PurePosixPath

from jinja2 import BaseLoader, TemplateNotFound

BASE_THEME = "default"
# A theme is a folder directly under the themes folder, named like a slug.
THEME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class ThemeError(ValueError):
    """A theme that does not exist or names a parent in a loop."""


def theme_chain(themes_dir: Path, name: str) -> list[str]:
    """The theme and its ancestors, ending with the default theme."""
    if not name:
        raise ThemeError("no theme named")
    chain = []
    while name:
        if name in chain:
            loop = " → ".join([*chain, name])
            raise ThemeError(f"theme {chain[0]!r} has a parent loop: {loop}")
        folder = themes_dir / name
        if not THEME_NAME.match(name) or not folder.is_dir():
            raise ThemeError(f"no theme {name!r} under {themes_dir}")
        chain.append(name)
        name = _parent(folder, name)
    return chain


def _parent(folder: Path, name: str) -> str:
    """The parent a theme names; every theme but the default descends from it."""
    if name == BASE_THEME:
        return ""
    meta_file = folder / "theme.toml"
    try:
        meta = tomllib.loads(meta_file.read_text()) if meta_file.exists() else {}
    except tomllib.TOMLDecodeError as error:
        raise ThemeError(f"{meta_file}: {error}") from error
    return str(meta.get("parent") or BASE_THEME)


def check(themes_dir: Path, name: str):
    """Raise ThemeError unless the theme can be made active."""
    theme_chain(themes_dir, name)
    if not (themes_dir / name / "templates").is_dir():
        raise ThemeError(f"theme {name!r} has no templates folder")


def available(themes_dir: Path) -> list[str]:
    """The themes that can be made active: a broken one would not be."""
    usable = []
    for folder in sorted(themes_dir.iterdir()):
        try:
            check(themes_dir, folder.name)
        except ThemeError:
            continue
        usable.append(folder.name)
    return usable


class Themes:
    """Resolves template and static file names through the active theme chain."""

    def __init__(self, themes_dir, active=BASE_THEME, overrides_dir=None):
        self.themes_dir = Path(themes_dir)
        self.overrides_dir = Path(overrides_dir) if overrides_dir else None
        self.activate(active)

    def activate(self, name: str):
        self.chain = theme_chain(self.themes_dir, name)
        self.active = name
        # Static files found through this chain, by the templating module.
        self.static_urls: dict[tuple, tuple] = {}

    def folders(self, kind: str) -> list[Path]:
        """Where to look for templates or static files, first match wins."""
        folders = [self.themes_dir / theme / kind for theme in self.chain]
        if self.overrides_dir:
            folders.insert(0, self.overrides_dir / kind)
        return folders

    def find(self, kind: str, name: str) -> Path | None:
        if name.startswith("!"):
            theme, _, name = name[1:].partition("/")
            if not THEME_NAME.match(theme):
                return None
            folders = [self.themes_dir / theme / kind]
        else:
            folders = self.folders(kind)
        relative = PurePosixPath(name)
        # Names come from URLs: "/etc/passwd" would replace the folder when joined.
        if not name or relative.is_absolute() or ".." in relative.parts:
            return None
        for folder in folders:
            candidate = folder / relative
            # os.path.isfile: Path.is_file raises on a name too long for the
            # file system, and anyone can type one into a URL.
            if os.path.isfile(candidate) and _inside(candidate, folder):
                return candidate
        return None


def _inside(path: Path, folder: Path) -> bool:
    """Whether path, its links followed, stays in folder: a theme from elsewhere
    could link static/key.txt to the instance's secret key."""
    return path.resolve().is_relative_to(folder.resolve())


class ThemeLoader(BaseLoader):
    """A Jinja loader over Themes; a theme switch makes cached templates stale."""

    def __init__(self, themes: Themes):
        self.themes = themes

    def get_source(self, environment, template):
        path = self.themes.find("templates", template)
        if path is None:
            raise TemplateNotFound(template)
        theme, mtime = self.themes.active, os.path.getmtime(path)
        source = path.read_text(encoding="utf-8")

        def uptodate():
            try:
                return theme == self.themes.active and os.path.getmtime(path) == mtime
            except OSError:
                return False

        return source, str(path), uptodate

    def list_templates(self):
        names = set()
        for folder in self.themes.folders("templates"):
            if folder.is_dir():
                names.update(
                    p.relative_to(folder).as_posix() for p in folder.rglob("*.html")
                )
        return sorted(names)
