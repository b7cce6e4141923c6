"""Pure parsers: device text in, dataclasses out. No I/O, golden-file tested."""
