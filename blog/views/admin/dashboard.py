"""The dashboard's front page: posts, comments and the spam filter at a glance."""

from flask import render_template

from ... import dashboard
from ...auth import role_required
from ...models import Role
from .base import bp


@bp.get("/")
@role_required(Role.EDITOR, Role.MODERATOR)
def home():
    return render_template(
        "admin/dashboard.html",
        posts=dashboard.post_counts(),
        week=dashboard.comment_counts(7),
        month=dashboard.comment_counts(30),
        oldest_pending=dashboard.oldest_pending_age(),
        quality=dashboard.spam_filter_quality(30),
    )
