"""The application `blog serve` hands to gunicorn, one per worker process."""

import gc

from . import create_app


def application():
    app = create_app()
    # What start-up made lives as long as the worker. Frozen, it is no longer
    # walked by the collector's full passes, which otherwise stop a request
    # for about 60 ms now and then: the whole p99 of an uncached page.
    gc.freeze()
    return app
