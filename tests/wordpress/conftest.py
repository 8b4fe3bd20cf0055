"""Fixtures for the WordPress import and export tests."""

import os

import pytest

from blog.wordpress import importer
from tests.conftest import SHARED_DATA

A11Y = SHARED_DATA / "wordpress" / "a11y-theme-unit-test-data.xml"
KEY = "test secret key"


@pytest.fixture
def a11y_file():
    """WordPress's theme unit test export, from the shared data folder."""
    if not A11Y.exists():
        message = f"the WordPress test export is missing: {A11Y}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return A11Y


@pytest.fixture
def import_wxr(app, tmp_path):
    """Import WXR bytes (or a path) into the test database; return the report."""

    def run(source, **options):
        if isinstance(source, bytes):
            path = tmp_path / f"import-{len(list(tmp_path.iterdir()))}.xml"
            path.write_bytes(source)
            source = path
        return importer.import_file(source, key=KEY, **options)

    return run
