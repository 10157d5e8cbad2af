"""Local server speaking the Scribe v2 Realtime protocol (rules S1-S7) with an offline
engine (layer 1). May import: protocol, core, `audio.pcm`; aiohttp and the engines' libraries;
never `client/` or Qt, so it runs as a bare process."""
