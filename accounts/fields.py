"""Re-exports core.encryption: the field moved there so apps that must not import
`accounts` (llm) can use it; migrations and imports naming `accounts.fields` keep working."""

from core.encryption import (  # noqa: F401
    DecryptionError,
    EncryptedTextField,
    decrypt_text,
    encrypt_text,
    get_multifernet,
    get_primary_fernet,
)
