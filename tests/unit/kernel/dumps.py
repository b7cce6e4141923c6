"""Detection-script output, shaped like the script's (``\\n::rs:: TAG [!status]`` sections)."""

from __future__ import annotations

VERSION = (
    "Linux version 6.1.68-android14-11-g3e9b6c5a1d27-ab11431029 (build-user@build-host) "
    "(Android clang version 17.0.2, LLD 17.0.2) #1 SMP PREEMPT Mon Feb 26 10:05:08 UTC 2024\n"
)
SWAPS = (
    "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
    "/dev/block/zram0                        partition\t4194300\t\t1048576\t\t-2\n"
)
PS_HEAD = "USER           PID  PPID        VSZ    RSS WCHAN            ADDR S NAME\n"


def ps(*names: str) -> str:
    rows = [f"root {120 + i:>13}     2          0      0 kswapd              0 S [{n}]\n" for i, n in enumerate(names)]
    return PS_HEAD + "root             1     0   10850108  11756 do_epoll_wait       0 S init\n" + "".join(rows)


def dump(**sections: str | None) -> str:
    """Sections in order; a None value prints as absent, "!unreadable" as unreadable."""
    out = []
    for tag, body in sections.items():
        tag = tag.replace("__", "/")
        if body is None:
            out.append(f"\n::rs:: {tag} !absent\n")
        elif body == "!unreadable":
            out.append(f"\n::rs:: {tag}\n\n::rs:: {tag} !unreadable\n")
        else:
            out.append(f"\n::rs:: {tag}\n{body}")
    return "".join(out)


def phone(**overrides: str | None) -> str:
    """A Kcompressd-Unofficial phone with zram swap, zswap off, MGLRU on, writeback set up."""
    sections: dict[str, str | None] = {
        "version": VERSION,
        "sysctl": "24\n",
        "nr_kcompressd": None,
        "queue_size_per_kcompressd": None,
        "zswap": "N\n",
        "swappiness": "100\n",
        "lru_gen": "0x0007\n",
        "swaps": SWAPS,
        "zram0__comp_algorithm": "lzo lzo-rle [lz4] zstd\n",
        "zram0__disksize": "4294967296\n",
        "zram0__max_comp_streams": "8\n",
        "zram0__backing_dev": "/dev/block/loop42\n",
        "ps": ps("kswapd0", "kcompressd0"),
        "product": "rubens\n",
    }
    sections.update(overrides)
    return dump(**sections)
