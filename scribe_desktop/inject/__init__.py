"""Putting dictated text into the app that had focus: smart spacing (`text`), the X11 tools
(`x11`: xdotool, xclip, xprop) and the insertion modes with undo (`inserter`)."""
