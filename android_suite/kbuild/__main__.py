"""``python -m android_suite.kbuild``: the same as ``android-suite kernel-build``."""

from __future__ import annotations

import argparse
import sys

from android_suite.commands.kernel_build import add_arguments, run
from android_suite.errors import SuiteError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m android_suite.kbuild", description=__doc__)
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except SuiteError as exc:
        print(f"kbuild: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
