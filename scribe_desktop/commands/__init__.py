"""Subcommands of `scribe-desktop` (layer 5, composition): `server`, `transcribe`, `listen`,
`models`. May import every lower layer; imported only by `__main__`."""
