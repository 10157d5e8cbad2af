"""The keyring wrapper against injected in-memory and failing backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from keyring.errors import KeyringLocked, NoKeyringError

from scribe_desktop.connect import keyring_store as secrets
from scribe_desktop.connect.keyring_store import (
    ApiKeyStore,
    SecretsError,
    SecretsUnavailableError,
    delete_api_key,
    get_api_key,
    set_api_key,
)
from tests.keyrings import MemoryKeyring, NoKeyring


class LockedKeyring(NoKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("the collection is locked")


@pytest.fixture
def backend() -> MemoryKeyring:
    return MemoryKeyring()


def test_missing_key_is_none(backend):
    """A missing key reads as None."""
    assert get_api_key(backend) is None


def test_set_then_get_round_trips(backend):
    """A stored key reads back unchanged, under the app's service name."""
    set_api_key("sk_test_123", backend)
    assert get_api_key(backend) == "sk_test_123"
    assert backend.store == {(secrets.SERVICE, secrets.API_KEY_USERNAME): "sk_test_123"}


def test_whitespace_around_a_key_is_stripped(backend):
    """Surrounding whitespace from a paste is not stored."""
    set_api_key("  sk_abc\n", backend)
    assert get_api_key(backend) == "sk_abc"


def test_stored_empty_value_reads_as_none(backend):
    """An empty or blank stored value reads as None, never ""."""
    backend.store[(secrets.SERVICE, secrets.API_KEY_USERNAME)] = "  "
    assert get_api_key(backend) is None


def test_empty_key_is_rejected(backend):
    """Setting an empty key raises ValueError and stores nothing."""
    with pytest.raises(ValueError, match="empty"):
        set_api_key("   ", backend)
    assert backend.store == {}


def test_delete_removes_the_key_and_tolerates_absence(backend):
    """Deleting removes the key, and deleting again is a no-op."""
    set_api_key("sk_x", backend)
    delete_api_key(backend)
    assert get_api_key(backend) is None
    delete_api_key(backend)


def test_service_and_username_are_configurable(backend):
    """Two stores with different services keep separate keys."""
    a = ApiKeyStore(backend, service="a")
    b = ApiKeyStore(backend, service="b")
    a.set_api_key("key-a")
    assert (a.get_api_key(), b.get_api_key()) == ("key-a", None)


@pytest.mark.parametrize("call", [lambda s: s.get_api_key(), lambda s: s.set_api_key("k"),
                                  lambda s: s.delete_api_key()])
def test_no_keyring_raises_a_clear_unavailable_error(call):
    """Without an OS keyring every call raises SecretsUnavailableError offering this run only."""
    with pytest.raises(SecretsUnavailableError) as info:
        call(ApiKeyStore(NoKeyring()))
    assert "No OS keyring is available" in str(info.value)
    assert "this run only" in str(info.value)
    assert isinstance(info.value.__cause__, NoKeyringError)


def test_other_keyring_failures_raise_secrets_error():
    """A locked keyring raises SecretsError naming the failure, not the unavailable error."""
    with pytest.raises(SecretsError, match="locked") as info:
        ApiKeyStore(LockedKeyring()).get_api_key()
    assert not isinstance(info.value, SecretsUnavailableError)


def test_no_keyring_never_writes_a_file(tmp_path, monkeypatch):
    """A failed save leaves no file behind in the working or home directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(SecretsUnavailableError):
        set_api_key("sk_secret", NoKeyring())
    assert list(Path(tmp_path).rglob("*")) == []


def test_default_backend_is_looked_up_at_call_time(monkeypatch, backend):
    """Without an injected backend the current keyring.get_keyring() is used."""
    import keyring

    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    set_api_key("sk_default")
    assert backend.store[(secrets.SERVICE, secrets.API_KEY_USERNAME)] == "sk_default"
    assert get_api_key() == "sk_default"
