"""Image uploads: checked by their content, kept in the media folder.

A file is accepted when its first bytes are those of a PNG, JPEG, GIF or WebP
image, whatever its name or declared type says; it is stored under a name we
make (YYYY/MM/slug.ext, the extension from the content) and served at /media/.
SVG is refused, not sanitised: it is a document that can carry script, and a
sanitiser that misses one construct turns an upload into stored XSS.
"""

import datetime
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from slugify import slugify

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
KINDS = ("png", "jpg", "gif", "webp")


class MediaError(ValueError):
    """A file that cannot be stored or removed; the message says why."""


class TooLarge(MediaError):
    """A file over the size limit (413 over HTTP)."""


def sniff(head: bytes) -> str | None:
    """The image type the first bytes announce, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


@dataclass(frozen=True)
class MediaFile:
    path: str  # relative to the media folder, POSIX
    size: int
    modified: datetime.datetime

    @property
    def url(self) -> str:
        return f"/media/{self.path}"

    @property
    def markdown(self) -> str:
        alt = PurePosixPath(self.path).stem.replace("-", " ")
        return f"![{alt}]({self.url})"


def save(data: bytes, filename: str, media_dir, max_bytes: int, now=None) -> MediaFile:
    """Store an uploaded image; raise MediaError if it is not one or is too big."""
    if not data:
        raise MediaError("the file is empty")
    if len(data) > max_bytes:
        raise TooLarge(f"images may be at most {max_bytes // 1024 // 1024} MB")
    kind = sniff(data[:16])
    if kind is None:
        raise MediaError("only PNG, JPEG, GIF and WebP images are accepted (no SVG)")
    now = now or datetime.datetime.now(datetime.UTC)
    folder = Path(media_dir) / f"{now:%Y}" / f"{now:%m}"
    folder.mkdir(parents=True, exist_ok=True)
    stem = slugify(PurePosixPath(filename or "").stem)[:80] or "image"
    target = _write_new(folder, stem, kind, data)
    return _describe(Path(media_dir), target)


def _write_new(folder: Path, stem: str, kind: str, data: bytes) -> Path:
    """Write under the first free name: stem.ext, stem-2.ext, ..."""
    for number in range(1, 1000):
        name = f"{stem}.{kind}" if number == 1 else f"{stem}-{number}.{kind}"
        try:
            fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return folder / name
    raise MediaError("too many files with that name")


def _describe(media_dir: Path, path: Path) -> MediaFile:
    info = path.stat()
    return MediaFile(
        path=path.relative_to(media_dir).as_posix(),
        size=info.st_size,
        modified=datetime.datetime.fromtimestamp(info.st_mtime, datetime.UTC),
    )


def library(media_dir) -> list[MediaFile]:
    """Every uploaded image, newest first."""
    media_dir = Path(media_dir)
    if not media_dir.is_dir():
        return []
    found = [
        _describe(media_dir, path)
        for path in media_dir.rglob("*")
        if path.is_file() and path.suffix.lstrip(".") in KINDS
    ]
    return sorted(found, key=lambda item: (item.modified, item.path), reverse=True)


def resolve(media_dir, relative: str) -> Path:
    """The file a library path names; MediaError if it is outside the folder."""
    media_dir = Path(media_dir).resolve()
    target = (media_dir / relative).resolve()
    # os.path.isfile: Path.is_file raises on a name too long for the file system.
    if media_dir not in target.parents or not os.path.isfile(target):
        raise MediaError("there is no such file")
    return target


def delete(media_dir, relative: str) -> str:
    target = resolve(media_dir, relative)
    target.unlink()
    return target.relative_to(Path(media_dir).resolve()).as_posix()
