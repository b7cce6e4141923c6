"""Build the byte stream the on-device loop prints, for framing and sampler tests."""

from __future__ import annotations

from collections.abc import Mapping

NONCE = "c0ffee00"


def block(name: str, content: str | None, nonce: str = NONCE) -> str:
    """One source as the loop prints it: content plus the newline the loop adds."""
    status = 0 if content is not None else 1
    return f"@@{nonce} src {name}\n{content or ''}\n@@{nonce} rc {name} {status}\n"


def frame(
    seq: int,
    sources: Mapping[str, str | None],
    *,
    uptime: float = 100.0,
    wall: str = "1700000000.000000",
    stat: str | None = "4242 (sh) S 1 4242 4242 0 -1 4194560 0 0 0 0 3 4 5 6 20 0 1 0 100 0 0",
    nonce: str = NONCE,
) -> bytes:
    """One complete tick."""
    parts = [f"@@{nonce} tick {seq} {wall}\n", block("_up", f"{uptime:.2f} 400.00\n", nonce)]
    parts += [block(name, text, nonce) for name, text in sources.items()]
    parts += [block("_cpu", None if stat is None else stat + "\n", nonce), f"@@{nonce} end {seq}\n"]
    return "".join(parts).encode()


def hello(pacing: str = "deadline", pid: int = 4242, nonce: str = NONCE) -> bytes:
    return f"@@{nonce} hello {pacing} {pid} 1\n".encode()
