"""Parse the output of ``am start -W`` (``ActivityManagerShellCommand.runAmStart``).

Android 10+::

    Starting: Intent { cmp=com.example/.MainActivity }
    Status: ok
    LaunchState: COLD
    Activity: com.example/.MainActivity
    TotalTime: 412
    WaitTime: 418
    Complete

Android 6-9 print ``ThisTime:`` (the last activity of the launch only)
before ``TotalTime:`` and no ``LaunchState:``. ``TotalTime`` is left out
when the framework has no launch time (a task merely brought to the front
may report none). A ``Warning:`` line (task brought to the front, intent
delivered to the top-most instance) still yields a Status block; an
``Error:`` line (class not found, unresolved intent, permission) replaces it,
sometimes preceded by ``Error type N``. ``Status: timeout`` means the launch
did not report as drawn within the framework's timeout: a result, not an
error. With ``-R N`` the block repeats; :func:`parse_am_start_all` reads all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from android_suite.errors import ParseError
from android_suite.parsers.text import as_text, split_lines

_SOURCE = "am start"
_FIELD = re.compile(r"^(Status|LaunchState|Activity|ThisTime|TotalTime|WaitTime):\s*(.*?)\s*$")
_ERROR_TYPE = re.compile(r"^Error type (\d+)\s*$")
_TIMES = ("ThisTime", "TotalTime", "WaitTime")


@dataclass(frozen=True)
class AmStart:
    """One launch reported by ``am start -W``.

    Attributes:
        status: "ok", "timeout" or "error"; None when no Status line was
            printed (``am start`` without ``-W``, or a cut capture).
        launch_state: "COLD", "WARM", "HOT", "RELAUNCH" or "UNKNOWN (n)" as
            printed (Android 10+); None before.
        activity: the launched component, short form ("pkg/.Cls").
        this_time_ms: Android 6-9 only.
        total_time_ms, wait_time_ms: milliseconds (uptime clock).
        complete: the closing "Complete" line was seen.
        intent: the text after "Starting: ".
        warning, error: the Warning:/Error: message without its prefix.
        error_type: N from "Error type N" (3 = class not found), if printed.
        truncated: the capture ended before "Complete" in a block that
            promised one (a Status line or a cut last line).
    """

    status: str | None = None
    launch_state: str | None = None
    activity: str | None = None
    this_time_ms: int | None = None
    total_time_ms: int | None = None
    wait_time_ms: int | None = None
    complete: bool = False
    intent: str | None = None
    warning: str | None = None
    error: str | None = None
    error_type: int | None = None
    truncated: bool = False


def parse_am_start(text: str | bytes) -> AmStart:
    """Parse the first launch in the output (see :func:`parse_am_start_all`).

    Raises:
        ParseError: nothing that looks like ``am start`` output, or a time
            field that is not an integer.
    """
    return parse_am_start_all(text)[0]


def parse_am_start_all(text: str | bytes) -> list[AmStart]:
    """Every launch block (``-R N`` repeats), in order; at least one."""
    lines, unterminated = split_lines(as_text(text))
    cut = unterminated and bool(lines) and lines[-1].strip() != "Complete"
    if cut:
        lines = lines[:-1]  # "WaitTime: 41" may be the start of "WaitTime: 418"
    blocks: list[AmStart] = []
    cur: AmStart | None = None
    for n, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line.startswith("Starting: "):
            if cur is not None:
                blocks.append(cur)
            cur = AmStart(intent=line[len("Starting: ") :])
        elif cur is not None or _meaningful(line):
            cur = _feed(cur or AmStart(), line, n)
    if cur is not None:
        blocks.append(cur)
    if not blocks:
        raise ParseError(_SOURCE, "no 'Starting:', 'Status:' or 'Error:' line: not am start output")
    return [_finish(b, cut=cut and k == len(blocks) - 1) for k, b in enumerate(blocks)]


def _meaningful(line: str) -> bool:
    return bool(_FIELD.match(line)) or line.startswith(("Error", "Warning:", "Exception occurred", "java.lang."))


def _feed(cur: AmStart, line: str, n: int) -> AmStart:
    if m := _FIELD.match(line):
        key, value = m.groups()
        if key in _TIMES:
            if not re.fullmatch(r"-?\d+", value):
                raise ParseError(_SOURCE, f"{key}: not an integer: {value!r}", n)
            ms = int(value)
            if key == "ThisTime":
                return replace(cur, this_time_ms=ms)
            return replace(cur, total_time_ms=ms) if key == "TotalTime" else replace(cur, wait_time_ms=ms)
        if key == "Status":
            return replace(cur, status=value.lower())
        if key == "LaunchState":
            return replace(cur, launch_state=value)
        return replace(cur, activity=value)
    if line == "Complete":
        return replace(cur, complete=True)
    if m := _ERROR_TYPE.match(line):
        return replace(cur, error_type=int(m.group(1)))
    if line.startswith("Error:") and cur.error is None:
        return replace(cur, error=line[len("Error:") :].strip())
    if line.startswith("Warning:") and cur.warning is None:
        return replace(cur, warning=line[len("Warning:") :].strip())
    if line.startswith(("Exception occurred", "java.lang.")) and (
        cur.error is None or cur.error.startswith("Exception occurred")
    ):
        # The shell command threw (SecurityException for a non-exported
        # activity, a bad user id): no launch happened. The exception line
        # says why, so it replaces the generic "Exception occurred" one.
        return replace(cur, error=line)
    return cur  # vendor chatter, "Stopping: pkg" from -S


def _finish(b: AmStart, *, cut: bool) -> AmStart:
    status = b.status
    if status is None and b.error is not None:
        status = "error"
    # A Status line promises "Complete"; without it the capture was cut.
    truncated = cut or (b.status is not None and not b.complete)
    return replace(b, status=status, truncated=truncated)
