pytest_plugins: list[str] = []  # the android_suite plugin is loaded through its pytest11 entry point
