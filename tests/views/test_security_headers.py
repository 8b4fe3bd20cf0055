"""Headers every kind of response carries, on a site served over https or not."""

import pytest

# A page, a missing page, a theme file, a redirect to sign in, a feed, a 405.
KINDS = [
    ("GET", "/"),
    ("GET", "/no-such-page/"),
    ("GET", "/static/css/site.css"),
    ("GET", "/admin/"),
    ("GET", "/feed/"),
    ("POST", "/"),
]


@pytest.mark.parametrize("method, path", KINDS)
def test_https_site_tells_browsers_to_keep_to_https(make_app, method, path):
    client = make_app(SITE_URL="https://blog.example.org").test_client()
    # Twice: the second answer may come from the page cache.
    for response in (client.open(path, method=method) for _ in range(2)):
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("method, path", KINDS)
def test_plain_http_site_sends_no_hsts(make_app, method, path):
    # Sent over http it means nothing, and a test site on http must not
    # make browsers refuse it at that host later.
    response = make_app().test_client().open(path, method=method)
    assert "Strict-Transport-Security" not in response.headers
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
