"""Audio: pure sample conversion (`pcm`), file decoding, and (later) microphone capture."""
