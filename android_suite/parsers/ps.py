"""Parse ``ps`` output (toybox ``ps -A``, toolbox, procps) into a table of processes.

Columns are found by header name: PID, TID, PPID, USER/UID, S, and a last
name column (NAME/CMD/COMMAND/...), since toybox, Android <= 7 toolbox and
procps print different sets. :meth:`PsTable.reclaim_pids` picks out the
reclaim threads (see :mod:`procstat`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from android_suite.errors import ParseError
from android_suite.parsers.procstat import classify_reclaim_thread, opt_int
from android_suite.parsers.text import as_text, split_lines

_PS = "ps"
_INT = re.compile(r"^-?\d+$")

# ps header names (toybox, toolbox, procps) -> PsEntry field.
_PS_COLUMNS = {"PID": "pid", "TID": "tid", "PPID": "ppid", "USER": "user", "UID": "user", "S": "state"}
_PS_NAME_COLUMNS = ("NAME", "CMD", "COMMAND", "COMM", "ARGS", "CMDLINE")
# Android <= 7 toolbox ps prints a state letter before NAME without a header.
_TOOLBOX_STATE = re.compile(r"^[RSDTtZXxKWPI] (?=\S)")


@dataclass(frozen=True)
class PsEntry:
    """One row of ``ps`` output.

    Attributes:
        pid: process id. tid: thread id (``ps -T``), else None.
        ppid, user, state: when the output has those columns, else None.
        name: the last column (NAME/CMD/...), kernel threads' brackets kept.
    """

    pid: int
    name: str
    ppid: int | None = None
    user: str | None = None
    state: str | None = None
    tid: int | None = None


@dataclass(frozen=True)
class PsTable:
    """Parsed ``ps`` output.

    Attributes:
        entries: the rows in order.
        truncated: the last line had no newline and was dropped.
    """

    entries: tuple[PsEntry, ...] = ()
    truncated: bool = False

    def reclaim_pids(self) -> dict[str, int]:
        """Name -> pid of every kswapd/kcompressd thread in the table."""
        return {
            e.name.strip("[]"): (e.tid if e.tid is not None else e.pid)
            for e in self.entries
            if classify_reclaim_thread(e.name) is not None
        }


def parse_ps(text: str | bytes) -> PsTable:
    """Parse ``ps -A``/``ps -e`` (toybox, Android 7 toolbox or procps), header-driven.

    The header names the columns; PID and a name column (NAME, CMD, ...)
    are required and the name column must be last (it may hold spaces).
    Blank cells shift columns in some ps builds, so besides the name only the
    columns before the first possibly-blank one (USER, PID, TID, PPID, in
    practice) are read by position.

    Raises:
        ParseError: no header with PID and a final name column, or a row
            whose PID/TID/PPID is not an integer.
    """
    lines, unterminated = split_lines(as_text(text))
    if unterminated:
        lines = lines[:-1]  # a cut name would look like another thread's
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        if unterminated:
            return PsTable(truncated=True)
        raise ParseError(_PS, "empty capture: no header")
    head_no, head = numbered[0]
    columns = head.split()
    if "PID" not in columns or columns[-1] not in _PS_NAME_COLUMNS:
        raise ParseError(_PS, f"header needs PID and a last NAME/CMD column: {head[:120]!r}", head_no)
    # Columns up to PPID are never blank; later ones (WCHAN, ADDR) may be.
    fixed = columns[: columns.index("PPID" if "PPID" in columns else "PID") + 1]
    entries = []
    for number, line in numbered[1:]:
        tokens = line.split()
        if len(tokens) < len(fixed) + 1:
            raise ParseError(_PS, f"row has too few columns: {line[:120]!r}", number)
        cells = dict(zip(fixed, tokens, strict=False))
        if len(tokens) >= len(columns):
            name = " ".join(tokens[len(columns) - 1 :])
            cells.update(zip(columns[len(fixed) : -1], tokens[len(fixed) : len(columns) - 1], strict=True))
        else:
            name = tokens[-1]
        if "S" not in columns and (m := _TOOLBOX_STATE.match(name)):
            cells["S"], name = m.group(0).strip(), name[m.end() :]
        fields: dict[str, str] = {_PS_COLUMNS[c]: v for c, v in cells.items() if c in _PS_COLUMNS}
        for key in ("pid", "tid", "ppid"):
            if key in fields and not _INT.match(fields[key]):
                raise ParseError(_PS, f"{key.upper()} is not an integer: {fields[key][:40]!r}", number)
        entries.append(
            PsEntry(
                pid=int(fields["pid"]),
                name=name,
                ppid=opt_int(fields.get("ppid")),
                user=fields.get("user"),
                state=fields.get("state"),
                tid=opt_int(fields.get("tid")),
            )
        )
    return PsTable(entries=tuple(entries), truncated=unterminated)
