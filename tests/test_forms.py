import pytest
from wtforms.widgets.core import html_params

from blog.comments import validate
from blog.forms import CommentForm, _attributes


def test_the_comment_form_has_exactly_the_fields_validation_knows(app):
    with app.test_request_context():
        form = CommentForm(formdata=None)
        assert set(form._fields) == validate.FIELDS
        assert "csrf_token" not in form._fields


def test_errors_go_beside_visible_fields_and_the_rest_to_the_form(app):
    with app.test_request_context():
        form = CommentForm(formdata=None)
        general = form.set_errors(
            {"author": "Name is required.", "parent": "Gone.", "form": "Expired."}
        )
        assert form.author.errors == ["Name is required."]
        assert general == {"parent": "Gone.", "form": "Expired."}
        assert form.parent.errors in ((), [])


def test_the_decoy_is_out_of_reach(app):
    with app.test_request_context():
        html = CommentForm(formdata=None).homepage()
        assert 'tabindex="-1"' in html and 'autocomplete="off"' in html


@pytest.mark.parametrize(
    "values",
    [
        {"name": "a", "id": "a", "value": "x\"<>&'", "required": True},
        {"readonly": False, "aria_invalid": "true", "aria_describedby": "e f"},
        {"class_": "c", "for_": "f", "data_comment_id": 7, "maxlength": 100},
        {"value": "", "checked": True, "type": "checkbox", "tabindex": "-1"},
    ],
)
def test_comment_inputs_render_as_wtforms_would(values):
    assert str(_attributes(**values)) == str(html_params(**values))


def test_blank_comment_form_fields_render_their_attributes(app):
    with app.test_request_context("/"):
        form = CommentForm(formdata=None)
        email = str(form.email())
    assert email.startswith("<input ") and 'type="email"' in email
    assert " required" in email and "maxlength" not in email
    assert 'aria-describedby="email-notes"' in email
