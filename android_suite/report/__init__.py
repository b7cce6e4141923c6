"""Reports: charts (DataFrame -> Figure), the HTML and Markdown run reports, and the nightly.

Everything here reads a :class:`~android_suite.results.rundata.RunData` (or a
nightly history frame) and the analysis of it; nothing touches a device.
"""
