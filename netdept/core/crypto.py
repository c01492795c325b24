"""Encryption at rest of stored secrets (robot addresses, signing keys, SMTP passwords).

Fernet (AES-128-CBC + HMAC-SHA256) with a key from ``NETDEPT_ENCRYPTION_KEY`` or, when unset,
a key generated once in the data directory (``encryption_key``, mode 0600). Every process of
one installation must use the same key.
"""

from __future__ import annotations

import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from netdept.config import env


class SecretUnreadable(Exception):
    """The stored value cannot be decrypted with this installation's key."""


@lru_cache(maxsize=1)
def _fernet() -> Fernet:
    configured = env("NETDEPT_ENCRYPTION_KEY")
    if configured:
        return Fernet(configured.encode())
    key_file = settings.DATA_DIR / "encryption_key"
    if not key_file.exists():
        key = Fernet.generate_key()
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(key)
    return Fernet(key_file.read_bytes().strip())


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("stored secret cannot be decrypted with this key") from exc
