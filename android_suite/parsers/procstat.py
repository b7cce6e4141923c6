"""Parse ``/proc/<pid>/stat`` and ``ps`` output; find the reclaim threads.

``/proc/<pid>/stat`` (proc(5), Documentation/filesystems/proc.rst)::

    118 (kswapd0) S 2 0 0 0 -1 10758208 0 0 0 0 3 2412 0 0 20 0 1 0 45 0 0 ...

Field 2 is the command name in parentheses; it is the thread's ``comm``,
which may itself hold spaces and parentheses (``((sd-pam) (x))``), and is
not escaped, so the fields after it start after the *last* ``)``. Times
(utime, stime, starttime) are in clock ticks (``USER_HZ``, 100 on Android);
vsize is bytes, rss pages. Kernels before 2.6.22 stop before field 39
(processor), so later fields are None when absent.

Reclaim threads (shared/docs/kcompressd.md): ``kswapd<nid>`` (``kswapd`` on
ancient kernels, ``kswapd<nid>:<i>`` with Android's multi-threaded kswapd),
``kcompressd<nid>`` (upstream v1, Kcompressd-Unofficial, the 5.15 backport)
and ``kcompressd:<i>`` (the March 2025 RFC).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from android_suite.errors import ParseError
from android_suite.parsers.text import as_text, split_lines

_STAT = "/proc/<pid>/stat"
_KSWAPD = re.compile(r"^kswapd(?P<node>\d+)?(?::(?P<index>\d+))?$")
_KCOMPRESSD_NODE = re.compile(r"^kcompressd(?P<node>\d+)$")
_KCOMPRESSD_RFC = re.compile(r"^kcompressd:(?P<index>\d+)$")
_INT = re.compile(r"^-?\d+$")
# 0-based index (in the fields after comm, starting at state) -> ProcStat field.
_AFTER_COMM = {
    "ppid": 1,
    "minflt": 7,
    "majflt": 9,
    "utime": 11,
    "stime": 12,
    "priority": 15,
    "nice": 16,
    "num_threads": 17,
    "starttime": 19,
    "vsize": 20,
    "rss": 21,
}
_PROCESSOR = 36


@dataclass(frozen=True)
class ProcStat:
    """The fields of ``/proc/<pid>/stat`` this suite uses.

    Attributes:
        pid, comm, state, ppid: identity (comm without its parentheses).
        minflt / majflt: minor / major page faults.
        utime / stime: user / system CPU time in clock ticks.
        priority, nice, num_threads: scheduling.
        starttime: start after boot, clock ticks.
        vsize: virtual size, bytes. rss: resident pages.
        processor: CPU last run on (None when the kernel prints no field 39).
        truncated: no final newline (the last field may be cut).
    """

    pid: int
    comm: str
    state: str
    ppid: int
    minflt: int
    majflt: int
    utime: int
    stime: int
    priority: int
    nice: int
    num_threads: int
    starttime: int
    vsize: int
    rss: int
    processor: int | None = None
    truncated: bool = False


def parse_proc_stat(text: str | bytes) -> ProcStat:
    """Parse one ``/proc/<pid>/stat`` (or ``/proc/<pid>/task/<tid>/stat``).

    Raises:
        ParseError: no ``pid (comm)`` head, fewer than 24 fields, or a
            non-integer where the format has one.
    """
    body = as_text(text)
    # Not split_lines: a comm may legally contain a newline.
    return _parse_stat(body.rstrip("\r\n"), not body.endswith("\n"), 1)


def parse_proc_stats(text: str | bytes) -> list[ProcStat]:
    """Parse ``cat /proc/[0-9]*/stat`` output: one stat line per task.

    Blank lines are skipped. A comm holding a newline (legal, never seen in
    practice) would split its record; that raises ParseError.
    """
    lines, unterminated = split_lines(as_text(text))
    return [
        _parse_stat(line, unterminated and number == len(lines), number)
        for number, line in enumerate(lines, start=1)
        if line.strip()
    ]


def _parse_stat(body: str, unterminated: bool, line: int) -> ProcStat:
    open_at, close_at = body.find("("), body.rfind(")")
    if open_at < 0 or close_at < open_at or not _INT.match(body[:open_at].strip()):
        raise ParseError(_STAT, f"no 'pid (comm)' head: {body[:80]!r}", line)
    rest = body[close_at + 1 :].split()
    if len(rest) < 22:
        cut = " (capture cut short?)" if unterminated else ""
        raise ParseError(_STAT, f"expected at least 24 fields, got {len(rest) + 2}{cut}", line)
    bad = next((v for v in rest[1:] if not _INT.match(v)), None)
    if bad is not None:
        raise ParseError(_STAT, f"not an integer: {bad[:40]!r}", line)
    numbers = {name: int(rest[i]) for name, i in _AFTER_COMM.items()}
    return ProcStat(
        pid=int(body[:open_at]),
        comm=body[open_at + 1 : close_at],
        state=rest[0],
        processor=int(rest[_PROCESSOR]) if len(rest) > _PROCESSOR else None,
        truncated=unterminated,
        **numbers,
    )


@dataclass(frozen=True)
class ReclaimThread:
    """A kswapd or kcompressd kernel thread and its CPU time.

    Attributes:
        pid, name: the thread (name as in comm).
        kind: ``kswapd`` or ``kcompressd``.
        node: memory node from the name (``kswapd0``, ``kcompressd0``), else None.
        index: worker index (``kcompressd:<i>``, ``kswapd<nid>:<i>``), else None.
        utime_ticks / stime_ticks: CPU time in clock ticks.
        cpu_seconds: (utime + stime) / the clock-tick rate.
    """

    pid: int
    name: str
    kind: str
    node: int | None
    index: int | None
    utime_ticks: int
    stime_ticks: int
    cpu_seconds: float


@dataclass(frozen=True)
class ReclaimThreads:
    """The reclaim threads found among a set of stat records.

    Attributes:
        kswapd / kcompressd: the threads, ordered by name.
        kswapd_cpu_seconds / kcompressd_cpu_seconds: their summed CPU time,
            None when no such thread exists (kcompressd absent: not 0.0).
        kcompressd_variant: ``per-node`` (``kcompressd<nid>``: v1, Unofficial,
            backport), ``rfc`` (``kcompressd:<i>``), ``mixed`` (both: not a
            kernel anyone ships, so worth a look), or None.
        clock_ticks: the ticks-per-second rate used.
        truncated: some input record was flagged truncated.
    """

    kswapd: tuple[ReclaimThread, ...] = ()
    kcompressd: tuple[ReclaimThread, ...] = ()
    kswapd_cpu_seconds: float | None = None
    kcompressd_cpu_seconds: float | None = None
    kcompressd_variant: str | None = None
    clock_ticks: int = 100
    truncated: bool = False


def classify_reclaim_thread(name: str) -> tuple[str, int | None, int | None] | None:
    """``(kind, node, index)`` for a reclaim-thread name, else None.

    Accepts ps's ``[name]`` spelling of kernel threads too.
    """
    name = name[1:-1] if name.startswith("[") and name.endswith("]") else name
    if m := _KSWAPD.match(name):
        index = m.group("index")
        return "kswapd", opt_int(m.group("node")), opt_int(index)
    if m := _KCOMPRESSD_NODE.match(name):
        return "kcompressd", int(m.group("node")), None
    if m := _KCOMPRESSD_RFC.match(name):
        return "kcompressd", None, int(m.group("index"))
    return None


def opt_int(text: str | None) -> int | None:
    return int(text) if text is not None else None


def find_reclaim_threads(stats: Iterable[ProcStat], clock_ticks: int = 100) -> ReclaimThreads:
    """Pick kswapd and kcompressd threads out of ``stats`` with their CPU seconds.

    Args:
        stats: parsed stat records (any tasks; others are ignored).
        clock_ticks: ``USER_HZ`` (``getconf CLK_TCK``), 100 on Android.
    """
    if clock_ticks <= 0:
        raise ValueError(f"clock_ticks must be positive, got {clock_ticks}")
    found: dict[str, list[ReclaimThread]] = {"kswapd": [], "kcompressd": []}
    truncated = False
    for stat in stats:
        truncated |= stat.truncated
        kind = classify_reclaim_thread(stat.comm)
        if kind is None:
            continue
        seconds = (stat.utime + stat.stime) / clock_ticks
        found[kind[0]].append(ReclaimThread(stat.pid, stat.comm, *kind, stat.utime, stat.stime, seconds))
    kswapd = tuple(sorted(found["kswapd"], key=lambda t: (t.name, t.pid)))
    kcompressd = tuple(sorted(found["kcompressd"], key=lambda t: (t.name, t.pid)))
    kinds = {"rfc" if t.index is not None else "per-node" for t in kcompressd}
    variant = kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else None)
    return ReclaimThreads(
        kswapd=kswapd,
        kcompressd=kcompressd,
        kswapd_cpu_seconds=sum(t.cpu_seconds for t in kswapd) if kswapd else None,
        kcompressd_cpu_seconds=sum(t.cpu_seconds for t in kcompressd) if kcompressd else None,
        kcompressd_variant=variant,
        clock_ticks=clock_ticks,
        truncated=truncated,
    )
