"""Recurring problems in the app: supervision and inspection feedback matched against the history,
confirmed by staff, and "以往提出过" shown for every problem of a new round (issue 5)."""
