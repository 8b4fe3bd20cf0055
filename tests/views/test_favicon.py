"""/favicon.ico, which browsers ask for where a page names no icon."""


def test_favicon_ico_leads_to_the_themes_icon(app):
    client = app.test_client()
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/static/favicon.svg?v=")
    icon = client.get(response.headers["Location"])
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
