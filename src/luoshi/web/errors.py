"""The server error page: Chinese, with navigation, and saying so when the database is unreachable.

Django renders 400/403/404 from the templates of the same names (templates/404.html …); a 500 comes
here. It is rendered without the request's context (no session, no user, no query), because the
failure may be the database itself.
"""

from __future__ import annotations

import sys

from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.template import loader


def database_reachable(alias: str = "default") -> bool:
    """Whether a new connection to the database can be opened and answer (the current one may be broken)."""
    connection = connections[alias]
    try:
        probe = connection.get_new_connection(connection.get_connection_params())
    except Exception:  # the driver's own error class: refused, unknown host, unreadable file …
        return False
    try:
        cursor = probe.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        return True
    except Exception:
        return False
    finally:
        probe.close()


def database_down(exc: BaseException | None) -> bool:
    """EXC is a database error and the database does not answer a fresh connection either."""
    return isinstance(exc, DatabaseError) and not database_reachable()


def database_label(alias: str = "default") -> str:
    """Which database the settings name, without its password (for the command line and logs)."""
    config = connections[alias].settings_dict
    if config["ENGINE"].endswith("sqlite3"):
        return f"SQLite 文件 {config['NAME']}"
    user = f"{config.get('USER')}@" if config.get("USER") else ""
    port = f":{config.get('PORT')}" if config.get("PORT") else ""
    return f"PostgreSQL {user}{config.get('HOST') or 'localhost'}{port}/{config['NAME']}"


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: "数据库无法连接" (503) when the database is down, else the Chinese error page."""
    if database_down(sys.exc_info()[1]):
        body = loader.get_template("errors/database.html").render()
        return HttpResponse(body, status=503, headers={"Retry-After": "60"})
    return HttpResponse(loader.get_template("500.html").render(), status=500)
