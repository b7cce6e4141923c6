"""``android-suite parse KIND FILE [--json]``: run one parser over a captured file.

For checking a capture from a phone you do not have (bug reports, CI logs)
and for writing golden files. Exit 0 on success; a ParseError reaches
``cli.main``, which prints it and exits 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from android_suite.errors import ConfigError
from android_suite.parsers.registry import get_parser

_MAX_CELL = 48


def run(args: argparse.Namespace) -> int:
    data = _read(args.file)
    result = get_parser(args.kind)(data)
    if args.json:
        json.dump(to_jsonable(result), sys.stdout, indent=2, default=str)
        print()
    else:
        print(render(result))
    if getattr(result, "truncated", False):
        # Not an error: the parser returned what was complete.
        print("android-suite: warning: the capture looks truncated; shown what was complete", file=sys.stderr)
    return 0


def _read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {name}: {exc.strerror or exc}") from exc


def to_jsonable(value: Any) -> Any:
    """Records as JSON-ready data: dataclasses via ``asdict``, tuples as lists, keys as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _clean(dataclasses.asdict(value))
    return _clean(value)


def _clean(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _clean(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_clean(v) for v in value), key=str)
    return value  # json.dump's default=str handles the rest (enums, paths)


def render(value: Any) -> str:
    """A human-readable rendering: one "field: value" line per field, tables for record lists."""
    if isinstance(value, list | tuple) and value and all(_is_record(v) for v in value):
        return _table(list(value))
    if isinstance(value, list | tuple) and not value:
        return "(no records)"
    if _is_record(value):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if not isinstance(value, dict):
        return str(value)
    out = []
    for key, item in value.items():
        if isinstance(item, dict) and item:
            out.append(f"{key}:")
            out.extend(f"  {k}: {v}" for k, v in item.items())
        elif isinstance(item, list | tuple) and item and all(_is_record(v) for v in item):
            out.append(f"{key}:")
            out.extend("  " + row for row in _table(list(item)).splitlines())
        else:
            out.append(f"{key}: {_cell(item, limit=None)}")
    return "\n".join(out)


def _is_record(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _table(records: list[Any]) -> str:
    # Scalar fields only: a per-frame dict of 24 columns does not fit a row.
    names = [
        f.name
        for f in dataclasses.fields(records[0])
        if not any(isinstance(getattr(r, f.name), dict | list | tuple) for r in records)
    ]
    rows = [[_cell(getattr(r, n)) for n in names] for r in records]
    widths = [max(len(n), *(len(row[i]) for row in rows)) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip()]
    lines.extend("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows)
    lines.append(f"({len(records)} records)")
    return "\n".join(lines)


def _cell(value: Any, limit: int | None = _MAX_CELL) -> str:
    text = "-" if value is None else str(value)
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."
