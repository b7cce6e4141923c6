"""Android's loader rules for an app's native library (bionic's notes for NDK developers), as checks."""

from __future__ import annotations

from android_suite.apk.elf import (
    DF_TEXTREL,
    DT_ANDROID_RELR,
    DT_FLAGS,
    DT_GNU_HASH,
    DT_HASH,
    DT_RELR,
    DT_TEXTREL,
    DT_VERNEED,
    PF_W,
    PF_X,
    PT_GNU_RELRO,
    PT_GNU_STACK,
    PT_LOAD,
    PT_TLS,
    ElfInfo,
)  # fmt: skip

PAGE_16K = 16384
ABI_MACHINES = {"arm64-v8a": "aarch64", "x86_64": "x86_64", "armeabi-v7a": "arm", "x86": "x86"}
# The NDK's stable system libraries: anything else may be missing or private on a phone.
PUBLIC_NDK_LIBS = frozenset(
    f"{n}.so"
    for n in (
        "libc", "libm", "libdl", "liblog", "libandroid", "libz", "libjnigraphics", "libEGL", "libGLESv1_CM",
        "libGLESv2", "libGLESv3", "libOpenSLES", "libOpenMAXAL", "libvulkan", "libaaudio", "libamidi",
        "libcamera2ndk", "libmediandk", "libnativewindow", "libneuralnetworks", "libsync", "libstdc++",
        "libbinder_ndk",
    )
)  # fmt: skip


def elf_violations(
    info: ElfInfo,
    *,
    abi: str,
    soname: str = "libasuiteapp.so",
    exports: tuple[str, ...] = ("ANativeActivity_onCreate",),
) -> list[str]:
    """Every rule ``info`` breaks, as readable sentences (empty: the library is fine)."""
    bad: list[str] = []
    want = ABI_MACHINES.get(abi)
    if info.machine != want:
        bad.append(f"machine {info.machine}, expected {want} for {abi}")
    if info.elf_type != 3:
        bad.append(f"ELF type {info.elf_type}, expected ET_DYN (3)")
    if info.soname != soname:
        bad.append(f"SONAME {info.soname!r}, expected {soname!r}")
    for lib in info.needed:
        if "/" in lib or lib not in PUBLIC_NDK_LIBS:
            bad.append(f"NEEDED {lib!r} is not a public NDK library")
    flags = info.tag_value(DT_FLAGS) or 0
    if info.has_tag(DT_TEXTREL) or flags & DF_TEXTREL:
        bad.append("text relocations (DT_TEXTREL)")
    if not (info.has_tag(DT_HASH) or info.has_tag(DT_GNU_HASH)):
        bad.append("neither DT_HASH nor DT_GNU_HASH")
    if info.has_tag(DT_VERNEED):
        bad.append("DT_VERNEED: symbol versions required (bionic has no GLIBC_* versions)")
    if b"GLIBC" in info.dynstr:
        bad.append("references a GLIBC symbol version")
    if info.has_tag(DT_RELR) or info.has_tag(DT_ANDROID_RELR):
        bad.append("packed relative relocations (DT_RELR)")
    loads = [s for s in info.segments if s.type == PT_LOAD]
    for s in loads:
        if s.flags & PF_W and s.flags & PF_X:
            bad.append(f"writable and executable segment at {s.vaddr:#x}")
        if s.align < PAGE_16K or (s.offset - s.vaddr) % PAGE_16K:
            bad.append(f"PT_LOAD at {s.vaddr:#x} aligned {s.align:#x}, 16 KiB pages need {PAGE_16K:#x}")
    stacks = [s for s in info.segments if s.type == PT_GNU_STACK]
    if not stacks or any(s.flags & PF_X for s in stacks):
        bad.append("executable stack (PT_GNU_STACK missing or PF_X)")
    if any(s.type == PT_TLS for s in info.segments):
        bad.append("PT_TLS: ELF TLS needs API 29+")
    for s in info.segments:
        if s.type == PT_GNU_RELRO and (s.vaddr + s.memsz) % PAGE_16K:
            bad.append(f"RELRO ends at {s.vaddr + s.memsz:#x}, not on a 16 KiB boundary")
    if info.exports != tuple(sorted(exports)):
        bad.append(f"exports {list(info.exports)}, expected only {list(exports)}")
    return bad
