from luoshi.meetings import admin_prep  # noqa: F401  (registers the preparation records)
