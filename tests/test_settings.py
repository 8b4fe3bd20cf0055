"""The settings store shared by every worker of one site."""

import threading
import time

import pytest

from blog import settings as settings_module
from blog.db import write_transaction
from blog.settings import SettingError, Settings
from tests.admin.conftest import at_once
from tests.conftest import POSTGRES_URL


def test_an_ordered_pair_is_checked_against_what_another_worker_stored(app):
    # Two workers, each with its own cache of the settings.
    here, there = Settings(), Settings()
    assert here["classifier_spam"] == 0.82  # read, and kept
    there.set("classifier_spam", "0.6")
    with pytest.raises(SettingError, match="at most classifier_spam \\(0.6\\)"):
        here.set("classifier_hold", "0.7")
    there.reload()
    assert (there["classifier_hold"], there["classifier_spam"]) == (0.5, 0.6)


@pytest.mark.skipif(
    not POSTGRES_URL,
    reason="PostgreSQL's concurrent writers are what this test exercises "
    "(SQLite takes its write lock at BEGIN)",
)
def test_two_saves_at_once_never_store_a_pair_out_of_order(app, monkeypatch):
    started, check = threading.Event(), settings_module.out_of_order

    def check_then_linger(values, parsed):
        found = check(values, parsed)
        if "classifier_spam" in parsed:
            started.set()
            time.sleep(0.5)  # the other save arrives meanwhile
        return found

    monkeypatch.setattr(settings_module, "out_of_order", check_then_linger)

    def save(key, value):
        def work():
            with write_transaction():
                Settings().set(key, value)

        return work

    failures = at_once(
        app, save("classifier_spam", "0.6"), save("classifier_hold", "0.7"), started
    )
    stored = Settings()
    assert stored["classifier_hold"] <= stored["classifier_spam"]
    assert [type(failure) for failure in failures] == [SettingError]


@pytest.mark.parametrize("typed", ["Newest", "NEWEST", " newest "])
def test_a_choice_is_taken_in_any_case_and_stored_as_listed(app, typed):
    assert Settings().set("comment_order", typed) == "newest"
    assert Settings()["comment_order"] == "newest"
