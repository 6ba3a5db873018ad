"""The pure core: documents in, frozen dataclasses out. Imports nothing from Django."""
