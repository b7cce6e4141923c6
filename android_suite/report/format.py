"""Number formatting and the run-context facts shared by the HTML and Markdown reports."""

from __future__ import annotations

import math

import pandas as pd

from android_suite.analysis.ab import RunAnalysis
from android_suite.results.rundata import RunData

VIRTUAL_BANNER = (
    "Virtual handsets: these numbers come from a modelled kernel (a test double) behind virtual "
    "handsets, not from a phone. They show that the suite works; they say nothing about kcompressd."
)
QEMU_BANNER = (
    "Virtual handsets: these numbers come from a real Linux kernel under QEMU (virtual-qemu: the kernel's own "
    "kswapd, zram and kcompressd on emulated CPUs and RAM), not from a phone; the Android framework around it "
    "is a model. Absolute values depend on the host and on TCG or KVM; on/off differences are the kernel's."
)


def virtual_banner(kinds: set[str]) -> str:
    """The warning for a run on virtual handsets: which kind of kernel produced its numbers."""
    parts = []
    if any(k.startswith("virtual") and k != "virtual-qemu" for k in kinds):
        parts.append(VIRTUAL_BANNER)
    if "virtual-qemu" in kinds:
        parts.append(QEMU_BANNER)
    return " ".join(parts) or VIRTUAL_BANNER


DASH = "–"


def number(x: object) -> str:
    """A value with about four significant digits; a dash for missing."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return DASH
    if not isinstance(x, int | float):
        return str(x)
    v = float(x)
    if v != 0 and (abs(v) >= 1e6 or abs(v) < 1e-3):
        return f"{v:.3g}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def percent(x: float) -> str:
    """A relative change as a signed percentage."""
    return DASH if not math.isfinite(x) else f"{x * 100:+.1f}%"


def interval(low: float, high: float) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return DASH
    return f"[{low * 100:+.1f}%, {high * 100:+.1f}%]"


def p_value(p: float) -> str:
    if not math.isfinite(p):
        return DASH
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _distinct(values: pd.Series | list[object]) -> str:
    seen = sorted({str(v) for v in values if str(v) not in ("", "nan", "None")})
    return ", ".join(seen) if seen else "unknown"


def run_facts(run: RunData, analysis: RunAnalysis) -> list[tuple[str, str]]:
    """(label, value) pairs describing the run: what a reader needs to trust or doubt it."""
    its = run.iterations
    mech = _distinct(list(its["mechanism"])) if "mechanism" in its and not its.empty else "unknown"
    algo_values = list(its["comp_algorithm"]) if "comp_algorithm" in its and not its.empty else []
    algo = _distinct(algo_values or [run.context.get("comp_algorithm", "")])
    kernels = _distinct(list(run.devices["kernel_version"])) if "kernel_version" in run.devices else "unknown"
    excluded = analysis.metrics.excluded
    o = analysis.options
    return [
        ("Run", run.run_id),
        ("Status", run.status + (f" ({run.status_reason})" if getattr(run, "status_reason", "") else "")),
        ("Started / finished", f"{run.started_at or DASH} / {run.finished_at or DASH}"),
        ("Workload", str(run.context.get("workload", "unknown"))),
        ("Devices", str(len(run.devices))),
        ("Kernels", kernels),
        ("Variants", f"A = {analysis.baseline} (baseline), B = {analysis.treatment}"),
        ("Variant mechanism", mech),
        ("comp_algorithm", algo),
        (
            "Iterations compared",
            str(len(analysis.metrics.values[["device", "variant", "iteration"]].drop_duplicates())),
        ),
        ("Iterations excluded", str(len(excluded))),
        (
            "Statistics",
            f"Mann-Whitney U and bootstrap CI ({o.n_boot} resamples, {o.confidence:.0%}, seed {o.seed}); "
            f"alpha {o.alpha}; power analysis for a {o.detect:.0%} change at {o.power:.0%} power",
        ),
    ]


def excluded_summary(analysis: RunAnalysis) -> list[tuple[str, int]]:
    """(reason, count) of the excluded iterations, most frequent first."""
    ex = analysis.metrics.excluded
    if ex.empty:
        return []
    counts = ex["reason"].astype(str).value_counts()
    return [(str(reason), int(n)) for reason, n in counts.items()]
