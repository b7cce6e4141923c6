"""A small ELF64 little-endian reader: just what Android's loader rules need. Pure (bytes in, records out)."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from android_suite.errors import ParseError

PT_LOAD, PT_DYNAMIC, PT_TLS, PT_GNU_STACK, PT_GNU_RELRO = 1, 2, 7, 0x6474E551, 0x6474E552
PF_X, PF_W = 1, 2
DT_NEEDED, DT_HASH, DT_STRTAB, DT_SYMTAB, DT_STRSZ, DT_SONAME = 1, 4, 5, 6, 10, 14
DT_TEXTREL, DT_FLAGS, DT_RELR, DT_GNU_HASH, DT_VERNEED, DT_ANDROID_RELR = 22, 30, 36, 0x6FFFFEF5, 0x6FFFFFFE, 0x6FFFE000
DF_TEXTREL = 0x4
MACHINES = {183: "aarch64", 62: "x86_64", 40: "arm", 3: "x86"}


@dataclass(frozen=True)
class Segment:
    type: int
    flags: int
    offset: int
    vaddr: int
    filesz: int
    memsz: int
    align: int


@dataclass(frozen=True)
class Symbol:
    name: str
    defined: bool
    binding: int  # 0 local, 1 global, 2 weak
    visibility: int  # 0 default, 2 hidden, 3 protected


@dataclass(frozen=True)
class ElfInfo:
    machine: str
    elf_type: int
    segments: tuple[Segment, ...]
    dynamic: tuple[tuple[int, int], ...]  # (tag, value)
    soname: str | None
    needed: tuple[str, ...]
    symbols: tuple[Symbol, ...]
    dynstr: bytes

    def has_tag(self, tag: int) -> bool:
        return any(t == tag for t, _ in self.dynamic)

    def tag_value(self, tag: int) -> int | None:
        return next((v for t, v in self.dynamic if t == tag), None)

    @property
    def exports(self) -> tuple[str, ...]:
        return tuple(sorted(s.name for s in self.symbols if s.defined and s.binding in (1, 2) and s.visibility != 2))


def parse_elf(data: bytes) -> ElfInfo:
    """Read the headers, the dynamic section and the dynamic symbols of a 64-bit LE ELF.

    Raises:
        ParseError: not a 64-bit little-endian ELF, or a table points outside the file.
    """
    if len(data) < 64 or data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ParseError("elf", "not a 64-bit little-endian ELF file")
    try:
        return _parse(data)
    except struct.error as exc:
        raise ParseError("elf", f"truncated or corrupt: {exc}") from exc


def _parse(data: bytes) -> ElfInfo:
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    e_phoff = struct.unpack_from("<Q", data, 32)[0]
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 54)
    segs = []
    for i in range(e_phnum):
        p_type, p_flags, off, vaddr, _paddr, filesz, memsz, align = struct.unpack_from(
            "<IIQQQQQQ", data, e_phoff + i * e_phentsize
        )
        segs.append(Segment(p_type, p_flags, off, vaddr, filesz, memsz, align))
    dynamic: list[tuple[int, int]] = []
    for seg in segs:
        if seg.type == PT_DYNAMIC:
            for pos in range(seg.offset, seg.offset + seg.filesz, 16):
                tag, val = struct.unpack_from("<qQ", data, pos)
                if tag == 0:
                    break
                dynamic.append((tag, val))
    tags = dict(dynamic)  # single-valued tags; NEEDED is read from the list below

    def file_off(vaddr: int) -> int:
        for s in segs:
            if s.type == PT_LOAD and s.vaddr <= vaddr < s.vaddr + s.filesz:
                return vaddr - s.vaddr + s.offset
        raise ParseError("elf", f"address {vaddr:#x} is in no loadable segment")

    dynstr = b""
    if DT_STRTAB in tags:
        start = file_off(tags[DT_STRTAB])
        dynstr = data[start : start + tags.get(DT_STRSZ, 0)]

    def string(off: int) -> str:
        end = dynstr.find(b"\0", off)
        return dynstr[off : end if end >= 0 else len(dynstr)].decode(errors="replace")

    symbols: list[Symbol] = []
    nsyms = 0
    if DT_HASH in tags:
        nsyms = struct.unpack_from("<I", data, file_off(tags[DT_HASH]) + 4)[0]  # nchain = symbol count
    elif DT_GNU_HASH in tags:
        nsyms = _gnu_hash_count(data, file_off(tags[DT_GNU_HASH]))
    if DT_SYMTAB in tags:
        base = file_off(tags[DT_SYMTAB])
        for i in range(1, nsyms):
            name, info, other, shndx = struct.unpack_from("<IBBH", data, base + i * 24)
            if info & 0xF == 3:  # STT_SECTION
                continue
            symbols.append(Symbol(string(name), shndx != 0, info >> 4, other & 3))
    soname = string(tags[DT_SONAME]) if DT_SONAME in tags else None
    needed = tuple(string(v) for t, v in dynamic if t == DT_NEEDED)
    machine = MACHINES.get(e_machine, f"machine-{e_machine}")
    return ElfInfo(machine, e_type, tuple(segs), tuple(dynamic), soname, needed, tuple(symbols), dynstr)


def _gnu_hash_count(data: bytes, off: int) -> int:
    """Symbol count from a DT_GNU_HASH table: past the last chain of the highest bucket."""
    nbuckets, symoffset, bloom_size, _shift = struct.unpack_from("<IIII", data, off)
    buckets_at = off + 16 + bloom_size * 8
    buckets = struct.unpack_from(f"<{nbuckets}I", data, buckets_at)
    last = max(buckets, default=0)
    if last < symoffset:
        return int(symoffset)
    chain_at = buckets_at + nbuckets * 4
    while not struct.unpack_from("<I", data, chain_at + (last - symoffset) * 4)[0] & 1:
        last += 1
    return int(last) + 1
