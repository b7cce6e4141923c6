"""``python -m android_suite.virtual serve ...``: the virtual-handset process."""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path

from android_suite.virtual.serve import HandsetSpec, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m android_suite.virtual")
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="run virtual handsets in the foreground")
    s.add_argument("--profile", action="append", required=True, help="profile name or TOML path (repeat)")
    s.add_argument("--state-file", type=Path, required=True)
    s.add_argument("--no-shell-v2", action="store_true", help="advertise no shell_v2 (an old adbd)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--kernel", choices=("sim", "qemu", "auto"), default="auto",
                   help="sim: the modelled kernel; qemu: a real kernel under QEMU (profiles with [qemu]); "
                   "auto: QEMU for profiles with [qemu], else the model")  # fmt: skip
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    features = ("cmd",) if args.no_shell_v2 else None
    specs = []
    for i, profile in enumerate(args.profile):
        stem = Path(profile).stem
        specs.append(
            HandsetSpec(profile=profile, name=f"{stem}-{i}", seed=args.seed + i, features=features, kernel=args.kernel)
        )
    asyncio.run(serve(specs, args.state_file))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
