"""Workloads: declarative app-switching definitions, their resolution on a handset, the memory eater.

- :mod:`definition`: TOML files in ``apk_workloads/`` -> frozen :class:`Workload` records.
- :mod:`resolve`: a workload's apps against a handset's installed packages (fallbacks, drops).
- :mod:`memeater`: the memory-pressure generator on a handset (binary or shell fallback);
  :mod:`build` builds the static binaries, :mod:`eater_output` parses their lines.
"""

from android_suite.workloads.definition import AppSpec, Candidate, Interaction, Workload, load_workload, parse_workload
from android_suite.workloads.eater_config import EaterConfig
from android_suite.workloads.resolve import DroppedApp, Resolution, ResolvedApp, resolve_apps, resolve_on_device

__all__ = [
    "AppSpec",
    "Candidate",
    "DroppedApp",
    "EaterConfig",
    "Interaction",
    "Resolution",
    "ResolvedApp",
    "Workload",
    "load_workload",
    "parse_workload",
    "resolve_apps",
    "resolve_on_device",
]
