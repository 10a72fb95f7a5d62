"""A text field stored encrypted with the keys in settings.FIELD_ENCRYPTION_KEYS.

In `config`, not in an app, so every app may use it without importing another
(`llm` imports nothing of ours; `accounts.fields` re-exports this for its migrations).

MultiFernet: the first key encrypts, every key decrypts, so a new key can be put
in front and old rows keep working until `rotate_encryption_keys` re-encrypts them.
"""

from __future__ import annotations

import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


class DecryptionError(Exception):
    """No configured key decrypts a stored value (a key was removed too early?)."""


@functools.lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def get_multifernet() -> MultiFernet:
    # Keyed on the current setting, not built once: tests (and key rotation) change it.
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def get_primary_fernet() -> Fernet:
    return Fernet(settings.FIELD_ENCRYPTION_KEYS[0].encode())


def encrypt_text(value: str) -> str:
    return get_multifernet().encrypt(value.encode()).decode()


def decrypt_text(ciphertext: str) -> str:
    try:
        return get_multifernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        # Never include the ciphertext or anything derived from it in the message.
        raise DecryptionError("No key in FIELD_ENCRYPTION_KEYS decrypts a stored value.") from None


class EncryptedTextField(models.TextField):
    """Plain `str` in Python, Fernet ciphertext in the database.

    Ciphertext is randomised, so the column cannot be searched: every lookup but
    `isnull` is refused instead of silently never matching.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt_text(str(value))

    def get_lookup(self, lookup_name: str):
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)
