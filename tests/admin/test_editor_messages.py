"""The message after an editor's action says what readers now see."""

import datetime

from blog.models import utcnow


def test_scheduling_says_scheduled_with_the_date_not_published(app, browser_for):
    editor = browser_for("editor")
    when = (utcnow() + datetime.timedelta(days=3)).replace(second=0, microsecond=0)
    app.extensions["settings"].set_many({"timezone": "UTC"})
    form = {"title": "Later", "body": "Soon.", "action": "publish"}
    form["date"] = when.strftime("%Y-%m-%dT%H:%M")
    response = editor.post("/admin/posts/new", form, page="/admin/posts/new")
    assert response.status_code == 302
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Scheduled for {when:%Y-%m-%d %H:%M}: readers see it from then." in page
    assert "Published." not in page


def test_publishing_now_says_published(app, browser_for):
    editor = browser_for("editor")
    form = {"title": "Now", "body": "Here.", "action": "publish"}
    response = editor.post("/admin/posts/new", form, page="/admin/posts/new")
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Published." in page
