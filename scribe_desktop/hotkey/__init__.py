"""Global hotkeys (layer 1): chords (`chord`) and the press/release interpreter of the
three modes (`interpreter`), both pure; the OS key listeners (`backends/`: pynput, the X11 key
grab, a null one); the hold-back of our own synthetic keys (`synthetic_keys`). May import:
core, protocol; pynput, Xlib. The push-to-talk controller that drives the worker is
`qt/push_to_talk`."""
