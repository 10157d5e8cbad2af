"""The ElevenLabs API key in the OS keyring, and nowhere else (architecture: secrets never
leave the keyring; vorta-style wrapper).

The backend is injected (tests pass an in-memory one); by default `keyring.get_keyring()` is
asked at call time, never at import. Without any OS keyring this raises
`SecretsUnavailableError`, whose text tells the user the key can be used for this run only:
no plaintext file is ever written as a fallback. Blocking calls: the OS keyring may talk to
D-Bus, so call from a thread (`asyncio.to_thread`) if the loop must stay responsive.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

SERVICE = "scribe-desktop"
API_KEY_USERNAME = "elevenlabs-api-key"

NO_KEYRING_MESSAGE = (
    "No OS keyring is available (for example GNOME Keyring, KWallet, macOS Keychain or "
    "Windows Credential Manager), so the API key cannot be saved. It can still be used for "
    "this run only; it is never written to a file."
)


class SecretsError(Exception):
    """The keyring failed; the text says how."""


class SecretsUnavailableError(SecretsError):
    """There is no usable OS keyring: offer a session-only key instead."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(NO_KEYRING_MESSAGE + (f" ({detail})" if detail else ""))
        self.detail = detail


class ApiKeyStore:
    """get / set / delete the API key under one service name in one keyring backend."""

    def __init__(self, backend: KeyringBackend | None = None, *, service: str = SERVICE,
                 username: str = API_KEY_USERNAME) -> None:
        self._backend = backend
        self.service = service
        self.username = username

    def _keyring(self) -> KeyringBackend:
        if self._backend is not None:
            return self._backend
        import keyring

        backend: KeyringBackend = keyring.get_keyring()
        return backend

    def get_api_key(self) -> str | None:
        """The stored key, or None when there is none (never "")."""
        try:
            value = self._keyring().get_password(self.service, self.username)
        except NoKeyringError as exc:
            raise SecretsUnavailableError(str(exc)) from exc
        except KeyringError as exc:
            raise SecretsError(f"reading the API key from the keyring failed: {exc}") from exc
        if value is None or not value.strip():
            return None
        return value.strip()

    def set_api_key(self, key: str) -> None:
        """Store `key` (surrounding whitespace removed); an empty key is a ValueError."""
        key = key.strip()
        if not key:
            raise ValueError("the API key is empty; use delete_api_key() to remove it")
        try:
            self._keyring().set_password(self.service, self.username, key)
        except NoKeyringError as exc:
            raise SecretsUnavailableError(str(exc)) from exc
        except KeyringError as exc:
            raise SecretsError(f"saving the API key in the keyring failed: {exc}") from exc

    def delete_api_key(self) -> None:
        """Remove the stored key; nothing happens when there is none."""
        try:
            self._keyring().delete_password(self.service, self.username)
        except PasswordDeleteError:
            return  # already absent
        except NoKeyringError as exc:
            raise SecretsUnavailableError(str(exc)) from exc
        except KeyringError as exc:
            raise SecretsError(f"deleting the API key from the keyring failed: {exc}") from exc


def get_api_key(backend: KeyringBackend | None = None) -> str | None:
    """`ApiKeyStore(backend).get_api_key()`."""
    return ApiKeyStore(backend).get_api_key()


def set_api_key(key: str, backend: KeyringBackend | None = None) -> None:
    """`ApiKeyStore(backend).set_api_key(key)`."""
    ApiKeyStore(backend).set_api_key(key)


def delete_api_key(backend: KeyringBackend | None = None) -> None:
    """`ApiKeyStore(backend).delete_api_key()`."""
    ApiKeyStore(backend).delete_api_key()
