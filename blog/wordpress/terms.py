"""Categories (nested) and tags of a WordPress import, and their old addresses."""

from urllib.parse import unquote

from slugify import slugify

from .. import markup
from ..term_models import Category, Tag
from . import wxr
from .report import Report, Tally

MAX_NESTING = 32


class Terms:
    """Finds or makes the Category and Tag rows of one import, by WordPress slug."""

    def __init__(self, report: Report):
        self.report = report
        self.categories: dict[str, int] = {}  # WordPress nicename -> our id
        self.tags: dict[str, int] = {}
        # nicename -> (parent nicename, our slug, WordPress term id)
        self._category_paths: dict[str, tuple[str, str, int | None]] = {}
        self._tag_paths: dict[str, tuple[str, int | None]] = {}
        self._parents: list[tuple[int, str, str]] = []

    def category(self, term: wxr.Term):
        tally = self.report["categories"]
        tally.found += 1
        row, created = self._find_or_make(Category, term, tally, "category")
        self.categories[term.slug] = row.id
        self._category_paths[term.slug] = (term.parent, row.slug, term.term_id)
        if created and term.parent:
            self._parents.append((row.id, term.slug, term.parent))

    def tag(self, term: wxr.Term):
        tally = self.report["tags"]
        tally.found += 1
        row, _created = self._find_or_make(Tag, term, tally, "tag")
        self.tags[term.slug] = row.id
        self._tag_paths[term.slug] = (row.slug, term.term_id)

    def for_item(self, item: wxr.Item) -> tuple[set[int], set[int]]:
        """Our category and tag ids for an item's terms, making any undeclared one."""
        categories, tags = set(), set()
        for domain, nicename, name in item.terms:
            if domain == "category":
                categories.add(self._inline(Category, nicename, name, self.categories))
            elif domain == "post_tag":
                tags.add(self._inline(Tag, nicename, name, self.tags))
        return categories, tags

    def finish(self, redirects: dict[str, str]):
        """Link parents and list old addresses, once every declared term is read."""
        for row_id, nicename, parent in self._parents:
            parent_id = self.categories.get(parent)
            if parent_id is None or parent_id == row_id:
                self.report.notes.append(
                    f"category {nicename!r}: its parent {parent!r} is not in the "
                    "file; left at the top level"
                )
                continue
            Category.update(parent=parent_id).where(Category.id == row_id).execute()
        self._parents = []
        for nicename, (_parent, slug, term_id) in self._category_paths.items():
            _remember_term(
                redirects, "category", self._wp_path(nicename), slug, term_id
            )
        for nicename, (slug, _term_id) in self._tag_paths.items():
            _remember_term(redirects, "tag", unquote(nicename), slug, None)

    def _wp_path(self, nicename: str) -> str:
        """WordPress's path of a category: its ancestors' slugs, then its own."""
        chain = [unquote(nicename)]
        parent = self._category_paths[nicename][0]
        while parent in self._category_paths and len(chain) < MAX_NESTING:
            chain.insert(0, unquote(parent))
            parent = self._category_paths[parent][0]
        return "/".join(chain)

    def _find_or_make(self, model, term: wxr.Term, tally: Tally, label: str):
        if term.term_id is not None:
            row = model.get_or_none(model.wp_id == term.term_id)
            if row is not None:
                tally.existing += 1
                return row, False
        name = plain(term.name)[:100] or unquote(term.slug)[:100]
        wanted = clean_slug(term.slug)[:120] or slugify(name)[:120]
        wanted = wanted or f"{label}-{term.term_id}"
        same = model.get_or_none((model.slug == wanted) & model.wp_id.is_null())
        tally.imported += 1
        if same is not None:
            same.wp_id = term.term_id
            same.save()
            self.report.notes.append(
                f"{label} {wanted!r} joined the existing {label} with that slug"
            )
            return same, False
        slug = _free_slug(model, wanted)
        return model.create(name=name, slug=slug, wp_id=term.term_id), True

    def _inline(self, model, nicename: str, name: str, known: dict) -> int:
        key = nicename or slugify(name)
        if key not in known:
            label = "category" if model is Category else "tag"
            term = wxr.Term(label, None, key, name)
            row, _created = self._find_or_make(model, term, _Uncounted(), label)
            self.report.notes.append(
                f"{label} {key!r} is used by an item but not declared in the file: "
                "created"
            )
            known[key] = row.id
            if model is Category:
                self._category_paths[key] = ("", row.slug, None)
            else:
                self._tag_paths[key] = (row.slug, None)
        return known[key]


class _Uncounted(Tally):
    """Terms found inside items are not part of the file's declared counts."""


def _remember_term(redirects, base: str, old: str, slug: str, term_id):
    new = f"/{base}/{slug}/"
    if f"/{base}/{old}/" != new:
        redirects[f"/{base}/{old}/"] = new
    redirects[f"/{base}/{old}/feed/"] = f"{new}feed/atom/"
    if term_id is not None:
        redirects[f"/?cat={term_id}"] = new


def _free_slug(model, wanted: str) -> str:
    candidate, number = wanted, 1
    while model.select().where(model.slug == candidate).exists():
        number += 1
        candidate = f"{wanted[:110]}-{number}"
    return candidate


def clean_slug(slug: str) -> str:
    """A slug as WordPress makes them: letters of any script, digits, "-" and
    "_". A hand-made "a/b", "what?" or ".." would give an address nothing
    reaches."""
    return slugify(
        unquote(slug), allow_unicode=True, lowercase=False, regex_pattern=r"[^\w-]+"
    )


def plain(text: str) -> str:
    """The text of a title or name WordPress stored as HTML."""
    if "<" not in text and "&" not in text:
        return text.strip()  # most titles: no need to parse them
    return markup.plain_text(text).strip()
