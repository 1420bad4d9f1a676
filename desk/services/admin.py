"""Backups, restores and statistics.

Backups use SQLite's online backup API (a consistent snapshot even while
others write; never a file copy).  A restore first takes a safety backup of
the current database, then replaces everything with the chosen backup, bumps
``index_epoch`` (the matching bridge sees the change and rebuilds its index
from ``match_items``, which the backup holds consistent with its sources) and
audits the restore.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desk.clock import Clock
from desk.errors import ValidationError
from desk.services.base import Service
from desk.store import Store
from desk.store import settings as settings_repo
from desk.store import stats as stats_repo
from desk.store.index_source import inconsistencies


@dataclass(frozen=True)
class BackupReport:
    path: Path
    bytes: int
    at: str


@dataclass(frozen=True)
class RestoreReport:
    restored_from: Path
    safety_backup: Path          # the database as it was just before the restore
    index_epoch: int             # new epoch: rebuild any index built before it
    needs_reindex: bool
    integrity: str               # "ok" or SQLite's first complaint
    index_problems: tuple[str, ...]


class AdminService(Service):
    """``backup.*``, ``stats.view``."""

    def __init__(self, store: Store, clock: Clock | None = None, *, backup_dir: Path) -> None:
        super().__init__(store, clock)
        self.backup_dir = Path(backup_dir)

    def backup(self, actor_id: int, dest: Path | str | None = None) -> BackupReport:
        """Write a consistent copy of the database (default: ``backup_dir/desk-<time>.db``)."""
        actor = self.require(actor_id, "backup.create")
        at = self.now()
        path = Path(dest) if dest else self.backup_dir / f"desk-{at.replace(':', '')}.db"
        if path.exists() and path.is_dir():
            path = path / f"desk-{at.replace(':', '')}.db"
        if path.resolve() == self.store.path.resolve():
            raise ValidationError("the backup must not overwrite the live database")
        self.store.backup_to(path)
        with self.store.write():
            self.audit(actor, "backup.create", detail={"path": str(path)})
        return BackupReport(path=path, bytes=path.stat().st_size, at=at)

    def restore(self, actor_id: int, src: Path | str, *, confirm: bool = False) -> RestoreReport:
        """Replace all data with the backup at ``src``; refused unless ``confirm``."""
        actor = self.require(actor_id, "backup.restore")
        src = Path(src)
        if not confirm:
            raise ValidationError("a restore replaces every record in the desk; confirm it")
        if not src.is_file():
            raise ValidationError(f"backup file not found: {src}")
        if src.resolve() == self.store.path.resolve():
            raise ValidationError("cannot restore the live database onto itself")
        at = self.now()
        epoch_before = self.store.index_epoch()
        rev_before = self.store.max_rev()
        safety = self.store.backup_to(self.backup_dir / f"pre-restore-{at.replace(':', '')}.db")
        self.store.restore_from(src)
        with self.store.write():
            epoch = settings_repo.bump_index_epoch(self.store, at=at, at_least=epoch_before)
            # Revisions never go backwards, so "changed since rev N" stays meaningful.
            stats_repo.set_rev_at_least(self.store, rev_before)
            self.audit(actor, "backup.restore",
                       detail={"from": str(src), "safety_backup": str(safety),
                               "index_epoch": epoch})
        return RestoreReport(restored_from=src, safety_backup=safety, index_epoch=epoch,
                             needs_reindex=True, integrity=self.store.integrity_check(),
                             index_problems=tuple(inconsistencies(self.store)))

    def stats(self, actor_id: int) -> dict[str, Any]:
        """Counts per status/role/collection, the index revision and epoch, file size."""
        self.require(actor_id, "stats.view")
        out = stats_repo.desk_stats(self.store)
        out["database_bytes"] = self.store.path.stat().st_size if self.store.path.exists() else 0
        return out

    def check(self, actor_id: int) -> dict[str, Any]:
        """Integrity check plus the consistency of ``match_items`` with its sources."""
        self.require(actor_id, "stats.view")
        return {"integrity": self.store.integrity_check(),
                "index_problems": inconsistencies(self.store)}
