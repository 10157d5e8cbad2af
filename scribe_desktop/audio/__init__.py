"""Audio in (layer 1): pure sample conversion and levels (`pcm`, importable by any layer
as a pure module), microphone capture on PortAudio with a pre-roll (`capture`,
`input_stream`, `mic_source`), capture processing (`processing`: resampling, WebRTC filters)
and file decoding (`file_source`). May import: core, protocol; numpy, soxr, sounddevice,
soundfile, webrtc-noise-gain, PyAV."""
