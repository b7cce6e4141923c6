"""The real-kernel virtual handset: Linux under QEMU with a guest agent (issue 9)."""
