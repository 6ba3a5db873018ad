"""The meetings app in the admin (one module per part of the app)."""

from luoshi.meetings import (
    admin_meeting,  # noqa: F401  (the meeting's records, read-only)
    admin_opinions,  # noqa: F401
    admin_prep,  # noqa: F401  (registers the preparation records)
)
