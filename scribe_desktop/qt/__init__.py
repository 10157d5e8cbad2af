"""Qt core (layer 3: PySide6.QtCore and QtNetwork only, no widgets): settings declared
once (`settings`), the single-instance remote (`single_instance`), the dictation worker
(`worker/`, the one bridge from sessions to Qt signals) and push-to-talk (`push_to_talk/`).
May import every folder below: core, protocol, export, the adapters, session."""
