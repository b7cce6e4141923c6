"""Real kernels for the QEMU handset: source cache, patches, config merge, cross builds, initramfs, boot images.

Entry points: ``android-suite kernel-build`` and ``python -m android_suite.kbuild``
(both :func:`android_suite.kbuild.cli.main`); :func:`android_suite.kbuild.build.build_kernel`
from Python. Everything built lives in the suite's cache (``kernels/``), never in the clone.
"""

ARCHES = ("arm64", "x86_64")
VARIANTS = ("stock", "v1", "sysctl")
DEFAULT_ARCH = "arm64"
# Bumped when the build recipe changes in a way the inputs' hashes do not show.
SCRIPT_VERSION = "1"
