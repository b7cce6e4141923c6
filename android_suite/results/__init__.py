"""Results: the versioned record schema, the store (SQLite | PostgreSQL), exports."""
