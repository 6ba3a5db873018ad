"""Domain exceptions, mapped to HTTP statuses in one place (pages and API alike).

Messages are Chinese sentences meant for the person who acted.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    """The actor may see the object but not do this to it (role, ownership, four eyes)."""

    status = 403


class Conflict(DomainError):
    """The object is not in a state where this can happen (e.g. closing a measure not submitted)."""

    status = 409


class Invalid(DomainError):
    """Something required is missing or malformed (a reason, an outcome, a date)."""

    status = 422


class StorageFailed(DomainError):
    """The server could not store a file (a full disk); nothing was saved."""

    status = 507
