"""First-time setup of a runtime directory and the per-installation secret.

The secret keys the sender hashes (``SenderHasher``).  It is generated once by
``desk init`` into ``$FACTDESK_HOME/installation.key`` (mode 0600), never
stored in code or in the database, and must be kept with the backups: without
it, new sightings of the same sender get different hashes.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from desk.config import Settings
from desk.errors import DeskError
from desk.store import Store

SECRET_FILE = "installation.key"
SECRET_BYTES = 32


@dataclass(frozen=True)
class InitReport:
    home: Path
    database: Path
    secret_created: bool
    migrations_applied: bool


def secret_path(settings: Settings) -> Path:
    return settings.home / SECRET_FILE


def ensure_secret(settings: Settings) -> bool:
    """Create the installation secret if missing; True when it was created."""
    path = secret_path(settings)
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes racing to init never overwrite each other's secret.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(SECRET_BYTES) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return True


def load_secret(settings: Settings) -> bytes:
    """The installation secret; ``DeskError`` when ``desk init`` has not run."""
    path = secret_path(settings)
    try:
        text = path.read_text(encoding="ascii").strip()
        return bytes.fromhex(text)
    except FileNotFoundError:
        raise DeskError(f"no installation secret at {path}; run `desk init` first") from None
    except (ValueError, UnicodeDecodeError):
        raise DeskError(f"the installation secret at {path} is damaged") from None


def init_runtime(settings: Settings) -> InitReport:
    """Create the runtime directories, the database (with migrations) and the secret.

    Safe to run again: nothing existing is overwritten.
    """
    settings.ensure_dirs()
    existed = settings.db_path.exists()
    store = Store.open(settings.db_path)
    store.close()
    created = ensure_secret(settings)
    return InitReport(home=settings.home, database=settings.db_path, secret_created=created,
                      migrations_applied=not existed)
