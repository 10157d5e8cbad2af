"""Local server speaking the Scribe v2 Realtime protocol (rules S1-S7) with an offline engine.

Layer 1: imports `protocol/`, `audio/pcm.py`, aiohttp and the engines; never `client/` or Qt.
"""
