"""The settings store shared by every worker of one site."""

import pytest

from blog.settings import SettingError, Settings


def test_an_ordered_pair_is_checked_against_what_another_worker_stored(app):
    # Two workers, each with its own cache of the settings.
    here, there = Settings(), Settings()
    assert here["classifier_spam"] == 0.82  # read, and kept
    there.set("classifier_spam", "0.6")
    with pytest.raises(SettingError, match="at most classifier_spam \\(0.6\\)"):
        here.set("classifier_hold", "0.7")
    there.reload()
    assert (there["classifier_hold"], there["classifier_spam"]) == (0.5, 0.6)
