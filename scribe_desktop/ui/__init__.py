"""The widgets (layer 4): main window, panes, level meter, dialogs, tray, overlay. May
import layers 0-3 except `client/` and `server/`: they talk to the dictation worker only
through its declared surface (`qt.worker.api.WorkerApi`)."""
