"""Virtual handsets: local processes that speak the device side of adb and fastboot.

Nothing above this package imports it except through adb: the CLI starts and
stops virtual handsets (``android-suite virtual up``) and the tests talk to
them over the real adb server, exactly as to a phone.
"""
