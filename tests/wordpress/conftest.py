"""Fixtures for the WordPress import and export tests."""

import pytest

from blog.wordpress import importer
from tests.conftest import shared_data

KEY = "test secret key"


@pytest.fixture
def a11y_file():
    """WordPress's theme unit test export, from the shared data folder."""
    return shared_data("wordpress/a11y-theme-unit-test-data.xml")


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
