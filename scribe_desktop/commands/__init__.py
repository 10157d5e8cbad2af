"""Subcommands of `scribe-desktop` (composition layer: may import every lower layer)."""
