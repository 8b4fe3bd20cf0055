"""Flask-WTF forms.

The public comment form renders and carries values; blog.comments.validate
decides what is acceptable, so the rules live in one place that tests call
without a request. It has no session CSRF token: a post page is cached and
shared by every reader, and the signed form token (blog.comments.tokens)
takes that role without a cookie.
"""

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import BooleanField, HiddenField, StringField, TextAreaField, widgets
from wtforms.widgets.core import clean_key

from .comments import validate as v

REMEMBER_LABEL = (
    "Save my name, email, and website in this browser for the next time I comment."
)


def _attributes(**values) -> Markup:
    """wtforms' html_params, less its Markup.format per attribute.

    That format runs Python's string.Formatter, 30 µs an attribute: a third of
    an uncached post page's form. Same output: sorted, True bare, False left out.
    """
    parts = []
    for key, value in sorted(values.items()):
        if value is True:
            parts.append(clean_key(key))
        elif value is not False:
            parts.append(f'{clean_key(key)}="{escape(value)}"')
    return Markup(" ".join(parts))


def _fast(input_class):
    return type(
        input_class.__name__, (input_class,), {"html_params": staticmethod(_attributes)}
    )


_TextInput = _fast(widgets.TextInput)
_HiddenInput = _fast(widgets.HiddenInput)
_CheckboxInput = _fast(widgets.CheckboxInput)


class CommentForm(FlaskForm):
    """The public form. Its fields carry no maxlength: a browser cuts a pasted
    value short without a word, where the server refuses it with a message."""

    class Meta:
        csrf = False

    comment = TextAreaField(
        "Comment", render_kw={"rows": 8, "required": True, "cols": 45}
    )
    author = StringField(
        "Name",
        widget=_TextInput(),
        render_kw={"required": True, "autocomplete": "name"},
    )
    email = StringField(
        "Email",
        widget=_TextInput(),
        render_kw={
            "type": "email",
            "required": True,
            "autocomplete": "email",
            "aria-describedby": "email-notes",
        },
    )
    url = StringField(
        "Website",
        widget=_TextInput(),
        render_kw={"type": "url", "autocomplete": "url"},
    )
    remember = BooleanField(REMEMBER_LABEL, widget=_CheckboxInput())
    parent = HiddenField(widget=_HiddenInput())
    token = HiddenField(widget=_HiddenInput())
    # The decoy: out of reach of readers (hidden by CSS, skipped by the tab key
    # and screen readers, never autofilled); robots fill every field they see.
    homepage = StringField(
        "Leave this field empty",
        widget=_TextInput(),
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
