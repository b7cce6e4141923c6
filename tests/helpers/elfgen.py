"""Synthesises small ELF64 shared objects for the ELF reader and rule tests (no compiler needed)."""

from __future__ import annotations

import struct
from collections.abc import Sequence

from android_suite.apk.elf import (
    DT_HASH,
    DT_NEEDED,
    DT_SONAME,
    DT_STRSZ,
    DT_STRTAB,
    DT_SYMTAB,
    PF_W,
    PF_X,
    PT_DYNAMIC,
    PT_GNU_RELRO,
    PT_GNU_STACK,
    PT_LOAD,
)  # fmt: skip

PF_R = 4
Seg = tuple[int, int, int, int, int, int, int]  # type, flags, offset, vaddr, filesz, memsz, align


def make_elf(
    *,
    machine: int = 183,
    soname: str | None = "libasuiteapp.so",
    needed: Sequence[str] = ("libc.so", "liblog.so", "libandroid.so"),
    exports: Sequence[str] = ("ANativeActivity_onCreate",),
    hidden: Sequence[str] = (),
    imports: Sequence[str] = ("malloc",),
    extra_dyn: Sequence[tuple[int, int]] = (),
    extra_segments: Sequence[Seg] = (),
    dynstr_extra: bytes = b"",
    code_flags: int = PF_R | PF_X,
    align: int = 0x4000,
    stack_flags: int = PF_R | PF_W,
) -> bytes:
    strings = bytearray(b"\0")

    def add(s: str) -> int:
        off = len(strings)
        strings.extend(s.encode() + b"\0")
        return off

    needed_offs = [add(n) for n in needed]
    soname_off = add(soname) if soname is not None else None
    syms = [(add(n), 0x12, 0, 1) for n in exports]  # GLOBAL FUNC, default, defined
    syms += [(add(n), 0x12, 2, 1) for n in hidden]  # hidden
    syms += [(add(n), 0x12, 0, 0) for n in imports]  # undefined
    strings.extend(dynstr_extra)
    segments: list[Seg] = []
    nphdr = 5 + len(extra_segments)
    dynstr_at = 64 + nphdr * 56
    hash_at = dynstr_at + len(strings)
    hash_at += (-hash_at) % 8
    nsyms = len(syms) + 1
    symtab_at = hash_at + 8 + 4 + 4 * nsyms
    symtab_at += (-symtab_at) % 8
    dyn_at = symtab_at + 24 * nsyms
    dyn = [(DT_NEEDED, o) for o in needed_offs]
    if soname_off is not None:
        dyn.append((DT_SONAME, soname_off))
    dyn += [(DT_HASH, hash_at), (DT_SYMTAB, symtab_at), (DT_STRTAB, dynstr_at), (DT_STRSZ, len(strings))]
    dyn += [*extra_dyn, (0, 0)]
    size = dyn_at + 16 * len(dyn)
    relro_end = 0x4000
    segments = [
        (PT_LOAD, code_flags, 0, 0, size, size, align),
        (PT_LOAD, PF_R | PF_W, 0, 0x4000, 0, 0x10, align),
        (PT_DYNAMIC, PF_R | PF_W, dyn_at, dyn_at, 16 * len(dyn), 16 * len(dyn), 8),
        (PT_GNU_STACK, stack_flags, 0, 0, 0, 0, 16),
        (PT_GNU_RELRO, PF_R, 0, relro_end - 0x100, 0, 0x100, 1),
        *extra_segments,
    ]
    out = bytearray(size)
    out[0:16] = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    struct.pack_into("<HHIQQQIHHHHHH", out, 16, 3, machine, 1, 0, 64, 0, 0, 64, 56, nphdr, 64, 0, 0)
    for i, seg in enumerate(segments):
        t, f, off, va, fs, ms, al = seg
        struct.pack_into("<IIQQQQQQ", out, 64 + i * 56, t, f, off, va, va, fs, ms, al)
    out[dynstr_at : dynstr_at + len(strings)] = strings
    struct.pack_into("<II", out, hash_at, 1, nsyms)  # one bucket; nchain = symbol count
    for i, (name, info, other, defined) in enumerate(syms, 1):
        struct.pack_into("<IBBHQQ", out, symtab_at + i * 24, name, info, other, 9 if defined else 0, 0, 0)
    for i, (tag, val) in enumerate(dyn):
        struct.pack_into("<qQ", out, dyn_at + i * 16, tag, val)
    return bytes(out)
