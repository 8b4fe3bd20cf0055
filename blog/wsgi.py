"""The application `blog serve` hands to gunicorn, one per worker process."""

import gc
import logging
import re

from . import create_app
from .comments import privacy

# Gunicorn names the client of a request it cannot parse ("Invalid request
# from ip=203.0.113.9: ..."): a reader's long search or large cookies would
# put their address in the log, which the site itself never keeps.
_CLIENT = re.compile(r"\bip=(\S*?): ")


class _NetworkOnly(logging.Filter):
    """Log a client's network (IPv4 /24, IPv6 /48), as comments keep it."""

    def filter(self, record):
        message = record.getMessage()
        if _CLIENT.search(message):
            record.msg = _CLIENT.sub(_network, message)
            record.args = ()
        return True


def _network(found: re.Match) -> str:
    return f"ip={privacy.truncate_ip(found[1]) or 'hidden'}: "


NETWORK_ONLY = _NetworkOnly()


def application():
    app = create_app()
    logging.getLogger("gunicorn.error").addFilter(NETWORK_ONLY)
    # What start-up made lives as long as the worker. Frozen, it is no longer
    # walked by the collector's full passes, which otherwise stop a request
    # for about 60 ms now and then: the whole p99 of an uncached page.
    gc.freeze()
    return app
