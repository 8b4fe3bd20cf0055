"""Forgetting addresses past retention: after a response, at most hourly per worker.

A new comment, a moderator's action and a sign-in each give the chance, so
no cron is needed and nobody waits for it; `blog comments purge` does it at
once, for a site where none of these happen.
"""

import datetime
from functools import partial

from flask import after_this_request, current_app

from ..comments import retention
from ..models import utcnow

EVERY = datetime.timedelta(hours=1)
_LAST = "housekeeping.addresses_forgotten"


def forget_old_addresses(settings):
    """Forget IP data past retention once this request's response has gone."""
    now = utcnow()
    last = current_app.extensions.get(_LAST)
    if last is not None and now - last < EVERY:
        return
    current_app.extensions[_LAST] = now
    work = partial(
        retention.forget_old_addresses, now, retention.ip_retention(settings)
    )

    @after_this_request
    def after_the_response(response):
        response.call_on_close(work)
        return response
