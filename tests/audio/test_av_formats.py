"""Files libsndfile cannot read (M4A, MP4 and other videos, WebM, AAC, WMA…) decode through
FFmpeg (PyAV) to the speech that was written, stream by stream; the picker offers exactly the
extensions that decode here; a file nothing can decode gets one message that names it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from scribe_desktop.audio.file_source import (
    SUPPORTED_FORMATS,
    FileSourceError,
    open_file_source,
)
from scribe_desktop.audio.formats import decodable_extensions, is_decodable
from scribe_desktop.session.user_errors import user_error_for
from tests.audio.av_files import AV_FORMATS, write_av
from tests.speech import SENTENCES, synth

TEXT = SENTENCES[1]


def speech_16k() -> np.ndarray:
    data, _rate = soundfile.read(str(synth(TEXT)), dtype="float32")
    return np.asarray(data, dtype=np.float32)


def decoded(path: Path, *, block_s: float = 2.0, chunk_s: float = 0.25) -> np.ndarray:
    source = open_file_source(path, block_s=block_s, chunk_s=chunk_s)
    pcm = b"".join(c.pcm for c in source.iter_chunks())
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def aligned_correlation(ref: np.ndarray, got: np.ndarray) -> float:
    """Correlation at the best lag (codecs add or trim a few ms of priming)."""
    n = ref.size + got.size
    cross = np.fft.irfft(np.fft.rfft(got, n) * np.conj(np.fft.rfft(ref, n)), n)
    lag = int(np.argmax(cross))
    lag = lag if lag < got.size else lag - n
    a, b = (got[lag:], ref) if lag >= 0 else (got, ref[-lag:])
    m = min(a.size, b.size)
    return float(np.corrcoef(a[:m], b[:m])[0, 1])


@pytest.mark.parametrize(("ext", "video"), [(ext, False) for ext in sorted(AV_FORMATS)]
                         + [("mp4", True), ("webm", True), ("mkv", True)])
def test_ffmpeg_formats_decode_to_the_same_speech(tmp_path: Path, ext: str,
                                                  video: bool) -> None:
    """Each format (and a video's audio track) decodes to the written speech at 16 kHz."""
    ref = speech_16k()
    path = write_av(tmp_path / f"speech.{ext}", ref, video=video)
    source = open_file_source(path)
    assert source.duration_s == pytest.approx(ref.size / 16000, abs=0.1)
    got = decoded(path)
    assert got.size == pytest.approx(ref.size, abs=0.1 * 16000)  # AAC priming: ~80 ms
    assert aligned_correlation(ref, got) > 0.98
    assert ext in decodable_extensions()


def test_ffmpeg_decoding_streams_in_blocks(tmp_path: Path) -> None:
    """Small and large decode blocks give the same samples (no whole-file load)."""
    path = write_av(tmp_path / "speech.m4a", speech_16k())
    np.testing.assert_array_equal(decoded(path, block_s=0.3, chunk_s=0.1),
                                  decoded(path, block_s=30.0, chunk_s=0.1))


async def test_ffmpeg_progress_and_async_iteration(tmp_path: Path) -> None:
    """Progress reaches the whole file when an M4A is iterated asynchronously."""
    path = write_av(tmp_path / "speech.m4a", speech_16k())
    source = open_file_source(path, chunk_s=0.1)
    chunks = [c async for c in source]
    assert chunks and source.progress == pytest.approx(1.0, abs=0.02)


def test_a_video_without_sound_says_so(tmp_path: Path) -> None:
    """A video with no audio track is named as such, not as an unknown format."""
    import av

    path = tmp_path / "silent.mp4"
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for n in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            frame.pts = n
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    with pytest.raises(FileSourceError, match=r"silent\.mp4: is a video without an audio track"):
        open_file_source(path)


def test_an_undecodable_file_names_its_format_and_the_list_once(tmp_path: Path) -> None:
    """A file no decoder reads names its format once and lists the readable ones once."""
    path = tmp_path / "talk.xyz"
    path.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(FileSourceError) as info:
        open_file_source(path)
    message = user_error_for(info.value).message
    assert "XYZ format" in message
    assert message.count("Supported formats") == 1 and message.count(SUPPORTED_FORMATS) == 1
    assert "M4A" in SUPPORTED_FORMATS and "WEBM" in SUPPORTED_FORMATS


def test_the_picker_offers_what_decodes_here() -> None:
    """The picker's extensions include the FFmpeg ones and no image or subtitle formats."""
    offered = set(decodable_extensions())
    assert {"wav", "flac", "mp3", "ogg", "m4a", "mp4", "webm", "opus", "aac", "wma"} <= offered
    assert not offered & {"gif", "txt", "srt", "vtt", "jpg"}
    assert is_decodable("/x/Voice Memo.M4A") and not is_decodable("/x/notes.txt")
