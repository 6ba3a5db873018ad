"""Signals other apps listen to, so the ledger never imports the apps built on it."""

from django.dispatch import Signal

# Sent inside `progress.record_progress`'s transaction, after the update is saved, with
# update, measure, actor and data (the extra fields of the progress form, e.g. an activity record
# for the indicators). A receiver raising a DomainError rolls the whole update back.
progress_recorded = Signal()
