"""The suite's own code-free test APK (issue #10): native build, packaging, signing, checks.

``build.build_testapp_set`` is the entry point (the contract with the
workloads and the virtual handset); ``checks.check_apk`` verifies a built APK.
"""
