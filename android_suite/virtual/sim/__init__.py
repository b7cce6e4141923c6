"""The modelled kernel behind a virtual handset (``virtual-sim``).

Entry point: :class:`SimKernel` (a KernelBackend and a MemoryBackend). Test
kernels for the bootloader are built with :mod:`kimage`.
"""

from android_suite.virtual.sim.kernel import SimKernel
from android_suite.virtual.sim.kimage import (
    KernelImage,
    build_kernel_image,
    default_config,
    parse_kernel_image,
    profile_image,
    profile_kernel,
)
from android_suite.virtual.sim.params import SimParams

__all__ = [
    "KernelImage",
    "SimKernel",
    "SimParams",
    "build_kernel_image",
    "default_config",
    "parse_kernel_image",
    "profile_image",
    "profile_kernel",
]
