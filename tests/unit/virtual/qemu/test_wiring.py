"""The QEMU backend's wiring: profile [qemu], the kernel choice of run/demo/virtual up, the report banner."""

from __future__ import annotations

import pytest

from android_suite.commands.kernel_choice import choose
from android_suite.errors import ConfigError
from android_suite.options import DEFAULT_PROFILES
from android_suite.report.format import QEMU_BANNER, VIRTUAL_BANNER, virtual_banner
from android_suite.virtual.profile import load_profile, parse_profile
from android_suite.virtual.qemu.compose import wants_qemu


def test_qemu_profile_settings() -> None:
    p = load_profile("qemu_arm64")
    assert p.qemu is not None and (p.qemu.arch, p.qemu.cpus, p.qemu.memory_mb, p.qemu.variant) == (
        "arm64", 2, 1024, "sysctl")  # fmt: skip
    assert p.props["ro.product.device"] == "asuite_qemu_arm64" and p.adbd_root
    assert load_profile("mediatek").qemu is None


def test_bad_qemu_section_is_refused() -> None:
    import tomllib
    from pathlib import Path

    from android_suite.virtual.profile import profiles_dir

    data = tomllib.loads((Path(profiles_dir()) / "qemu_arm64.toml").read_text())
    data["qemu"]["variant"] = "rfc"
    with pytest.raises(ConfigError, match="variant"):
        parse_profile(data)
    data["qemu"] = {"arch": "arm64", "typo": 1}
    with pytest.raises(ConfigError, match="typo"):
        parse_profile(data)


def test_wants_qemu() -> None:
    qemu, model = load_profile("qemu_arm64"), load_profile("mediatek")
    assert wants_qemu(qemu, "auto") and wants_qemu(qemu, "qemu") and not wants_qemu(qemu, "sim")
    assert not wants_qemu(model, "auto")
    with pytest.raises(ConfigError, match="no \\[qemu\\]"):
        wants_qemu(model, "qemu")


def test_kernel_choice() -> None:
    said: list[str] = []
    yes, no = (lambda: True), (lambda: False)
    assert choose("sim", None, demo=False, say=said.append, available=yes) == (DEFAULT_PROFILES, "sim")
    assert choose("auto", None, demo=False, say=said.append, available=yes) == (("qemu_arm64",), "auto")
    assert choose("auto", None, demo=False, say=said.append, available=no) == (DEFAULT_PROFILES, "sim")
    assert choose("auto", None, demo=True, say=said.append, available=yes) == (DEFAULT_PROFILES, "sim")
    assert any("keeps the demo short" in line for line in said)
    assert choose("qemu", None, demo=True, say=said.append, available=yes) == (("qemu_arm64",), "auto")
    assert choose("auto", ["mediatek"], demo=False, say=said.append, available=yes) == (("mediatek",), "auto")
    with pytest.raises(ConfigError, match="kernel-build"):
        choose("qemu", None, demo=False, say=said.append, available=no)


def test_banner_names_the_backend() -> None:
    assert virtual_banner({"virtual-sim"}) == VIRTUAL_BANNER
    assert virtual_banner({"virtual-qemu"}) == QEMU_BANNER
    assert "real Linux kernel under QEMU" in QEMU_BANNER
    both = virtual_banner({"virtual-sim", "virtual-qemu", "physical"})
    assert VIRTUAL_BANNER in both and QEMU_BANNER in both
