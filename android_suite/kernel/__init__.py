"""Kernel variants under test: detect the reclaim set-up, toggle kcompressd, flash kernels.

Modules here talk to a handset only through :class:`android_suite.device.device.Device`
(and fastboot for flashing); the parsing they need is pure and lives beside them
or in :mod:`android_suite.parsers`.
"""
