"""android_suite: evidence on whether a reclaim change (kcompressd) helps Android handsets."""

__version__ = "0.1.0"
