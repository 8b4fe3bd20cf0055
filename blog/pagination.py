"""Pages of a query, with the page number checked before any query runs."""

import math
from dataclasses import dataclass
from urllib.parse import urlencode


class PageNotFound(LookupError):
    """A page number past the last page."""


class BadPageNumber(ValueError):
    """A page number that is not a positive whole number."""


MAX_PAGE = 1_000_000


def page_number(raw: str | None) -> int:
    if raw is None or raw == "":
        return 1
    if not raw.isascii() or not raw.isdigit() or len(raw) > 7:
        raise BadPageNumber(f"page must be a whole number from 1 to {MAX_PAGE}")
    number = int(raw)
    if not 1 <= number <= MAX_PAGE:
        raise BadPageNumber(f"page must be a whole number from 1 to {MAX_PAGE}")
    return number


def page_query(args: list[tuple[str, str]], number: int, name: str = "page") -> str:
    """The query string of page number of a listing: no number for page 1,
    one number written plainly otherwise, the other arguments kept."""
    kept, seen = [], False
    for key, value in args:
        if key == name:
            # In its place: arguments in another order would be another address.
            if not seen and number > 1:
                kept.append((name, str(number)))
            seen = True
        else:
            kept.append((key, value))
    return urlencode(kept)


@dataclass
class Page:
    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(query, number: int, per_page: int) -> Page:
    return counted_page(
        query.count(),
        number,
        per_page,
        lambda limit, offset: list(query.limit(limit).offset(offset)),
    )


def counted_page(total: int, number: int, per_page: int, fetch) -> Page:
    """Page number of total items; fetch(limit, offset) reads its items."""
    page = Page([], number, per_page, total)
    if number > page.pages:
        raise PageNotFound(f"there is no page {number}")
    page.items = fetch(per_page, (number - 1) * per_page)
    return page
