"""Global hotkeys: chords (`chord`), the press/release interpreter of the three modes
(`interpreter`), the OS key listener (`listener`, pynput where it works) and the push-to-talk
controller that drives the one dictation state machine (`controller`)."""
