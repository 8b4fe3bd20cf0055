"""The audit log: who changed what, when, and from which state to which.

Entries are written inside the transaction of the change they describe, so
the log and the data never disagree. Nothing here reads the request: the
caller names the acting user (None for the command line or the site itself).
"""

from dataclasses import dataclass

from .models import AuditEntry, User
from .pagination import Page, paginate

PER_PAGE = 50
# A deleted comment's entry keeps when it was received ("received <time>"),
# so the spam filter's measured quality (blog/dashboard.py) still counts it.
RECEIVED = "received "


def record(
    action: str,
    user: User | None = None,
    *,
    object_type: str = "",
    object_id: int | None = None,
    from_state: str = "",
    to_state: str = "",
    detail: str = "",
    actor: str = "",
) -> AuditEntry:
    """Write one entry; actor defaults to the user's name, else "system"."""
    return AuditEntry.create(
        user=user,
        actor=actor or (user.name if user else "system"),
        action=action,
        object_type=object_type,
        object_id=object_id,
        from_state=str(from_state or ""),
        to_state=str(to_state or ""),
        detail=detail,
    )


@dataclass(frozen=True)
class Filters:
    action: str = ""
    object_type: str = ""
    object_id: int | None = None
    actor: str = ""


def entries(filters: Filters = Filters()):
    """Entries matching the filters, newest first."""
    query = AuditEntry.select().order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.object_type:
        query = query.where(AuditEntry.object_type == filters.object_type)
    if filters.object_id is not None:
        query = query.where(AuditEntry.object_id == filters.object_id)
    if filters.actor:
        query = query.where(AuditEntry.actor == filters.actor)
    return query


def page(filters: Filters, number: int, per_page: int = PER_PAGE) -> Page:
    return paginate(entries(filters), number, per_page)


def history(object_type: str, object_id: int) -> list[AuditEntry]:
    """Everything that happened to one object, oldest first."""
    return list(
        AuditEntry.select()
        .where(
            (AuditEntry.object_type == object_type)
            & (AuditEntry.object_id == object_id)
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )


def actions() -> list[str]:
    """Every action name in the log, for the filter menu."""
    query = AuditEntry.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    return [row.action for row in query]
