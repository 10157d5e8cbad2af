"""Global hotkeys (layer 1): chords (`chord`), the press/release interpreter of the three
modes (`interpreter`) and the default bindings of common desktops (`desktop_bindings`), all
pure; the global-key backends (`backends/`: pynput, sway's IPC bindings, a null one) and the
X11 keyboard service (`backends/x11_grab`: reserved chords, the focus watch, safe synthetic
keys); the hold-back of our own synthetic keys (`synthetic_keys`). May import: core,
protocol; pynput, Xlib, i3ipc. The push-to-talk controller that drives the worker is
`qt/push_to_talk`."""
