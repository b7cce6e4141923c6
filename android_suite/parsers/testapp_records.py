"""Records of the test app's log (tag ``ASuiteApp``), as :mod:`android_suite.parsers.testapp_log` returns them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar


@dataclass(frozen=True)
class AppStart:
    pkg: str
    pid: int
    anon_kb: int
    ratio: float
    fill_ms: float
    page_kb: int
    line: int
    timestamp: str | None = None


@dataclass(frozen=True)
class AppResume:
    pkg: str
    touch_kb: int
    touch_ms: float
    line: int
    timestamp: str | None = None


@dataclass(frozen=True)
class FrameBatch:
    """Consecutive frames: ``seq`` is the index of the first one since the process started."""

    pkg: str
    seq: int
    deadline_us: int
    dur_us: tuple[int, ...]
    line: int
    timestamp: str | None = None

    @property
    def janky(self) -> int:
        return sum(d > self.deadline_us for d in self.dur_us)


@dataclass(frozen=True)
class AppPause:
    pkg: str
    frames: int
    janky: int
    line: int
    timestamp: str | None = None


@dataclass(frozen=True)
class AppStop:
    pkg: str
    line: int
    timestamp: str | None = None


@dataclass(frozen=True)
class AppError:
    pkg: str
    what: str
    detail: str
    line: int
    timestamp: str | None = None


Record = AppStart | AppResume | FrameBatch | AppPause | AppStop | AppError
RecordKind = TypeVar("RecordKind", AppStart, AppResume, FrameBatch, AppPause, AppStop, AppError)


@dataclass(frozen=True)
class LogIssue:
    """Something in the capture the parser could not take as is (reported, never fatal)."""

    line: int
    reason: str
    text: str


@dataclass(frozen=True)
class TestAppLog:
    """The app's records by kind (each in capture order), and what was odd about the capture."""

    __test__ = False  # a name pytest would otherwise try to collect

    starts: tuple[AppStart, ...] = ()
    resumes: tuple[AppResume, ...] = ()
    frame_batches: tuple[FrameBatch, ...] = ()
    pauses: tuple[AppPause, ...] = ()
    stops: tuple[AppStop, ...] = ()
    errors: tuple[AppError, ...] = ()
    issues: tuple[LogIssue, ...] = ()
    truncated: bool = False

    def records(self) -> list[Record]:
        """Every record in capture order."""
        kinds: tuple[tuple[Record, ...], ...] = (
            self.starts, self.resumes, self.frame_batches, self.pauses, self.stops, self.errors,
        )  # fmt: skip
        return sorted((r for kind in kinds for r in kind), key=lambda r: r.line)

    def of(self, pkg: str) -> list[Record]:
        return [r for r in self.records() if r.pkg == pkg]

    def frames(self, pkg: str | None = None) -> list[FrameBatch]:
        return [r for r in self.frame_batches if pkg is None or r.pkg == pkg]

    @property
    def packages(self) -> list[str]:
        return list(dict.fromkeys(r.pkg for r in self.records()))
