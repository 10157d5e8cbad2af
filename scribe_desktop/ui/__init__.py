"""Layer 3: the widgets. They import only layers 0-2 (protocol, transcript, dictation,
user_errors, settings, worker) and talk to the dictation worker only through its signals and
slots."""
