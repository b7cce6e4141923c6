"""The on-device sampler loop, built as one ``sh -c`` script (mksh on Android, toybox tools).

Pacing (why not ``sleep PERIOD`` after the work): that makes every tick
period + work + fork latency long, so the schedule drifts by a few percent.
Starting ``sleep PERIOD &`` at the top and ``wait``-ing at the end removes
the work but still adds the sleep's own fork/exec (~1 ms on a phone, 1% at
100 ms) every tick. So the loop keeps an absolute deadline, advanced by
exactly one period per tick, and sleeps only for what is left of it: lateness
never accumulates, and a late tick is followed by a short sleep.

The deadline is kept in ``$EPOCHREALTIME`` (mksh: gettimeofday, "sec.usec",
read without a fork). mksh arithmetic is 32-bit signed, so nothing is ever
held as absolute microseconds: the deadline is (seconds, microseconds), the
difference in whole seconds is clamped to +-1000 before it is multiplied, and
the 6-digit microseconds are read as ``1uuuuuu - 1000000`` (a leading 0 would
otherwise risk octal). The seconds themselves fit until 2038. A difference
outside one period means the wall clock was stepped or the device fell a
whole period behind (suspend, CPU starvation): the schedule restarts from now
instead of firing a burst of catch-up ticks. Without ``$EPOCHREALTIME`` (a
non-mksh shell) the loop falls back to ``sleep PERIOD`` and says so in its
hello line ("sleep"), so the drift is known, not hidden.

``/proc/uptime`` is read each tick as the monotonic stamp (see
``sampler_types``); ``/proc/$$/stat`` gives the loop's own CPU cost.
"""

from __future__ import annotations

import secrets
import shlex

from android_suite.collect.framing import CPU, UPTIME
from android_suite.collect.sampler_types import SamplerConfig

_US = 1_000_000
_CLAMP_S = 1000  # |deadline - now| in whole seconds before * 1e6: stays below 2**31


def new_nonce() -> str:
    """A random marker nonce (8 hex digits)."""
    return secrets.token_hex(4)


def _read(name: str, path: str, reader: str) -> str:
    # The exit status tells a missing file from an empty one; the bare echo
    # puts the rc marker on its own line even after a file with no final newline.
    cat = f"cat {path} 2>/dev/null; r=$?"
    # mksh reads $(<file) itself, without forking: ~15x cheaper than cat per
    # file. It drops trailing newlines, so print puts exactly one back.
    builtin = f'x=$(<{path}) 2>/dev/null; r=$?; [ -n "$x" ] && print -r -- "$x"'
    if reader == "cat":
        read = cat
    elif reader == "builtin":
        read = builtin
    else:
        read = f"if [ $B = 1 ]; then {builtin}; else {cat}; fi"
    return f'echo "@@$N src {name}"; {read}; echo; echo "@@$N rc {name} $r"'


def _body(config: SamplerConfig) -> list[str]:
    reads = [_read(UPTIME, "/proc/uptime", config.reader)]
    reads += [_read(name, shlex.quote(path), config.reader) for name, path in config.sources.items()]
    reads.append(_read(CPU, "/proc/$$/stat", config.reader))
    return ['t=$EPOCHREALTIME; echo "@@$N tick $s $t"', *reads, 'echo "@@$N end $s"; s=$((s + 1))']


def _deadline_sleep() -> list[str]:
    """Advance the deadline by P and sleep until it (see the module docstring)."""
    return [
        "du=$((du + P)); ds=$((ds + du / 1000000)); du=$((du % 1000000))",
        "t=$EPOCHREALTIME; ts=${t%.*}; tu=1${t#*.}; w=$((ds - ts)); d=$((du - tu + 1000000))",
        f"if [ $w -ge -{_CLAMP_S} ] && [ $w -le {_CLAMP_S} ]; then d=$((d + w * 1000000)); else d=$((P + P + 1)); fi",
        'if [ $d -gt $P ] || [ $d -lt "-$P" ]; then ds=$ts; du=$((tu - 1000000)); d=0; fi',
        "if [ $d -gt 0 ]; then f=$((1000000 + d % 1000000)); f=${f#1}; sleep $((d / 1000000)).$f; fi",
    ]


def build_script(config: SamplerConfig, nonce: str) -> str:
    """The loop as one shell script (newline-separated; runs until its stream closes).

    The hello line reports the pacing ("deadline", "sleep" or "unpaced"), the
    shell's pid and the reader (1: mksh's ``$(<file)``, 0: ``cat``).
    """
    period_us = round(config.period_s * _US)
    head = [f"N={nonce}; P={period_us}; s=0; B={1 if config.reader == 'builtin' else 0}"]
    if config.reader == "auto":
        # $(<file) is mksh (also bash, ksh93); dash and others expand it to "".
        # print is a ksh builtin that bash lacks: check both, or a source would
        # silently come back empty.
        head.append('x=$(</proc/uptime) 2>/dev/null; [ -n "$x" ] && print -r -- "$x" >/dev/null 2>&1 && B=1')
    if period_us == 0:
        pace: list[str] = []
        head.append("M=unpaced")
    else:
        fixed = f"{period_us // _US}.{period_us % _US:06d}"
        head += [
            'M=sleep; if [ -n "$EPOCHREALTIME" ]; then M=deadline; fi',
            "if [ $M = deadline ]; then t=$EPOCHREALTIME; ds=${t%.*}; tu=1${t#*.}; du=$((tu - 1000000)); fi",
        ]
        pace = ["if [ $M = deadline ]; then", *_deadline_sleep(), f"else sleep {fixed}; fi"]
    body = _body(config)
    return "\n".join([*head, 'echo "@@$N hello $M $$ $B"', "while :; do", *body, *pace, "done", ""])


def sampler_argv(config: SamplerConfig, nonce: str) -> list[str]:
    """``["sh", "-c", SCRIPT]``: the argv for ``Device.stream_shell``."""
    return ["sh", "-c", build_script(config, nonce)]
