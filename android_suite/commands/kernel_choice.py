"""Which kernel backs the virtual handsets of ``run``/``demo``: the model (sim) or Linux under QEMU.

``--kernel sim`` keeps the modelled kernel; ``qemu`` runs the ``qemu_arm64``
profile (a real kernel; fails when QEMU or a built kernel is missing);
``auto`` (the default) uses QEMU for ``run`` when QEMU and a built kernel are
available, and the model otherwise. ``demo`` keeps auto = sim: it must finish
in about three minutes, and under TCG on a busy 2-core host the same plan on
the QEMU handset took 4 min 40 s (real page touches and swap-ins); it says so.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from android_suite.errors import ConfigError
from android_suite.options import DEFAULT_PROFILES

QEMU_PROFILE = "qemu_arm64"
KERNELS = ("auto", "sim", "qemu")


def add_kernel_option(p: argparse.ArgumentParser, *, demo: bool) -> None:
    auto = "the model (a TCG guest makes the demo about 1.7x slower)" if demo else (
        "QEMU when it and a built kernel are available, else the model"
    )
    p.add_argument(
        "--kernel",
        choices=KERNELS,
        default="auto",
        help=f"virtual handsets' kernel: sim (the model), qemu (Linux under QEMU, profile {QEMU_PROFILE}), "
        f"auto (default: {auto})",
    )
    p.set_defaults(kernel_demo=demo)


def choose(
    kernel: str,
    profiles: list[str] | None,
    *,
    demo: bool,
    say: Callable[[str], None],
    available: Callable[[], bool] | None = None,
) -> tuple[tuple[str, ...], str]:
    """``(profiles, kernel)`` for the session: what to start and with which backend ("sim" or "auto")."""
    if available is None:
        from android_suite.virtual.qemu.launch import qemu_ready

        def available() -> bool:
            return qemu_ready("arm64", "sysctl")

    if kernel == "sim":
        return tuple(profiles or DEFAULT_PROFILES), "sim"
    if kernel == "qemu":
        if not available():
            raise ConfigError(
                "--kernel qemu needs qemu-system-aarch64 and a built kernel: "
                "android-suite kernel-build --arch arm64 --variant sysctl (and stock, v1 for flashing)"
            )
        return tuple(profiles or (QEMU_PROFILE,)), "auto"
    if profiles:  # the user named profiles: [qemu] ones run QEMU, the rest the model
        return tuple(profiles), "auto"
    if demo:
        say(f"[demo] kernel: the model (--kernel auto keeps the demo short; --kernel qemu runs {QEMU_PROFILE})")
        return DEFAULT_PROFILES, "sim"
    if available():
        say(f"[run] kernel: a real Linux kernel under QEMU ({QEMU_PROFILE}); --kernel sim for the model")
        return (QEMU_PROFILE,), "auto"
    say("[run] kernel: the model (no QEMU or no built kernel; see android-suite kernel-build)")
    return DEFAULT_PROFILES, "sim"
