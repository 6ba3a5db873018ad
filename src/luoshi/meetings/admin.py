from luoshi.meetings import admin_meeting  # noqa: F401  (the meeting's records, read-only)
