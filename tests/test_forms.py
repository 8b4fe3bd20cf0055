from blog.comments import validate
from blog.forms import CommentForm


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
