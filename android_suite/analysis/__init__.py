"""Analysis: typed metric records as tidy pandas frames, and what is derived from them.

``frames`` builds the one long frame per run (and pivots it for plots);
``rates`` turns kernel counters into per-second rates that survive reboots.
"""

from android_suite.analysis.frames import MetricSample, check_frame, empty_frame, from_frame, to_frame, to_wide
from android_suite.analysis.rates import RATE_SUFFIX, counter_rates, counter_segments, mean_rates

__all__ = [
    "RATE_SUFFIX",
    "MetricSample",
    "check_frame",
    "counter_rates",
    "counter_segments",
    "empty_frame",
    "from_frame",
    "mean_rates",
    "to_frame",
    "to_wide",
]
