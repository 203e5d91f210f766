"""The children's records: the archive (一人一档 fields), contacts, pairings, the column specs
that describe every editable table, and field validation."""
