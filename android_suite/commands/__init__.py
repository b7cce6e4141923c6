"""CLI command implementations (one module per command family)."""
