"""The QEMU command line: loopback-only forward, restricted user net, console to a file, TCG vs KVM."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from android_suite.virtual.qemu.machine import GuestImage, QemuError, QemuMachine, find_image, qemu_argv, qemu_available


def _image(arch: str) -> GuestImage:
    return GuestImage(arch, Path("/k/Image"), Path("/k/initrd.cpio"), "console=ttyAMA0 panic=-1")


def test_arm64_tcg() -> None:
    argv = qemu_argv(_image("arm64"), cpus=2, memory_mb=1024, host_port=4321, console_log=Path("/l/c.log"), kvm=False)
    assert argv[0] == "qemu-system-aarch64"
    assert argv[argv.index("-M") + 1] == "virt" and argv[argv.index("-cpu") + 1] == "cortex-a57"
    net = argv[argv.index("-netdev") + 1]
    assert "hostfwd=tcp:127.0.0.1:4321-:7100" in net and "restrict=on" in net
    assert argv.count("hostfwd") == 0 and net.count("hostfwd=") == 1
    assert argv[argv.index("-serial") + 1] == "file:/l/c.log"
    assert argv[argv.index("-append") + 1] == "console=ttyAMA0 panic=-1"
    assert "-no-reboot" in argv and argv[argv.index("-smp") + 1] == "2" and argv[argv.index("-m") + 1] == "1024"


def test_x86_kvm() -> None:
    argv = qemu_argv(_image("x86_64"), cpus=4, memory_mb=2048, host_port=1, console_log=Path("c"), kvm=True)
    assert argv[0] == "qemu-system-x86_64"
    assert argv[argv.index("-M") + 1] == "microvm,acpi=off,accel=kvm" and argv[argv.index("-cpu") + 1] == "host"


def test_unknown_arch() -> None:
    with pytest.raises(ValueError):
        qemu_argv(_image("mips"), cpus=1, memory_mb=1, host_port=1, console_log=Path("c"), kvm=False)


def test_find_image_reads_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANDROID_SUITE_CACHE", str(tmp_path))
    assert find_image("arm64", "sysctl") is None
    (tmp_path / "k").mkdir()
    kernel, initramfs = tmp_path / "k" / "Image", tmp_path / "k" / "i.cpio"
    index = tmp_path / "kernels" / "index" / "arm64-sysctl.json"
    index.parent.mkdir(parents=True)
    index.write_text(json.dumps({"kernel": str(kernel), "initramfs": str(initramfs), "cmdline": "console=ttyAMA0"}))
    assert find_image("arm64", "sysctl") is None  # files missing
    kernel.write_bytes(b"k")
    initramfs.write_bytes(b"i")
    assert find_image("arm64", "sysctl") == GuestImage("arm64", kernel, initramfs, "console=ttyAMA0")


@pytest.mark.skipif(not qemu_available("arm64"), reason="qemu-system-aarch64 not installed")
def test_start_failure_names_argv_and_leaves_no_process(tmp_path: Path) -> None:
    image = GuestImage("arm64", tmp_path / "missing-Image", tmp_path / "missing.cpio", "console=ttyAMA0")
    machine = QemuMachine(image, console_log=tmp_path / "console.log", use_kvm=False)
    with pytest.raises(QemuError) as info:
        machine.start(timeout=20)
    text = str(info.value)
    assert "qemu-system-aarch64" in text and "missing-Image" in text and "hostfwd=tcp:127.0.0.1:" in text
    assert machine.pid is None and not machine.running()
    machine.stop()  # idempotent
