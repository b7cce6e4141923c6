"""Table builders behind :func:`android_suite.analysis.synthetic.synthetic_run`.

Each builder takes the spec, the iteration table (one row per device,
variant and iteration, in the order they ran) and the run's Generator, and
returns one RunData frame. Per-iteration levels are drawn here: base level x
(1 + effect) on the treatment arm x lognormal iteration noise, so the noise
is multiplicative and the effect relative, as on a real handset where a busy
iteration is busier in every counter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

if TYPE_CHECKING:
    from android_suite.analysis.synthetic import SyntheticSpec

_Floats = npt.NDArray[np.float64]
_GAP_S = 30.0  # idle time between iterations (device clock)
_REBOOT_UPTIME_S = 20.0  # device clock right after the reboot inside the spoilt iteration


def iteration_table(spec: SyntheticSpec, rng: np.random.Generator) -> pd.DataFrame:
    """Iterations in run order: warm-ups first, arms interleaved, one spoilt baseline iteration mid-run."""
    base, treat = spec.variants
    rows: list[tuple[str, str, int, bool, bool, str]] = []
    for dev in spec.devices:
        for k in range(spec.warmup):
            rows += [(dev.serial, v, k, True, True, "") for v in (base, treat)]
        for k in range(spec.iterations):
            i = spec.warmup + k
            if k == spec.iterations // 2:
                for j in range(spec.invalid):  # spoilt ones get the next numbers of the baseline arm
                    n = spec.warmup + spec.iterations + j
                    rows.append((dev.serial, base, n, False, False, "device rebooted during the iteration (boot_id)"))
            rows += [(dev.serial, v, i, False, True, "") for v in (base, treat)]
    frame = pd.DataFrame(rows, columns=["device", "variant", "iteration", "warmup", "valid", "reason"])
    step = pd.Timedelta(seconds=spec.duration_s + _GAP_S)
    start = pd.Timestamp("2026-01-01T00:00:00", tz="UTC")
    order = frame.groupby("device", sort=False).cumcount().to_numpy()
    frame["started_at"] = start + step * order
    frame["ended_at"] = frame["started_at"] + pd.Timedelta(seconds=spec.duration_s)
    frame["mechanism"] = spec.mechanism
    frame["comp_algorithm"] = spec.comp_algorithm
    for col in ("device", "variant", "mechanism", "comp_algorithm"):
        frame[col] = frame[col].astype("category")
    frame["order"] = order  # extra column: position in the device's run
    return frame


def device_table(spec: SyntheticSpec) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "device": [d.serial for d in spec.devices],
            "model": [d.model for d in spec.devices],
            "soc_vendor": [d.soc_vendor for d in spec.devices],
            "soc_model": [d.soc_model for d in spec.devices],
            "kind": ["virtual-sim" if spec.virtual else "physical"] * len(spec.devices),
            "android_release": ["14"] * len(spec.devices),
            "sdk": [34] * len(spec.devices),
            "kernel_version": [d.kernel_version for d in spec.devices],
            "ram_kb": [d.ram_kb for d in spec.devices],
            "build_fingerprint": [f"synthetic/{d.serial}/14:userdebug" for d in spec.devices],
        }
    )


def levels(
    spec: SyntheticSpec, its: pd.DataFrame, rng: np.random.Generator, base: str, effect: float, cv: float
) -> _Floats:
    """One level per iteration row: the device's ``base`` attribute, the effect on the treatment arm, noise."""
    by_serial = {d.serial: float(getattr(d, base)) for d in spec.devices}
    level = its["device"].astype(str).map(by_serial).to_numpy(dtype=np.float64)
    treated = (its["variant"].astype(str) == spec.variants[1]).to_numpy()
    sigma = np.sqrt(np.log1p(cv * cv))  # lognormal with this coefficient of variation and mean 1
    noise = rng.lognormal(-sigma * sigma / 2, sigma, size=len(its))
    return level * np.where(treated, 1.0 + effect, 1.0) * noise


# (metric, unit, base attribute, effect attribute, noise attribute, scale of base)
_COUNTERS = (
    ("pgsteal_anon", "pages", "pgsteal_anon", "pgsteal_anon", "reclaim", 1.0),
    ("pgscan_anon", "pages", "pgsteal_anon", "pgsteal_anon", "reclaim", 1.4),
    ("pswpout", "pages", "pswpout", "pswpout", "reclaim", 1.0),
    ("pswpin", "pages", "pswpout", "pswpout", "reclaim", 0.3),
    ("allocstall_total", "events", "allocstall", "allocstall", "allocstall", 1.0),
    ("pgmajfault", "events", "allocstall", "allocstall", "allocstall", 50.0),
    ("some_total", "us", "psi_some", "psi", "psi", 1e4),  # PSI total: microseconds stalled, % x 1e4 per s
)


def sample_table(spec: SyntheticSpec, its: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """vmstat-like counters and a PSI gauge, sampled every ``period_s``; counters reset at the reboot."""
    n_t = round(spec.duration_s / spec.period_s) + 1
    within = np.arange(n_t) * spec.period_s
    order = its["order"].to_numpy()
    spoilt = ~its["valid"].to_numpy(dtype=bool)
    blocks: list[pd.DataFrame] = []
    for serial in its["device"].astype(str).unique():
        rows = np.flatnonzero((its["device"].astype(str) == serial).to_numpy())
        its_d = its.iloc[rows]
        n_it = len(rows)
        t = (order[rows, None] * (spec.duration_s + _GAP_S) + 1000.0 + within[None, :]).astype(np.float64)
        boot = np.zeros((n_it, n_t), dtype=np.int64)
        reboot = np.flatnonzero(spoilt[rows])
        if reboot.size:  # reboot half way through the first spoilt iteration: clock and counters restart
            r, half = int(reboot[0]), n_t // 2
            boot[r, half:], boot[r + 1 :, :] = 1, 1
            shift = t[r, half] - _REBOOT_UPTIME_S
            t[r, half:] -= shift
            t[r + 1 :, :] -= shift
        for metric, unit, base, eff, cv, scale in _COUNTERS:
            rate = levels(spec, its_d, rng, base, getattr(spec.effects, eff), getattr(spec.noise, cv)) * scale
            inc = (
                rate[:, None]
                * spec.period_s
                * np.clip(1 + spec.noise.sample * rng.standard_normal((n_it, n_t)), 0, None)
            )
            flat_inc, flat_boot = inc.ravel(), boot.ravel()
            value = np.cumsum(flat_inc) + 1e9  # counters have been running since boot
            if reboot.size:
                first = int(np.argmax(flat_boot == 1))
                value[first:] -= value[first] - flat_inc[first]
            blocks.append(_block(its_d, n_t, t, metric, value, unit, boot, serial))
        psi = levels(spec, its_d, rng, "psi_some", spec.effects.psi, spec.noise.psi)
        gauge = np.clip(psi[:, None] * (1 + 0.2 * rng.standard_normal((n_it, n_t))), 0, 100)
        blocks.append(_block(its_d, n_t, t, "some_avg10", gauge.ravel(), "%", boot, serial))
    out = pd.concat(blocks, ignore_index=True)
    for col in ("device", "variant", "metric", "unit", "boot_id"):
        out[col] = out[col].astype("category")
    return out


def _block(
    its_d: pd.DataFrame, n_t: int, t: _Floats, metric: str, value: _Floats, unit: str, boot: np.ndarray, serial: str
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "device": np.repeat(its_d["device"].astype(str).to_numpy(), n_t),
            "variant": np.repeat(its_d["variant"].astype(str).to_numpy(), n_t),
            "iteration": np.repeat(its_d["iteration"].to_numpy(dtype=np.int64), n_t),
            "t": t.ravel(),
            "metric": metric,
            "value": value,
            "unit": unit,
            "boot_id": np.char.add(f"{serial}-boot-", boot.ravel().astype(str)),
        }
    )
