"""The fault-injection matrix: one scenario per fault, each on its own virtual handset.

Every scenario runs the real A/B runner (or a real ``android-suite run``
subprocess, for the signal and SIGKILL rows) against a virtual handset
through the real adb server, injects its fault through the handsets' control
channel at a chosen moment, and ends with a :class:`record.FaultRecord`:
what was injected and when, whether the run recovered or reported it, what
the store says, whether the results are intact and whether the handset is
back as it was. ``android-suite fault-matrix`` prints the table.

    scenarios.py  the faults, when they strike, what each must leave behind
    matrix.py     brings the handsets up, runs the scenarios, checks each
    runs.py       the two ways of running: in process, or a killed subprocess
    probe.py      the handset's restorable state, and the store's counts
    record.py     FaultRecord and the table
"""
