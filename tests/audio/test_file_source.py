"""File decoding: formats, downmix, resampling, chunking and the errors a user sees."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import soundfile

from scribe_desktop.audio.file_source import (
    SUPPORTED_FORMATS,
    FileSource,
    FileSourceError,
    open_file_source,
    probe,
)
from scribe_desktop.audio.source import AudioChunk, AudioSource
from tests.speech import SENTENCES, synth

TEXT = SENTENCES[1]
FORMATS = {  # extension -> (libsndfile format, subtype)
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "ogg": ("OGG", "VORBIS"),
    "mp3": ("MP3", None),
}


def speech_16k() -> np.ndarray:
    data, rate = soundfile.read(str(synth(TEXT)), dtype="float32")
    assert rate == 16000
    return np.asarray(data, dtype=np.float32)


def write(path: Path, data: np.ndarray, rate: int = 16000) -> Path:
    fmt, subtype = FORMATS[path.suffix[1:]]
    soundfile.write(str(path), data, rate, format=fmt, subtype=subtype)
    return path


def decode(source: FileSource) -> np.ndarray:
    pcm = b"".join(c.pcm for c in source.iter_chunks())
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    n = min(a.size, b.size)
    return float(np.corrcoef(a[:n], b[:n])[0, 1])


@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_each_format_decodes_to_the_same_speech(tmp_path: Path, ext: str) -> None:
    """WAV, FLAC, OGG and MP3 files decode to the speech that was written, sample-aligned."""
    ref = speech_16k()
    path = write(tmp_path / f"speech.{ext}", ref)
    source = open_file_source(path)
    assert source.duration_s == pytest.approx(ref.size / 16000, abs=0.01)
    got = decode(source)
    assert got.size == pytest.approx(ref.size, abs=160)
    threshold = 0.9999 if ext in ("wav", "flac") else 0.98  # lossy codecs
    assert correlation(ref, got) > threshold


def test_stereo_is_downmixed_to_mono(tmp_path: Path) -> None:
    """A stereo file comes out as the average of its two channels."""
    ref = speech_16k()
    stereo = np.stack([ref, 0.5 * ref], axis=1)
    got = decode(open_file_source(write(tmp_path / "stereo.wav", stereo)))
    assert got.size == ref.size
    np.testing.assert_allclose(got, 0.75 * ref, atol=2 / 32768)


def test_44k1_is_resampled_to_the_session_rate() -> None:
    """44.1 kHz speech resampled to 16 kHz matches speech made at 16 kHz (correlation > 0.95)."""
    hi = synth(TEXT, rate_hz=44100, noise=False)
    ref, _ = soundfile.read(str(synth(TEXT, rate_hz=16000, noise=False)), dtype="float32")
    source = open_file_source(hi, sample_rate_hz=16000)
    assert probe(hi).sample_rate_hz == 44100
    got = decode(source)
    assert got.size == pytest.approx(ref.size, abs=2)
    assert correlation(ref, got) > 0.95


def test_resampling_to_another_session_rate() -> None:
    """A 16 kHz file streamed to a 24 kHz session has 1.5 times as many samples."""
    path = synth(TEXT)
    frames = probe(path).frames
    assert frames is not None
    got = decode(open_file_source(path, sample_rate_hz=24000))
    assert got.size == pytest.approx(frames * 1.5, abs=2)


@pytest.mark.parametrize("chunk_s", [0.05, 0.1, 0.25, 1.0])
def test_chunks_have_the_requested_duration(chunk_s: float) -> None:
    """Every chunk but the last holds exactly chunk_s of audio, and they tile the stream."""
    source = open_file_source(synth(TEXT), chunk_s=chunk_s)
    chunks = list(source.iter_chunks())
    samples = round(chunk_s * 16000)
    assert all(len(c.pcm) == 2 * samples for c in chunks[:-1])
    assert 0 < len(chunks[-1].pcm) <= 2 * samples
    for before, after in itertools.pairwise(chunks):
        assert after.start_s == pytest.approx(before.end_s)
    assert chunks[-1].end_s == pytest.approx(source.duration_s or 0, abs=1e-3)


def test_default_chunks_are_250_ms() -> None:
    """Chunks default to 250 ms (8000 bytes at 16 kHz)."""
    chunks = list(open_file_source(synth(TEXT)).iter_chunks())
    assert len(chunks[0].pcm) == 8000
    assert chunks[0].duration_s == pytest.approx(0.25)


def test_block_size_leaves_no_trace(tmp_path: Path) -> None:
    """Decoding in small blocks gives the same samples as in large ones, even when resampling."""
    hi = synth(TEXT, rate_hz=44100)
    small = decode(open_file_source(hi, block_s=0.3, chunk_s=0.1))
    large = decode(open_file_source(hi, block_s=30.0, chunk_s=0.1))
    np.testing.assert_array_equal(small, large)


def test_progress_reaches_the_whole_file() -> None:
    """Progress counts seconds delivered and ends at 1.0."""
    source = open_file_source(synth(TEXT))
    assert source.progress == 0.0
    seen = []
    for chunk in source.iter_chunks():
        seen.append(source.seconds_done)
        assert source.seconds_done == chunk.end_s
    assert seen == sorted(seen)
    assert source.progress == pytest.approx(1.0, abs=1e-3)


def test_pauses_are_quieter_than_speech() -> None:
    """Chunks carry their level, so leading silence reads far quieter than speech."""
    chunks = list(open_file_source(synth(TEXT, lead_silence_s=1.0)).iter_chunks())
    assert chunks[0].rms_dbfs < max(c.rms_dbfs for c in chunks) - 20


async def test_async_iteration_yields_the_same_chunks() -> None:
    """`async for` over a source yields exactly the chunks of the synchronous decoder."""
    path = synth(TEXT)
    source = open_file_source(path, chunk_s=0.1, block_s=0.5)
    assert isinstance(source, AudioSource)
    got: list[AudioChunk] = [c async for c in source]
    assert got == list(open_file_source(path, chunk_s=0.1, block_s=0.5).iter_chunks())


async def test_breaking_out_of_async_iteration_is_clean() -> None:
    """Leaving the loop early closes the decoder without errors."""
    source = open_file_source(synth(TEXT), chunk_s=0.05, block_s=0.2)
    agen = aiter(source)
    first = await anext(agen)
    await agen.aclose()  # type: ignore[attr-defined]
    assert first.start_s == 0.0


# --- errors -------------------------------------------------------------------------------


def test_missing_file_is_named(tmp_path: Path) -> None:
    """A missing file gives an error naming it."""
    path = tmp_path / "nope.wav"
    with pytest.raises(FileSourceError, match=r"nope\.wav: no such file"):
        open_file_source(path)


def test_empty_file_is_reported(tmp_path: Path) -> None:
    """A zero-byte file is reported as empty."""
    path = tmp_path / "empty.wav"
    path.touch()
    with pytest.raises(FileSourceError, match=r"empty\.wav: the file is empty"):
        open_file_source(path)


def test_file_without_samples_is_reported(tmp_path: Path) -> None:
    """A valid WAV header with no samples is reported as containing no audio."""
    path = write(tmp_path / "silent.wav", np.zeros(0, dtype=np.float32))
    with pytest.raises(FileSourceError, match="contains no audio"):
        open_file_source(path)


def test_directory_is_rejected(tmp_path: Path) -> None:
    """A directory is not mistaken for a file."""
    with pytest.raises(FileSourceError, match="is a directory"):
        open_file_source(tmp_path)


@pytest.mark.parametrize("content", [b"hello, this is not audio\n" * 50,
                                     bytes(range(256)) * 40])
def test_non_audio_file_names_the_supported_formats(tmp_path: Path, content: bytes) -> None:
    """A text or random-bytes file is rejected with the file name and the supported formats."""
    path = tmp_path / "notes.wav"
    path.write_bytes(content)
    with pytest.raises(FileSourceError) as info:
        open_file_source(path)
    message = str(info.value)
    assert str(path) in message and SUPPORTED_FORMATS in message
    assert "\n" not in message


def test_corrupt_wav_is_rejected(tmp_path: Path) -> None:
    """A WAV whose header is damaged is rejected, not decoded into noise."""
    good = write(tmp_path / "good.wav", speech_16k())
    data = bytearray(good.read_bytes())
    data[8:16] = b"JUNKJUNK"  # "WAVEfmt " -> not a RIFF/WAVE file any more
    bad = tmp_path / "bad.wav"
    bad.write_bytes(bytes(data))
    with pytest.raises(FileSourceError, match=r"bad\.wav: not a readable audio file"):
        open_file_source(bad)


def test_invalid_chunk_duration_is_refused() -> None:
    """A zero chunk duration is a programming error, not a file error."""
    with pytest.raises(ValueError, match="chunk_s"):
        open_file_source(synth(TEXT), chunk_s=0)
