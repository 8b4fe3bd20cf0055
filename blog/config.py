"""Configuration: defaults < instance/config.py < BLOG_* environment < test_config."""

import os
import secrets
from pathlib import Path

DEFAULTS = {
    "DATABASE_URL": "",
    "THEME": "default",
    "THEMES_DIR": "",
    "THEME_OVERRIDES_DIR": "",
    "CONTENT_DIR": "",
    "MEDIA_DIR": "",
    "SITE_URL": "http://127.0.0.1:8000",
    "REDIS_URL": "",
    "PAGE_CACHE": True,
    "TRUSTED_PROXIES": 0,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
}

# Values read from BLOG_<NAME> that are not plain strings.
_CASTS = {
    "PAGE_CACHE": lambda v: v.lower() not in ("0", "false", "no", "off"),
    "TRUSTED_PROXIES": int,
    "MAX_CONTENT_LENGTH": int,
}


def load(app, test_config=None):
    """Fill app.config from every layer, in order of precedence."""
    root = Path(app.root_path).parent
    app.config.from_mapping(DEFAULTS)
    app.config.update(
        CONTENT_DIR=str(root / "content"),
        THEMES_DIR=str(root / "themes"),
        MEDIA_DIR=str(Path(app.instance_path) / "media"),
        DATABASE_URL="sqlite:///" + str(Path(app.instance_path) / "blog.sqlite3"),
    )
    app.config.from_pyfile("config.py", silent=True)
    for key, value in os.environ.items():
        if key.startswith("BLOG_") and key not in (
            "BLOG_TEST_POSTGRES",
            "BLOG_INSTANCE_PATH",
        ):
            name = key[len("BLOG_") :]
            app.config[name] = _CASTS.get(name, str)(value)
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path))
    # A text field of a multipart form (the editor's live preview sends one)
    # may be as long as the same field posted plainly, not Flask's 500 kB.
    app.config["MAX_FORM_MEMORY_SIZE"] = app.config["MAX_CONTENT_LENGTH"]
    app.config["SESSION_COOKIE_SECURE"] = app.config["SITE_URL"].startswith("https:")
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]


def instance_secret(instance: Path) -> str:
    """Return the key kept in instance/secret_key, creating it on first use."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    draft = instance / f".secret_key.{os.getpid()}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
        handle.flush()
        os.fsync(handle.fileno())
    # link() is atomic and refuses to overwrite: concurrent workers agree on one key.
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    # On disk before anything is signed or hashed with it: a key lost to a
    # power cut would end sessions and unlink every stored hash.
    folder = os.open(instance, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return path.read_text().strip()
