"""Results: the versioned record schema, the store (SQLite | PostgreSQL), exports.

- ``rundata``: RunData, the frames analysis and report read (the only contract they see).
- ``store``: ResultStore.open(url or path) -> writer() / load_run() / list_runs() /
  latest_run() / export_parquet() / mark_stale_runs().
- ``writer``: RunWriter, which commits records as they arrive (samples in
  small batches) so that a killed runner loses at most the last half second.
- ``schema`` (tables), ``migrate`` (schema version, upgrade hook), ``engine``
  (URL parsing, SQLite settings), ``lifecycle`` (run states, dead-writer
  marking), ``reader``/``reader_records``/``columns`` (loading), ``export``
  (Parquet), ``replay`` (write a whole RunData).

Nothing is imported here, so that ``rundata`` stays cheap for its readers.
"""
