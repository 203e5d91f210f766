"""Operations: backups, restore and the audit-log viewer."""
