"""The authentication backend: Django's ModelBackend, with the signed-in user read in one query.

Every page asks for the session's user and then for that user's roles (the permission choke point,
`luoshi.orgs.access.grants`). Here both come in one round trip, in plain SQL (building the ORM query
costs more than running it): the user's row joined to their role assignments, one row per role.
The user is built as the ORM would build it (`Model.from_db`) and the roles are handed to the
request's memo, so the first permission check of the page reads nothing more. Once a server
process knows a session, even that query is folded into the session's (`luoshi.accounts.prelude`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from luoshi.accounts import prelude
from luoshi.orgs import access


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        user_model = get_user_model()
        try:
            pk = user_model._meta.pk.to_python(user_id)
        except ValidationError:  # a session holding something that is not an id
            return None
        rows = prelude.prefetched_user(pk)  # read with the session, in the same query
        if rows is None:
            sql = (
                f"SELECT {prelude.user_columns()}, o.path AS luoshi_path, r.role AS luoshi_role"
                f" FROM {user_model._meta.db_table} u{prelude.roles_join()} WHERE u.id = %s"
            )
            # raw() builds each row's user as the ORM does, the database's converters applied (dates).
            rows = list(user_model._default_manager.raw(sql, [pk]))
        if not rows or not self.user_can_authenticate(rows[0]):
            return None
        user = rows[0]
        access.remember_grants(user.pk, [(r.luoshi_path, r.luoshi_role) for r in rows if r.luoshi_path])
        return user
