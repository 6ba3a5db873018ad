"""Demo data: an organization tree, a leadership team, users and a round imported from a document."""
