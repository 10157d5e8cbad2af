"""Which audio and video files this machine can decode, by file extension.

Two decoders: libsndfile (through `soundfile`) for what it reads (WAV, FLAC, OGG, MP3, AIFF…),
and FFmpeg's libraries through PyAV (`av`, which bundles them) for the rest (M4A/MP4/MOV,
WebM/MKV, Opus, AAC, WMA, AVI…). An extension is offered only when the library that reads
it is importable and its FFmpeg build has the demuxer and one of the audio decoders, so the
file picker never offers a format the app then refuses.
"""

from __future__ import annotations

import functools
from pathlib import Path

# libsndfile major formats -> their usual extensions
_SOUNDFILE_EXTENSIONS = {
    "WAV": ("wav",), "WAVEX": ("wav",), "FLAC": ("flac",), "OGG": ("ogg", "oga"),
    "MP3": ("mp3",), "AIFF": ("aiff", "aif"), "AU": ("au", "snd"), "CAF": ("caf",),
    "W64": ("w64",), "RF64": ("rf64",),
}

# extension -> (FFmpeg demuxer, audio decoders any of which is enough)
_AV_EXTENSIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "m4a": ("mov", ("aac", "alac")), "m4b": ("mov", ("aac",)),
    "mp4": ("mov", ("aac", "mp3", "alac", "opus")), "mov": ("mov", ("aac", "pcm_s16le")),
    "3gp": ("mov", ("aac", "amrnb")),
    "webm": ("matroska", ("opus", "vorbis")), "mkv": ("matroska", ("aac", "opus", "vorbis")),
    "mka": ("matroska", ("aac", "opus", "vorbis", "flac")),
    "opus": ("ogg", ("opus",)), "ogg": ("ogg", ("vorbis", "opus", "flac")),
    "oga": ("ogg", ("vorbis", "opus", "flac")),
    "aac": ("aac", ("aac",)), "wma": ("asf", ("wmav2", "wmav1")),
    "wmv": ("asf", ("wmav2", "wmav1")), "avi": ("avi", ("mp3", "pcm_s16le", "ac3")),
    "flv": ("flv", ("aac", "mp3")), "amr": ("amr", ("amrnb",)), "ac3": ("ac3", ("ac3",)),
    "mp3": ("mp3", ("mp3float", "mp3")), "flac": ("flac", ("flac",)),
    "wav": ("wav", ("pcm_s16le",)), "aiff": ("aiff", ("pcm_s16be",)),
    "aif": ("aiff", ("pcm_s16be",)), "caf": ("caf", ("pcm_s16le", "alac", "aac")),
    "mpg": ("mpeg", ("mp2", "mp3")), "mpeg": ("mpeg", ("mp2", "mp3")),
    "ts": ("mpegts", ("aac", "mp2", "ac3")),
}


@functools.cache
def soundfile_extensions() -> frozenset[str]:
    """Extensions libsndfile reads here (empty when soundfile cannot load)."""
    try:
        import soundfile
    except (ImportError, OSError):
        return frozenset()
    found = {ext for fmt in soundfile.available_formats()
             for ext in _SOUNDFILE_EXTENSIONS.get(str(fmt), ())}
    return frozenset(found)


@functools.cache
def av_extensions() -> frozenset[str]:
    """Extensions FFmpeg (PyAV) decodes here (empty without PyAV)."""
    try:
        import av
    except ImportError:
        return frozenset()
    demuxers, decoders = set(av.formats_available), set(av.codecs_available)
    return frozenset(ext for ext, (demuxer, codecs) in _AV_EXTENSIONS.items()
                     if demuxer in demuxers and decoders.intersection(codecs))


def decodable_extensions() -> tuple[str, ...]:
    """Every extension the app can transcribe on this machine, sorted."""
    return tuple(sorted(soundfile_extensions() | av_extensions()))


def is_decodable(path: str | Path) -> bool:
    return Path(path).suffix.lower().lstrip(".") in set(decodable_extensions())


# the formats people have, first in a message (the rest follow alphabetically)
_FAMILIAR = ("wav", "flac", "ogg", "mp3", "m4a", "mp4", "webm", "opus", "aac", "wma")


def describe_formats() -> str:
    """The formats in one line for an error message: "WAV, FLAC, OGG, MP3, M4A, …"."""
    found = decodable_extensions()
    ordered = [e for e in _FAMILIAR if e in found] + [e for e in found if e not in _FAMILIAR]
    return ", ".join(ext.upper() for ext in ordered)
