"""A dashboard form sent after its session ended: the text comes back, not lost.

Signed out in another tab, or every session ended by a password change, a
writer's Save answered with the login page or a bare CSRF error, and what
they had typed was gone (the editor page is no-store: Back reloads it).
"""

from flask import render_template, request, url_for

from .. import form_origin

# The forms that hold writing, and its fields in the order the page shows them.
WRITING = frozenset(
    {"admin.create_post", "admin.save_post", "moderation.reply", "moderation.edit"}
)
FIELDS = (("title", "Title"), ("body", "Text"), ("summary", "Summary"))


def kept_text(status: int):
    """The text of a POSTed dashboard form, shown back unsaved; None if it has none."""
    if request.method != "POST" or request.endpoint not in WRITING:
        return None
    # Another site's form would have its own words shown on our dashboard, a
    # sign-in link beside them: a page for phishing. Only our own forms.
    if form_origin.from_elsewhere():
        return None
    fields = [
        (name, label, request.form[name])
        for name, label in FIELDS
        if request.form.get(name, "").strip()
    ]
    if not fields:
        return None
    login = url_for("auth.login", next=request.path)
    return render_template("admin/kept.html", fields=fields, login_url=login), status
