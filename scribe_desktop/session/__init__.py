"""Use cases without Qt (layer 2): one live dictation with reconnect (`live`), the
dictation lifecycle performed (`dictation`), file transcription (`file_transcription`), the
history journal (`journal`), "Test connection" (`connection_check`) and the one table of
what to tell the user about any failure (`user_errors`). May import layers 0-1."""
