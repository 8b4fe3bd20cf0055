"""What an import found, did and left out: counts per type, reasons, orphans."""

from collections import Counter
from dataclasses import dataclass, field

from .wxr import WXRError

KINDS = (
    "posts",
    "pages",
    "categories",
    "tags",
    "comments",
    "attachments",
    "other items",
    "other terms",
)
COMMENT_STATES = ("approved", "pending", "spam", "deleted")


@dataclass
class Tally:
    """One kind of record: found in the file, imported now, imported before, skipped."""

    found: int = 0
    imported: int = 0
    existing: int = 0
    skipped: Counter = field(default_factory=Counter)

    def skip(self, reason: str):
        self.skipped[reason] += 1

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


@dataclass
class Report:
    source: str
    dry_run: bool = False
    version: str = ""
    site: str = ""
    tallies: dict[str, Tally] = field(
        default_factory=lambda: {kind: Tally() for kind in KINDS}
    )
    # Comments again, by the state they have here (WordPress's trash is "deleted").
    states: dict[str, Tally] = field(
        default_factory=lambda: {state: Tally() for state in COMMENT_STATES}
    )
    notes: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    redirects: int = 0
    post_ids: list[int] = field(default_factory=list)
    error: WXRError | None = None

    def __getitem__(self, kind: str) -> Tally:
        return self.tallies[kind]

    @property
    def ok(self) -> bool:
        return self.error is None

    def format(self) -> str:
        """The report as the command prints it."""
        lines = [self._title()]
        if self.error is not None:
            lines += [f"error: {self.error}", "nothing was imported"]
            return "\n".join(lines)
        lines.append(f"{'':16}{'found':>8}{'imported':>10}{'before':>8}{'skipped':>9}")
        for kind, tally in self.tallies.items():
            lines.append(_row(kind, tally))
            if kind == "comments":
                lines += [_row(f"  {s}", t) for s, t in self.states.items()]
        lines += self._reasons()
        lines.append(f"redirects from old addresses: {self.redirects}")
        lines += _section("notes", self.notes)
        lines += _section("orphans", self.orphans) or ["orphans: none"]
        if self.dry_run:
            lines.append("dry run: nothing was written")
        return "\n".join(lines)

    def _title(self) -> str:
        origin = f" (WXR {self.version}, {self.site})" if self.version else ""
        return f"WordPress import of {self.source}{origin}"

    def _reasons(self) -> list[str]:
        reasons = [
            f"  {count} {kind}: {reason}"
            for kind, tally in self.tallies.items()
            for reason, count in sorted(tally.skipped.items())
        ]
        return ["skipped:", *reasons] if reasons else []


def _row(label: str, tally: Tally) -> str:
    return (
        f"{label:16}{tally.found:>8}{tally.imported:>10}{tally.existing:>8}"
        f"{tally.skipped_total:>9}"
    )


def _section(title: str, lines: list[str]) -> list[str]:
    return [f"{title}:", *(f"  {line}" for line in lines)] if lines else []
