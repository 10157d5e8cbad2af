"""Putting dictated text into the app that had focus (layer 1): smart spacing (`text`,
pure), the insertion backends chosen by priority (`backends/`: Wayland with wl-clipboard and
wtype, X11 with xdotool and xclip, a null one that says what is missing; all run as
processes, `tools`), the ledger of what landed (`ledger`, pure) and the insertion modes with
undo and paste-last (`inserter`). May import: core, protocol, shaping (spacing)."""
