"""The audit log, newest first, filtered by action, object or person."""

from flask import render_template, request

from ... import audit
from ...auth import role_required
from .base import bp, current_page, database_id


@bp.get("/audit/")
@role_required()
def audit_log():
    filters = audit.Filters(
        action=request.args.get("action", ""),
        object_type=request.args.get("object_type", ""),
        object_id=database_id(request.args.get("object_id", "")),
        actor=request.args.get("actor", ""),
    )
    return render_template(
        "admin/audit.html",
        page=audit.page(filters, current_page()),
        filters=filters,
        actions=audit.actions(),
    )
