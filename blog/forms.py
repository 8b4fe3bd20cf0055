"""Flask-WTF forms.

The public comment form renders and carries values; blog.comments.validate
decides what is acceptable, so the rules live in one place that tests call
without a request. It has no session CSRF token: a post page is cached and
shared by every reader, and the signed form token (blog.comments.tokens)
takes that role without a cookie.
"""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

from .comments import validate as v

REMEMBER_LABEL = (
    "Save my name, email, and website in this browser for the next time I comment."
)


class CommentForm(FlaskForm):
    class Meta:
        csrf = False

    comment = TextAreaField(
        "Comment", render_kw={"rows": 8, "required": True, "cols": 45}
    )
    author = StringField(
        "Name",
        render_kw={"maxlength": v.MAX_NAME, "required": True, "autocomplete": "name"},
    )
    email = StringField(
        "Email",
        render_kw={
            "type": "email",
            "maxlength": v.MAX_EMAIL,
            "required": True,
            "autocomplete": "email",
            "aria-describedby": "email-notes",
        },
    )
    url = StringField(
        "Website",
        render_kw={"type": "url", "maxlength": v.MAX_URL, "autocomplete": "url"},
    )
    remember = BooleanField(REMEMBER_LABEL)
    parent = HiddenField()
    token = HiddenField()
    # The decoy: out of reach of readers (hidden by CSS, skipped by the tab key
    # and screen readers, never autofilled); robots fill every field they see.
    homepage = StringField(
        "Leave this field empty",
        render_kw={"tabindex": "-1", "autocomplete": "off"},
    )

    VISIBLE = frozenset({v.NAME, v.EMAIL, v.URL, v.BODY})

    def set_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """Put each message beside its field; return the ones about the whole form."""
        general = {}
        for key, message in errors.items():
            target = getattr(self, key, None) if key in self.VISIBLE else None
            if target is None:
                general[key] = message
            else:
                target.errors = [message]
        return general
