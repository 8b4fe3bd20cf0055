"""The dashboard: one blueprint under /admin/, a module per area."""

from . import audit_log, dashboard, media, posts, privacy, settings, users
from .base import bp

__all__ = [
    "audit_log",
    "bp",
    "dashboard",
    "media",
    "posts",
    "privacy",
    "settings",
    "users",
]
