"""Exit 0 when the PostgreSQL server named by the first argument answers."""

import sys
from urllib.parse import urlparse


def answers(url: str) -> bool:
    try:
        import psycopg2
    except ImportError:
        return False
    parsed = urlparse(url)
    try:
        psycopg2.connect(
            dbname=parsed.path.lstrip("/"),
            user=parsed.username,
            host=parsed.hostname,
            port=parsed.port or 5432,
            connect_timeout=3,
        ).close()
    except psycopg2.Error:
        return False
    return True


if __name__ == "__main__":
    sys.exit(0 if answers(sys.argv[1]) else 1)
