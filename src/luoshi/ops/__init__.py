"""Operating luoshi: backups of the database and the evidence files, and restoring them."""
