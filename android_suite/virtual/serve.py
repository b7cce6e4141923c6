"""One virtual-handset process: N handsets, each with adb and fastboot endpoints.

Started in the background by :mod:`android_suite.virtual.manager` (or in the
foreground by ``android-suite virtual serve``). It writes a JSON state file
once every endpoint is listening, so whoever started it can wait on that
condition instead of sleeping, and it serves the control channel described in
:mod:`android_suite.virtual.control`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from android_suite.virtual.adbd import AdbEndpoint
from android_suite.virtual.api import Faults
from android_suite.virtual.bootimg import build_boot_image
from android_suite.virtual.bootloader import Bootloader
from android_suite.virtual.fastboot import FastbootEndpoint
from android_suite.virtual.handset import VirtualHandset
from android_suite.virtual.profile import load_profile
from android_suite.virtual.qemu.backend import QemuKernel
from android_suite.virtual.qemu.compose import close_qemu, start_qemu_handset, wants_qemu
from android_suite.virtual.sim import profile_kernel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandsetSpec:
    """What to start: a profile, a name, and overrides for tests."""

    profile: str
    name: str
    seed: int = 0
    features: tuple[str, ...] | None = None  # None = the profile's own adb features
    kernel: str = "auto"  # "sim" (the model), "qemu" (a real kernel; the profile needs [qemu]), "auto"


@dataclass
class Running:
    spec: HandsetSpec
    handset: VirtualHandset
    adb: AdbEndpoint
    fastboot: FastbootEndpoint

    def describe(self) -> dict[str, Any]:
        props = self.handset.props
        return {
            "name": self.spec.name,
            "profile": self.spec.profile,
            "serial": f"127.0.0.1:{self.adb.port}",
            "adb_port": self.adb.port,
            "fastboot_port": self.fastboot.port,
            "model": props.get("ro.product.model", ""),
            "mode": self.handset.mode,
            "boot_id": self.handset.boot.boot_id,
            "kind": self.handset.kernel.kind,  # "virtual-sim" (the model) or "virtual-qemu" (a real kernel)
            # For fault tests: what still runs, and which kernel image would boot.
            "running": sorted(self.handset.log.running.values()),
            **_slot_facts(self.handset.bootloader),
        }


def _slot_facts(bootloader: object) -> dict[str, Any]:
    if not isinstance(bootloader, Bootloader):
        return {}
    image = bootloader.contents.get(f"boot_{bootloader.active_slot}", b"")
    return {"active_slot": bootloader.active_slot, "boot_sha256": hashlib.sha256(image).hexdigest()}


class HandsetProcess:
    """Owns the handsets of this process and answers control requests."""

    def __init__(self, specs: list[HandsetSpec], state_file: Path) -> None:
        self.specs = specs
        self.state_file = state_file
        self.running: dict[str, Running] = {}
        self._stopped = asyncio.Event()
        self._control: asyncio.Server | None = None
        self.qemu_kernels: list[QemuKernel] = []

    async def start(self) -> None:
        for spec in self.specs:
            profile = load_profile(spec.profile)
            features = list(spec.features) if spec.features is not None else None
            if wants_qemu(profile, spec.kernel):
                # A real kernel under QEMU: booted (agent answering) before the state file says "up".
                work = self.state_file.parent / f"{self.state_file.stem}-{spec.name}"
                handset, kernel = await start_qemu_handset(
                    profile, name=spec.name, seed=spec.seed, features=features, work_dir=work
                )
                self.qemu_kernels.append(kernel)
                await self._serve_handset(spec, handset)
                continue
            handset = VirtualHandset(profile, name=spec.name, seed=spec.seed, features=features)
            # Factory images: both slots carry the profile's kernel, with its default kcompressd variant.
            factory = build_boot_image(profile_kernel(profile))
            handset.bootloader = Bootloader(
                product=handset.props.get("ro.product.device", spec.name),
                serialno=handset.props.get("ro.serialno", spec.name),
                images={"boot_a": factory, "boot_b": factory},
                check_images=True,
            )
            await self._serve_handset(spec, handset)
        self._control = await asyncio.start_server(self._serve_control, "127.0.0.1", 0)
        control_port = self._control.sockets[0].getsockname()[1]
        state = {
            "pid": os.getpid(),
            "control_port": control_port,
            "handsets": [r.describe() for r in self.running.values()],
        }
        # Write then rename: a reader never sees half a file.
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.state_file)

    async def _serve_handset(self, spec: HandsetSpec, handset: VirtualHandset) -> None:
        adb = AdbEndpoint(handset)
        await adb.start()
        fastboot = FastbootEndpoint(handset)
        await fastboot.start()
        self.running[spec.name] = Running(spec, handset, adb, fastboot)

    def close_kernels(self) -> None:
        """Stop every QEMU guest (called on every exit path of the process; never raises)."""
        for kernel in self.qemu_kernels:
            close_qemu(kernel)
        self.qemu_kernels.clear()

    async def wait(self) -> None:
        await self._stopped.wait()

    async def stop(self) -> None:
        if self._control is not None:
            self._control.close()
        for r in self.running.values():
            await r.adb.stop()
            await r.fastboot.stop()
        self.close_kernels()
        self._stopped.set()

    async def _serve_control(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await reader.readline()
            try:
                reply = await self._handle(json.loads(line))
            except Exception as exc:  # a bad request must not kill the process
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            writer.write(json.dumps(reply).encode() + b"\n")
            await writer.drain()
        finally:
            writer.close()

    async def _handle(self, req: dict[str, Any]) -> dict[str, Any]:
        op = req.get("op")
        if op == "status":
            return {"ok": True, "handsets": [r.describe() for r in self.running.values()]}
        if op == "shutdown":
            asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(self.stop()))
            return {"ok": True}
        name = req.get("handset")
        if name not in self.running:
            return {"ok": False, "error": f"no handset named {name!r}; have {sorted(self.running)}"}
        handset = self.running[name].handset
        if op == "fault":
            if req.get("reset"):
                handset.faults = Faults()
            known = {f.name for f in dataclasses.fields(Faults)}
            unknown = set(req.get("set", {})) - known
            if unknown:
                return {"ok": False, "error": f"unknown fault fields {sorted(unknown)}; known {sorted(known)}"}
            for key, value in req.get("set", {}).items():
                setattr(handset.faults, key, value)
            return {"ok": True}
        if op == "drop":
            delay = float(req.get("delay_s", 0.0))
            asyncio.get_running_loop().call_later(delay, handset.drop_connections)
            return {"ok": True}
        if op == "reboot":
            target = str(req.get("target", ""))
            delay = float(req.get("delay_s", 0.0))
            asyncio.get_running_loop().call_later(delay, handset.request_reboot, target)
            return {"ok": True}
        return {"ok": False, "error": f"unknown op {op!r}"}


async def serve(specs: list[HandsetSpec], state_file: Path) -> None:
    """Run until SIGTERM/SIGINT or a shutdown request."""
    proc = HandsetProcess(specs, state_file)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(proc.stop()))
    try:
        await proc.start()
        log.info("virtual handsets up: %s", ", ".join(proc.running))
        await proc.wait()
    finally:
        proc.close_kernels()  # an exception, a signal or a shutdown request: QEMU never outlives us
        state_file.unlink(missing_ok=True)
