"""Sampler ticks from a virtual handset become tidy frames and reboot-safe rates."""

from __future__ import annotations

import numpy as np

from android_suite.analysis.frames import to_frame
from android_suite.analysis.rates import counter_rates
from android_suite.collect.sampler import Sampler
from android_suite.collect.sampler_types import DEFAULT_SOURCES, Sample, SamplerConfig
from android_suite.collect.tidy import TidyStats, tidy_samples
from android_suite.device.device import Device
from android_suite.parsers.ps import parse_ps


def test_ticks_become_tidy_metrics_with_rates(device: Device) -> None:
    ps = parse_ps(device.shell(["ps", "-A"]).stdout)
    kswapd = ps.reclaim_pids()["kswapd0"]
    sources = {**DEFAULT_SOURCES, "kswapd0": f"/proc/{kswapd}/stat"}
    samples: list[Sample] = []
    with Sampler(device, SamplerConfig(sources=sources, period_s=0.1)) as sampler:
        # Start an app mid-run so the counters move.
        device.shell(
            ["am", "start", "-W", "-n", "com.android.chrome/com.google.android.apps.chrome.Main"],
            check=False,
            timeout=30,
        )
        while len(samples) < 20:
            sample = sampler.get(timeout=10)
            assert sample is not None, sampler.stats()
            samples.append(sample)
    stats = TidyStats()
    rows = tidy_samples(samples, sources, device=device.serial, variant="off", iteration=0, stats=stats)
    assert not stats.unparsed and not stats.unknown, stats
    frame = to_frame(rows)
    metrics = set(frame["metric"].astype(str))
    for wanted in ("pgsteal_anon", "allocstall_total", "MemAvailable", "some_avg10", "orig_data_size", "kswapd0_cpu_s"):
        assert any(m.endswith(wanted) for m in metrics), (wanted, sorted(metrics)[:20])
    rates = counter_rates(frame, ["pgsteal_anon", "allocstall_total", "pswpout"])
    values = rates["value"].to_numpy()
    assert np.all(np.isnan(values) | (values >= 0))
