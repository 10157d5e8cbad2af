"""Putting dictated text into the app that had focus (layer 1): smart spacing (`text`,
pure), the X11 tools (`x11`: xdotool, xclip, xprop, run as processes) and the insertion
modes with undo (`inserter`). May import: core, protocol, shaping."""
