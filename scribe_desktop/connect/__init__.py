"""Where dictation connects (no Qt): the embedded local server or the ElevenLabs
cloud, and the API key for it.

`Backend` is the one interface (`await backend.connection()`); `LocalBackend` runs and
watches the server child (`server_process`), `CloudBackend` reads the key from `ApiKeys`
(the OS keyring through `keyring_store`, or a key for this run only), `FixedBackend` is a
server someone else runs. May import: protocol, client, and one I/O library each
(subprocess, keyring).
"""

from .api_keys import ApiKeys
from .base import Backend, BackendStatus, Connection, FixedBackend, StatusListener
from .capabilities import (
    CLOUD,
    POCKETSPHINX,
    UNKNOWN,
    Capabilities,
    UnsupportedLanguageError,
)
from .cloud import CloudBackend, MissingApiKeyError
from .keyring_store import ApiKeyStore, SecretsError, SecretsUnavailableError
from .local import LocalBackend, LocalServerDiedError
from .server_process import LocalServerError, LocalServerProcess

__all__ = [
    "CLOUD",
    "POCKETSPHINX",
    "UNKNOWN",
    "ApiKeyStore",
    "ApiKeys",
    "Backend",
    "BackendStatus",
    "Capabilities",
    "CloudBackend",
    "Connection",
    "FixedBackend",
    "LocalBackend",
    "LocalServerDiedError",
    "LocalServerError",
    "LocalServerProcess",
    "MissingApiKeyError",
    "SecretsError",
    "SecretsUnavailableError",
    "StatusListener",
    "UnsupportedLanguageError",
]
