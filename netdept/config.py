"""Configuration from the environment.

Every setting an operator may change comes from a ``NETDEPT_*`` environment variable. With none
set, NetDept keeps a SQLite database and a generated secret key under its data directory, so a
fresh machine needs no configuration at all and nothing secret is ever committed.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value else default


def data_dir() -> Path:
    """The directory holding the SQLite database, the secret key, uploads and logs."""
    configured = env("NETDEPT_DATA_DIR")
    path = Path(configured).expanduser() if configured else Path.home() / ".local/share/netdept"
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """``NETDEPT_SECRET_KEY``, or a key generated once and kept in the data directory (0600)."""
    configured = env("NETDEPT_SECRET_KEY")
    if configured:
        return configured
    key_file = directory / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def audit_key(directory: Path) -> str:
    """``NETDEPT_AUDIT_KEY``, or a key generated once in the data directory (``audit_key``, 0600).

    It seals the audit trail (``netdept.core.audit_seal``) and must live outside the database:
    keep it with the data directory's backup. Several processes may start at once; the file is
    written under a temporary name and linked into place, so all of them read the same key.
    """
    configured = env("NETDEPT_AUDIT_KEY")
    if configured:
        return configured
    key_file = directory / "audit_key"
    if not key_file.exists():
        tmp = directory / f".audit_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, key_file)  # atomic; fails if another process won the race
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not key_file.exists():
                os.replace(tmp, key_file)
        finally:
            tmp.unlink(missing_ok=True)
    return key_file.read_text().strip()
