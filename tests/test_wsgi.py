"""The application `blog serve` runs: created once per worker, its start-up frozen."""

import gc

from blog import wsgi


def test_served_application_is_the_site_with_start_up_objects_frozen(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("BLOG_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("BLOG_DATABASE_URL", f"sqlite:///{tmp_path}/blog.sqlite3")
    monkeypatch.setenv("BLOG_SECRET_KEY", "test")
    try:
        app = wsgi.application()
        assert gc.get_freeze_count() > 1000
        assert "reader.post" in app.view_functions
    finally:
        gc.unfreeze()
