"""Microphones by the names the desktop shows: the rig's PulseAudio sources are listed by
their descriptions ("VirtualMic", a second "Blue Yeti"), the default marked, and choosing one
by that name captures from that source and no other (real PulseAudio, real PortAudio)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from scribe_desktop.audio.capture import Microphone
from scribe_desktop.audio.devices import list_input_devices, reenumerate
from tests.rig.pulse import PulseRig
from tests.speech import SENTENCES, synth

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]


@pytest.fixture
def second_microphone(pulse_rig: PulseRig, sd: Any) -> Iterator[str]:
    """A second source, "Blue Yeti", fed by its own sink `yeti_sink`."""
    sink = pulse_rig.pactl("load-module", "module-null-sink", "sink_name=yeti_sink",
                           "rate=16000", "channels=1",
                           "sink_properties=device.description=YetiSink").strip()
    source = pulse_rig.pactl("load-module", "module-remap-source",
                             "master=yeti_sink.monitor", "source_name=yeti",
                             "source_properties='device.description=\"Blue Yeti\"'").strip()
    reenumerate(sd)
    yield "yeti_sink"
    pulse_rig.pactl("unload-module", source)
    pulse_rig.pactl("unload-module", sink)
    reenumerate(sd)


async def peak_while_playing(sd: Any, rig: PulseRig, device: str, sink: str) -> float:
    """The loudest sample `device` captured while speech played into `sink`."""
    wav = synth(SENTENCES[0], lead_silence_s=0.2, tail_silence_s=0.2)
    async with Microphone(sd, device=device) as mic:
        assert mic.device is not None and mic.device.name == device
        source = mic.start(preroll=False)

        async def collect() -> bytes:
            parts: list[bytes] = []
            async for chunk in source:
                parts.append(chunk.pcm)
                if sum(map(len, parts)) >= 2 * 16000 * 2:
                    return b"".join(parts)
            return b"".join(parts)

        collecting = asyncio.ensure_future(collect())
        await asyncio.to_thread(rig.play, wav, sink=sink)
        pcm = await asyncio.wait_for(collecting, 20)
    return float(np.abs(np.frombuffer(pcm, dtype="<i2")).max(initial=0))


async def test_sources_are_listed_and_chosen_by_their_desktop_names(
        pulse_rig: PulseRig, sd: Any, second_microphone: str) -> None:
    """Both sources appear by description with the default marked, and each captures only
    its own sink's audio."""
    devices = list_input_devices(sd)
    names = [d.name for d in devices]
    assert names[:2] == ["VirtualMic", "Blue Yeti"]
    assert [d.is_default for d in devices[:2]] == [True, False]
    assert "pulse" not in names and "default" not in names
    assert await peak_while_playing(sd, pulse_rig, "Blue Yeti", second_microphone) > 3000
    assert await peak_while_playing(sd, pulse_rig, "Blue Yeti", "vsink") == 0
    assert await peak_while_playing(sd, pulse_rig, "VirtualMic", "vsink") > 3000
