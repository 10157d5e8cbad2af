"""Pure tests of the client's uplink bookkeeping (rules C6-C9, replay for C8/C11)."""

from __future__ import annotations

import pytest

from scribe_desktop.protocol.audio_format import AudioFormat
from scribe_desktop.protocol.options import MAX_PREVIOUS_TEXT_CHARS, MIN_COMMIT_AUDIO_S
from scribe_desktop.protocol.uplink import ReplayItem, Uplink, trim_previous_text

FMT = AudioFormat.PCM_16000



def answer(up: Uplink, text: str) -> None:
    """The server's commit arrives: ours when one is pending (as the connection decides)."""
    up.on_committed(text, solicited=up.pending_commits > 0)

def speech(seconds: float, fmt: AudioFormat = FMT) -> bytes:
    """Non-silent audio of `seconds` in `fmt`."""
    return b"\x01" * fmt.bytes_for(seconds)


def audio_s(chunks, fmt: AudioFormat = FMT) -> float:
    return fmt.duration_s(sum(len(c.audio) for c in chunks))


# --- previous_text (C8) -----------------------------------------------------------------------


def test_previous_text_rides_only_on_the_first_audio_chunk():
    """Only the session's first audio chunk carries previous_text."""
    up = Uplink(FMT, now=0.0, previous_text="hello there")
    chunks = up.audio(speech(0.6), 1.0) + up.audio(speech(0.1), 2.0) + up.commit(3.0)
    assert chunks[0].previous_text == "hello there"
    assert all(c.previous_text is None for c in chunks[1:])


def test_commit_chunk_never_carries_previous_text():
    """A commit before any audio is skipped and so cannot consume previous_text."""
    up = Uplink(FMT, now=0.0, previous_text="context")
    assert up.commit(0.5) == []
    assert up.audio(speech(0.1), 1.0)[0].previous_text == "context"


def test_keepalive_as_first_chunk_carries_previous_text():
    """Keep-alive silence sent first is the first audio chunk and carries previous_text."""
    up = Uplink(FMT, now=0.0, previous_text="context")
    first = up.keepalive(5.0)
    assert first is not None and first.previous_text == "context"
    assert up.audio(speech(0.1), 6.0)[0].previous_text is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("short text", "short text"),
        ("a" * 50, "a" * 50),
        ("one two three four five six seven eight nine ten eleven twelve",
         "four five six seven eight nine ten eleven twelve"),
        ("word " * 30, " ".join(["word"] * 10)),
        ("x" * 80, None),
        ("multiple   spaces\nand\tlines", "multiple spaces and lines"),
    ],
)
def test_trim_previous_text_keeps_a_word_aligned_tail(text, expected):
    """previous_text is the <= 50-character tail of the text, cut at a word boundary."""
    assert trim_previous_text(text) == expected


def test_long_previous_text_is_trimmed_on_the_wire():
    """A long previous_text is trimmed to at most 50 characters before it is sent."""
    long = "the quick brown fox jumps over the lazy dog and then runs far away"
    up = Uplink(FMT, now=0.0, previous_text=long)
    sent = up.audio(speech(0.1), 1.0)[0].previous_text
    assert sent is not None and len(sent) <= MAX_PREVIOUS_TEXT_CHARS
    assert long.endswith(sent) and long[-len(sent) - 1] == " "


# --- chunks (C9) --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(AudioFormat))
def test_every_chunk_has_the_format_sample_rate(fmt):
    """Audio, padding, keep-alive and commit chunks all carry the format's sample rate."""
    up = Uplink(fmt, now=0.0)
    chunks = [*up.audio(speech(0.1, fmt), 1.0), *up.commit(1.1)]
    keepalive = up.keepalive(10.0)
    assert keepalive is not None
    chunks.append(keepalive)
    assert {c.sample_rate_hz for c in chunks} == {fmt.sample_rate_hz}


def test_large_buffer_is_split_into_chunks_of_at_most_250_ms():
    """A 1.1 s buffer goes out as 250 ms chunks plus a remainder, in order."""
    up = Uplink(FMT, now=0.0)
    pcm = bytes(range(256)) * (FMT.bytes_for(1.1) // 256) + b"\x00" * (FMT.bytes_for(1.1) % 256)
    chunks = up.audio(pcm, 1.0)
    assert [round(FMT.duration_s(len(c.audio)), 3) for c in chunks] == [0.25] * 4 + [0.1]
    assert b"".join(c.audio for c in chunks) == pcm


def test_splitting_can_be_disabled():
    """With max_chunk_s=None a buffer goes out as one chunk."""
    up = Uplink(FMT, now=0.0, max_chunk_s=None)
    assert len(up.audio(speech(2.0), 1.0)) == 1


def test_misaligned_pcm_is_rejected():
    """Half a PCM16 sample raises ValueError."""
    up = Uplink(FMT, now=0.0)
    with pytest.raises(ValueError, match="whole number"):
        up.audio(b"\x00\x00\x00", 1.0)


def test_empty_audio_sends_nothing():
    """An empty buffer produces no chunk and no uncommitted audio."""
    up = Uplink(FMT, now=0.0)
    assert up.audio(b"", 1.0) == []
    assert not up.has_uncommitted_audio


# --- commits (C6) -------------------------------------------------------------------------------


def test_commit_with_enough_audio_is_just_the_commit_chunk():
    """A commit after >= 0.3 s of audio is one empty chunk with commit=true."""
    up = Uplink(FMT, now=0.0)
    up.audio(speech(0.5), 1.0)
    chunks = up.commit(1.5)
    assert len(chunks) == 1
    assert chunks[0].commit and chunks[0].audio == b""
    assert up.commits_sent == 1 and up.padded_bytes == 0


@pytest.mark.parametrize("have_s", [0.0005, 0.01, 0.1, 0.2, 0.299])
@pytest.mark.parametrize("fmt", [AudioFormat.PCM_16000, AudioFormat.PCM_44100,
                                 AudioFormat.ULAW_8000])
def test_short_commit_is_padded_to_at_least_300_ms(have_s, fmt):
    """A commit with < 0.3 s of new audio is preceded by silence bringing it to >= 0.3 s."""
    up = Uplink(fmt, now=0.0)
    sent = up.audio(speech(have_s, fmt), 1.0)
    chunks = up.commit(1.1)
    pad, commit = chunks
    assert not pad.commit and commit.commit and commit.audio == b""
    assert set(pad.audio) == {0xFF if fmt is AudioFormat.ULAW_8000 else 0}
    assert audio_s(sent, fmt) + audio_s([pad], fmt) >= MIN_COMMIT_AUDIO_S
    assert audio_s(sent, fmt) + audio_s([pad], fmt) < MIN_COMMIT_AUDIO_S + 0.01


def test_commit_without_new_audio_is_skipped():
    """A commit with no caller audio since the last commit sends nothing."""
    up = Uplink(FMT, now=0.0)
    assert up.commit(0.1) == []
    up.audio(speech(0.5), 1.0)
    assert len(up.commit(1.1)) == 1
    assert up.commit(1.2) == []
    assert (up.commits_sent, up.commits_skipped) == (1, 2)


def test_keepalive_silence_alone_does_not_make_a_commit():
    """Keep-alive silence counts toward the server's count but does not justify a commit."""
    up = Uplink(FMT, now=0.0)
    assert up.keepalive(5.0) is not None
    assert up.commit(5.1) == []


def test_keepalive_silence_counts_toward_the_minimum():
    """Keep-alive silence since the last commit reduces the padding a commit needs."""
    up = Uplink(FMT, now=0.0, keepalive_chunk_s=0.1)
    up.keepalive(5.0)
    up.audio(speech(0.1), 5.5)
    pad, _ = up.commit(5.6)
    assert audio_s([pad]) == pytest.approx(0.1, abs=0.001)


def test_unsolicited_commit_resets_the_uncommitted_count():
    """After a server commit, our next commit pads as if the count started again."""
    up = Uplink(FMT, now=0.0)
    up.audio(speech(1.0), 1.0)
    up.on_committed("server commit", solicited=False)
    assert up.uncommitted_s == 0
    up.audio(speech(0.1), 1.2)
    pad, commit = up.commit(1.3)
    assert commit.commit and audio_s([pad]) >= 0.2 - 0.0001


def test_our_audio_is_still_committed_after_a_server_commit():
    """A server commit may have been made before our last audio arrived: a commit after it
    is still sent (padded to 0.3 s, so at worst its answer is empty), never skipped."""
    up = Uplink(FMT, now=0.0)
    up.audio(speech(1.0), 1.0)
    up.on_committed("server commit", solicited=False)
    pad, commit = up.commit(1.1)
    assert commit.commit and audio_s([pad]) >= 0.3 - 0.0001


def test_answers_to_our_commits_pop_the_pending_ones_in_order():
    """A solicited commit answers our oldest pending commit."""
    up = Uplink(FMT, now=0.0)
    up.audio(speech(0.5), 1.0)
    up.commit(1.0)
    up.audio(speech(0.5), 2.0)
    up.commit(2.0)
    assert up.pending_commits == 2
    answer(up, "a")
    assert up.pending_commits == 1
    answer(up, "b")
    assert up.pending_commits == 0


# --- keep-alive (C7) ----------------------------------------------------------------------------


def test_keepalive_is_due_after_the_idle_interval():
    """Keep-alive silence is due only after keepalive_after_s without audio."""
    up = Uplink(FMT, now=100.0)
    assert up.keepalive_due_at() == 105.0
    assert up.keepalive(104.99) is None
    chunk = up.keepalive(105.0)
    assert chunk is not None and not chunk.commit
    assert set(chunk.audio) == {0} and audio_s([chunk]) == pytest.approx(0.02)
    assert up.keepalive_due_at() == 110.0


def test_audio_postpones_the_keepalive():
    """Sending audio moves the next keep-alive to keepalive_after_s later."""
    up = Uplink(FMT, now=0.0, keepalive_after_s=2.0)
    up.audio(speech(0.1), 1.5)
    assert up.keepalive(2.0) is None
    assert up.keepalive_due_at() == 3.5


def test_commit_padding_postpones_the_keepalive():
    """Padding silence is audio, so it postpones the keep-alive too."""
    up = Uplink(FMT, now=0.0, keepalive_after_s=2.0)
    up.audio(speech(0.1), 1.0)
    up.commit(2.5)
    assert up.keepalive_due_at() == 4.5


@pytest.mark.parametrize("bad", [0.0, 0.01, 0.2])
def test_keepalive_chunk_length_is_20_to_100_ms(bad):
    """A keep-alive chunk outside 20-100 ms is a configuration error."""
    with pytest.raises(ValueError, match="20-100 ms"):
        Uplink(FMT, now=0.0, keepalive_chunk_s=bad)


def test_ulaw_keepalive_is_ulaw_silence():
    """mu-law keep-alive silence is 0xFF bytes."""
    up = Uplink(AudioFormat.ULAW_8000, now=0.0, keepalive_chunk_s=0.05)
    chunk = up.keepalive(5.0)
    assert chunk is not None and chunk.audio == b"\xff" * 400


# --- replay buffer ------------------------------------------------------------------------------


def test_replay_keeps_audio_not_covered_by_a_commit():
    """Audio after the last answered commit stays for replay; answered audio is dropped."""
    up = Uplink(FMT, now=0.0)
    a, b = b"\x01\x00" * 8000, b"\x02\x00" * 4000
    up.audio(a, 1.0)
    up.commit(1.5)
    up.audio(b, 2.0)
    assert up.replay_plan().items == (ReplayItem(a, commit=True), ReplayItem(b))
    answer(up, "first part")
    plan = up.replay_plan()
    assert plan.items == (ReplayItem(b),)
    assert plan.previous_text == "first part"


def test_replay_keeps_padding_and_keepalive_so_the_timing_holds():
    """Replay re-sends what was sent, silence included and marked as inserted, so stream
    times stay the same and the caller's clock can leave the silence out."""
    up = Uplink(FMT, now=0.0)
    keepalive = up.keepalive(5.0)
    assert keepalive is not None
    up.audio(speech(0.1), 6.0)
    pad, _ = up.commit(6.1)
    items = up.replay_plan().items
    assert items == (ReplayItem(keepalive.audio, inserted=True), ReplayItem(speech(0.1)),
                     ReplayItem(pad.audio, commit=True, inserted=True))
    assert FMT.duration_s(sum(len(i.audio) for i in items)) == pytest.approx(up.sent_s)


def test_the_callers_clock_leaves_out_inserted_silence():
    """Stream times map to the caller's audio: keep-alive and padding before them are
    taken out, and a replay that re-sends them keeps them out."""
    up = Uplink(FMT, now=0.0)
    keepalive = up.keepalive(5.0)
    assert keepalive is not None
    ka_s = FMT.duration_s(len(keepalive.audio))
    up.audio(speech(0.1), 6.0)
    pad, _ = up.commit(6.1)
    pad_s = FMT.duration_s(len(pad.audio))
    up.audio(speech(0.2), 6.2)
    assert up.caller_s(ka_s + 0.05) == pytest.approx(0.05)
    assert up.caller_s(ka_s + 0.1 + pad_s + 0.1) == pytest.approx(0.2)
    assert up.caller_s(ka_s / 2) == pytest.approx(0.0)  # inside the keep-alive
    nxt, plan = up.successor(7.0)
    for item in plan.items:
        nxt.audio(item.audio, 7.0, inserted=item.inserted)
    assert nxt.caller_s(ka_s + 0.1 + pad_s + 0.1) == pytest.approx(0.2)


def test_replay_buffer_is_bounded():
    """The replay buffer keeps at most replay_limit_s, dropping the oldest audio."""
    up = Uplink(FMT, now=0.0, replay_limit_s=1.0)
    for i in range(12):
        up.audio(bytes([i + 1, 0]) * 1600, float(i))  # 100 ms each
    assert up.replay_s == pytest.approx(1.0)
    plan = up.replay_plan()
    assert plan.items[0].audio[:2] == bytes([3, 0])
    assert up.replay_dropped_bytes == FMT.bytes_for(0.2)


def test_unsolicited_commit_trims_only_what_it_provably_covers():
    """A server commit trims the replay buffer only up to the bound the caller gives."""
    up = Uplink(FMT, now=0.0)
    up.audio(speech(2.0), 1.0)
    up.on_committed("auto", solicited=False)
    assert up.replay_s == pytest.approx(2.0)  # no bound: nothing is known to be covered
    up.on_committed("auto", solicited=False, covered_bytes=FMT.bytes_for(1.5))
    assert up.replay_s == pytest.approx(0.5, abs=0.26)  # whole chunks go
    up.forget_until(up.sent_bytes)
    assert up.replay_plan().items == () and up.replay_s == 0


def test_replay_previous_text_is_the_word_aligned_tail_of_committed_text():
    """A reconnect seeds previous_text with the last <= 50 characters of committed text."""
    up = Uplink(FMT, now=0.0)
    for text in ["open the door and turn on the kitchen lights", "",
                 "the quick brown fox jumps over the lazy dog"]:
        up.audio(speech(0.5), 1.0)
        up.commit(1.0)
        answer(up, text)
    plan = up.replay_plan()
    assert plan.previous_text == "lights the quick brown fox jumps over the lazy dog"


def test_successor_replays_and_carries_previous_text():
    """The successor uplink sends the committed tail as previous_text on its first chunk."""
    up = Uplink(FMT, now=0.0, keepalive_after_s=3.0)
    up.audio(speech(0.5), 1.0)
    up.commit(1.5)
    answer(up, "hello world")
    up.audio(b"\x05\x00" * 100, 2.0)
    nxt, plan = up.successor(10.0)
    assert plan.items == (ReplayItem(b"\x05\x00" * 100),)
    first = nxt.audio(plan.items[0].audio, 10.0)[0]
    assert first.previous_text == "hello world"
    assert nxt.keepalive_due_at() == 13.0
    assert nxt.committed_tail == "hello world"


def test_pending_commits_survive_into_the_replay_plan():
    """Commits awaiting an answer are replayed at the same points of the audio."""
    up = Uplink(FMT, now=0.0)
    a, b, c = (bytes([n, 0]) * 4000 for n in (1, 2, 3))
    up.audio(a, 1.0)
    up.commit(1.0)
    up.audio(b, 2.0)
    up.commit(2.0)
    up.audio(c, 3.0)
    answer(up, "a")
    pad_b = FMT.silence(0.05 + 1 / 16000)
    assert up.replay_plan().items == (ReplayItem(b), ReplayItem(pad_b, True, inserted=True),
                                      ReplayItem(c))
