"""Find low-memory kills in mixed logcat (threadtime, time or brief format).

Kill lines by release (``system/memory/lmkd``)::

    Android 12+  Kill 'com.x' (12345), uid 10123, oom_score_adj 900 to free 123456kB rss,
                 23456kB swap; reason: low watermark is breached and swap is low (...)
    Android 10/11 Kill 'com.x' (12345), uid 10123, oom_adj 900 to free 98765kB[; reason: ...]
    Android 8/9  Killing 'com.x' (12345), uid 10123, adj 900
                    to free 98765kB because system is under low memory pressure oom_adj 900
                 (one ALOGI with an embedded newline: logcat shows two entries)
    lmkd watchdog killed process 12345, oom_score_adj 900      (no name, no size)

and the in-kernel driver of old kernels (``drivers/staging/android/
lowmemorykiller.c``), in the kernel buffer or dmesg::

    lowmemorykiller: Killing 'com.x' (12345), adj 906,
       to free 45678kB on behalf of 'kswapd0' (98) because
       cache 123456kB is below limit 184320kB for oom_score_adj 900

Only lines tagged ``lmkd`` or prefixed ``lowmemorykiller:`` are looked at, and
of those only the ones that start a kill; anything else is ignored, since
logcat is mixed. A line that starts like a kill but does not parse raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from android_suite.errors import ParseError
from android_suite.parsers.text import as_text, split_lines

_SOURCE = "lmkd"
# The message after the tag, in threadtime ("I lmkd    : msg"), brief/time
# ("I/lmkd    ( 123): msg") or kernel ("lowmemorykiller: msg") layout.
_TAGGED = re.compile(r"(?:^|[\s/])(lmkd|lowmemorykiller)\s*(?:\(\s*\d+\))?\s*:\s?(.*)$")
_STAMP = re.compile(r"^\s*(\[\s*\d+\.\d+\]|(?:\d{4}-)?\d\d-\d\d \d\d:\d\d:\d\d\.\d+|\d+\.\d+)")
_STARTS_KILL = re.compile(r"^\s*(?:Kill|Killing)\s+'")
_KILL = re.compile(
    r"^\s*Kill(?:ing)?\s+'(?P<name>.*)'\s+\((?P<pid>\d+)\),"
    r"(?:\s*uid\s+(?P<uid>\d+),)?"
    r"\s*(?:oom_score_adj|oom_adj|adj)\s+(?P<adj>-?\d+),?"
    r"(?:\s*to free\s+(?P<rss>\d+)\s*kB(?:\s+rss)?)?"
    r"(?:,\s*(?P<swap>\d+)\s*kB\s+swap)?"
    r"(?:\s*;\s*reason:\s*(?P<reason>.*?)|\s+(?P<why>(?:because|on behalf).*?))?\s*$"
)
_CONTINUATION = re.compile(r"(?:^|\s|:)to free\s+(?P<rss>\d+)\s*kB\s*(?P<why>.*?)\s*$")
# Any logcat/dmesg prefix, for continuation lines that carry another (or no) tag.
_HEADER = re.compile(
    r"^(?:(?:\d{4}-)?\d\d-\d\d \d\d:\d\d:\d\d\.\d+\s+\d+\s+\d+\s+[VDIWEFS]\s[^:]*:\s"
    r"|(?:(?:\d{4}-)?\d\d-\d\d \d\d:\d\d:\d\d\.\d+\s+)?[VDIWEFS]/[^(]*\(\s*\d+\):\s"
    r"|\[\s*\d+\.\d+\]\s)"
)
_WATCHDOG = re.compile(r"^\s*lmkd watchdog killed process (\d+), oom_score_adj (-?\d+)\s*$")


@dataclass(frozen=True)
class LmkdKill:
    """One process killed for memory.

    Attributes:
        pid, process: the victim (process None for watchdog kills).
        uid: None for the kernel driver, which does not print it.
        oom_score_adj: the victim's score ("adj"/"oom_adj" in old lines).
        rss_kb: memory the kill frees (RSS on 12+, task size before).
        swap_kb: the victim's swap (Android 12+).
        reason: lmkd's reason text, or the old "because ..." explanation.
        timestamp: the logcat/dmesg time text as printed, None for brief.
        killer: "lmkd" or "lowmemorykiller" (in-kernel driver).
        line: 1-based line number of the kill line in the capture.
    """

    pid: int
    process: str | None
    uid: int | None
    oom_score_adj: int
    rss_kb: int | None
    swap_kb: int | None
    reason: str | None
    timestamp: str | None
    killer: str
    line: int


class LmkdKills(list[LmkdKill]):
    """Kills in capture order, plus whether the last line was cut mid-kill."""

    def __init__(self, kills: list[LmkdKill] | None = None, *, truncated: bool = False) -> None:
        super().__init__(kills or [])
        self.truncated = truncated


def parse_lmkd_kills(logcat_text: str | bytes) -> LmkdKills:
    """Every lmkd or in-kernel lowmemorykiller kill in a logcat capture.

    Raises:
        ParseError: a kill line that does not parse (unless it is the cut
            last line of the capture, which sets ``truncated``).
    """
    lines, unterminated = split_lines(as_text(logcat_text))
    kills = LmkdKills()
    for n, line in enumerate(lines):
        m = _TAGGED.search(line)
        if m is None:
            continue
        killer, msg = m.group(1), m.group(2)
        stamp = _STAMP.match(line)
        timestamp = stamp.group(1) if stamp else None
        if w := _WATCHDOG.match(msg):
            pid, adj = int(w.group(1)), int(w.group(2))
            kills.append(LmkdKill(pid, None, None, adj, None, None, "watchdog", timestamp, killer, n + 1))
            continue
        if not _STARTS_KILL.match(msg):
            continue
        km = _KILL.match(msg)
        if km is None:
            if unterminated and n == len(lines) - 1:
                kills.truncated = True
                continue
            raise ParseError(_SOURCE, f"unreadable kill line: {msg[:160]!r}", n + 1)
        rss, why = km.group("rss"), km.group("reason") or km.group("why")
        if rss is None:
            rss, why = _continuation(lines, n, why)
        kills.append(
            LmkdKill(
                pid=int(km.group("pid")),
                process=km.group("name"),
                uid=int(km.group("uid")) if km.group("uid") else None,
                oom_score_adj=int(km.group("adj")),
                rss_kb=int(rss) if rss else None,
                swap_kb=int(km.group("swap")) if km.group("swap") else None,
                reason=why or None,
                timestamp=timestamp,
                killer=killer,
                line=n + 1,
            )
        )
    return kills


def _continuation(lines: list[str], n: int, why: str | None) -> tuple[str | None, str | None]:
    """Size and reason from the line after a two-line kill (lmkd 8/9, kernel driver).

    The continuation is its own logcat entry (same header) or, in dmesg, a
    bare indented line; either way it holds "to free NkB ...". The kernel
    driver's reason goes on for one more line ("cache NkB is below limit
    ..."), appended when the text stops at "because".
    """
    if n + 1 >= len(lines) or _STARTS_KILL.match(_message(lines[n + 1])):
        return None, why
    nxt = _CONTINUATION.search(lines[n + 1])
    if nxt is None:
        return None, why
    reason = nxt.group("why") or why
    if reason and reason.endswith("because") and n + 2 < len(lines):
        reason = f"{reason} {_message(lines[n + 2]).strip()}"
    return nxt.group("rss"), reason


def _message(line: str) -> str:
    m = _TAGGED.search(line)
    return m.group(2) if m else _HEADER.sub("", line)
