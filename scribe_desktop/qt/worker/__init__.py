"""The dictation worker (QtCore only): the one place where client, capture and
session events become Qt signals, and the one owner of the dictation lifecycle.

`worker.DictationWorker` drives a `session.live.LiveSession` per dictation and a `FileJob` per
file; `api.WorkerApi` is what widgets may use of it. Helpers: `status` (the status-bar text
and session timer), `devices` (the microphone seam), `backends` (backend factories, "Test
connection"), `record` (history records), `retry` (transcribe kept audio again).
"""
