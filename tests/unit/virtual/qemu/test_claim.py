"""The real-kernel claim check over a fake guest: both comparisons, the analysis and the report files."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from android_suite.report.claimcheck import write_claim_report
from android_suite.virtual.qemu import claim
from android_suite.virtual.qemu.claim import ClaimRun, ClaimSettings, Guest, run_builds, run_sysctl
from tests.unit.virtual.qemu.fakeguest import DATA


class ClaimAgent:
    """vmstat counters that move while the eater runs: faster with kcompressd on (build "v1", or the knob > 0)."""

    def __init__(self, build: str) -> None:
        self.build = build
        self.knob = b"256\n"
        self.steal = self.stall = self.swap = 0
        self.eater: int | None = None

    def read(self, path: str, timeout: float | None = None) -> bytes:
        if path == "/proc/vmstat":
            if self.eater is not None:
                on = self.build == "v1" or (self.build == "sysctl" and self.knob.strip() != b"0")
                self.steal += 3000 if on else 1000
                self.stall += 10 if on else 20
                self.swap += 500
            text = f"pgsteal_anon {self.steal}\nallocstall_movable {self.stall}\npswpout {self.swap}\npgscan_kswapd 0\n"
            return text.encode()
        if path == "/proc/sys/vm/kcompressd":
            return self.knob
        if path == "/proc/version":
            return b"Linux version 6.12.38 (b@h) #1 SMP\n"
        if path == "/proc/meminfo":
            return b"MemTotal:        1001234 kB\n"
        if self.eater is not None and path == f"/proc/{self.eater}/stat":
            return b"9 (memeater) R 1\n"
        raise FileNotFoundError(path)

    def write(self, path: str, data: bytes, timeout: float | None = None) -> None:
        assert path == "/proc/sys/vm/kcompressd"
        self.knob = data

    def spawn(self, argv: Sequence[str], log: str | None = None, timeout: float | None = None) -> int:
        assert argv[0] == "memeater" and argv[argv.index("--size-mb") + 1] == "1075"  # 110% of MemTotal
        self.eater = 9
        return 9

    def kill(self, pid: int, sig: int = 15, timeout: float | None = None) -> None:
        assert pid == self.eater
        self.eater = None

    def exec(self, argv: Sequence[str], timeout: float) -> tuple[int, bytes]:
        if argv[:2] == ["sh", "-c"] and "stat" in argv[2]:
            return 0, (DATA / "stat_all.txt").read_bytes()
        if argv[:2] == ["sh", "-c"] and "drop_caches" in argv[2]:
            return 0, b""
        raise AssertionError(list(argv))


def test_both_comparisons_produce_the_claim_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claim, "SETTLE_POLL_S", 0.0)
    booted: list[str] = []

    @contextmanager
    def boot(build: str) -> Iterator[Guest]:
        booted.append(build)
        yield Guest(ClaimAgent(build), lambda: "[ 1.0] ok\n", False, 12.5)  # type: ignore[arg-type]

    run = ClaimRun()
    settings = ClaimSettings(iterations=4, seconds=0.01)
    run_builds(run, boot, "v1", settings, lambda line: None)
    run_sysctl(run, boot, settings, lambda line: None)
    assert booted == ["stock", "v1", "stock", "v1", "sysctl"]  # alternating blocks, then one sysctl boot
    assert run.facts["accelerator"] == "TCG (no KVM)" and run.facts["vm.kcompressd default"] == "256"
    values = pd.DataFrame(run.rows)
    assert set(values["device"]) == {"builds: stock vs v1", "sysctl: vm.kcompressd 0 vs default"}
    assert len(values[values["metric"] == "pgsteal_anon_per_s"]) == 16
    report = write_claim_report(values, run.facts, run.boots, tmp_path)
    claims = report.claims.set_index(["device", "metric"])
    steal = claims.loc[("builds: stock vs v1", "pgsteal_anon_per_s")]
    # Rates are per wall-clock second of a fake run, so only the direction is certain.
    assert steal["measured"] > 0.5 and steal["consistent"] in ("yes", "no", "inconclusive")
    assert claims.loc[("sysctl: vm.kcompressd 0 vs default", "allocstall_total_per_s")]["measured"] < 0
    text = report.markdown.read_text()
    assert "real Linux kernel under QEMU" in text and "TCG (no KVM)" in text and "| none |" in text
    assert "Claims" in report.html.read_text()
