"""The device layer: the only package that talks adb (through adbutils)."""
