"""What reading the session costs per request: the per-process cache (Django's cached_db, which kept
a logged-out session alive on the other processes) against the database read every request now makes.

    python bench/web/session_read.py [--reads 20000] [--postgres postgresql://…/postgres]

Times SessionStore(key).load() on a database with one session; single process, single thread.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from importlib import import_module


def measure(engine: str, key: str, reads: int) -> float:
    module = import_module(engine)
    store = module.SessionStore
    store(key).load()  # warm: the cached engine's first read fills its cache
    start = time.perf_counter()
    for _ in range(reads):
        data = store(key).load()
    elapsed = time.perf_counter() - start
    assert data.get("_auth_user_id") == "1", f"{engine} lost the session"
    return elapsed / reads * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reads", type=int, default=20000)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose database may be migrated")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="luoshi-session-") as tmp:
        os.environ["LUOSHI_DATA_DIR"] = tmp
        os.environ["LUOSHI_DATABASE_URL"] = args.postgres or ""
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.web.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        from luoshi.web.sessions import SessionStore

        session = SessionStore()
        session["_auth_user_id"] = "1"
        session.create()
        key = session.session_key
        assert key is not None
        print(f"{connection.vendor}: {args.reads} reads of one session")
        print("| session engine | µs per read |")
        print("|---|---:|")
        for engine, label in (
            ("django.contrib.sessions.backends.cached_db", "cached_db (per-process cache, hit)"),
            ("django.contrib.sessions.backends.db", "db (Django's ORM query)"),
            ("luoshi.web.sessions", "luoshi.web.sessions (plain SQL)"),
        ):
            print(f"| {label} | {measure(engine, key, args.reads):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
