"""Shared settings (match thresholds and the like) and the audit log reader."""
from __future__ import annotations

import json
from typing import Any

from desk.domain import AuditEntry
from desk.errors import ValidationError
from desk.services import validate
from desk.services.base import Service
from desk.store import audit as audit_repo
from desk.store import settings as settings_repo

MAX_SETTING_BYTES = 100_000
THRESHOLDS_KEY = "match.thresholds"
#: Keys only the system changes (a restore bumps index_epoch).
RESERVED_KEYS = frozenset({"index_epoch"})


class SettingsService(Service):
    def get(self, actor_id: int, key: str, default: Any = None) -> tuple[Any, int]:
        """``(value, version)``; ``(default, 0)`` when the key was never set."""
        self.require(actor_id, "settings.view")
        found = settings_repo.get(self.store, key)
        return found if found is not None else (default, 0)

    def all(self, actor_id: int) -> dict[str, tuple[Any, int]]:
        self.require(actor_id, "settings.view")
        return settings_repo.all_settings(self.store)

    def set(self, actor_id: int, key: str, value: Any, *, expected_version: int) -> int:
        """Create (``expected_version=0``) or change a setting; returns the new version."""
        actor = self.require(actor_id, "settings.edit", entity="setting")
        key = validate.required_text(key, "key", max_chars=100)
        if key in RESERVED_KEYS:
            raise ValidationError(f"{key} is managed by the desk itself")
        if isinstance(expected_version, bool) or not isinstance(expected_version, int) \
                or expected_version < 0:
            raise ValidationError("expected_version must be the version you loaded (0 for new)")
        try:
            size = len(json.dumps(value, ensure_ascii=False))
        except (TypeError, ValueError):
            raise ValidationError(f"{key}: the value must be JSON (numbers, text, lists, maps)") from None
        if size > MAX_SETTING_BYTES:
            raise ValidationError(f"{key}: the value is too large")
        with self.store.write():
            old, version, _ = settings_repo.put(self.store, key, value,
                                                expected_version=expected_version,
                                                actor_id=actor.id, at=self.now())
            self.audit(actor, "settings.edit", entity="setting", before={key: old},
                       after={key: value})
        return version

    def thresholds(self, actor_id: int) -> tuple[dict[str, float] | None, int]:
        """The shared match thresholds ``{"same": s, "related": r}`` and their version."""
        value, version = self.get(actor_id, THRESHOLDS_KEY)
        return value, version

    def set_thresholds(self, actor_id: int, *, same: float, related: float,
                       expected_version: int) -> int:
        if not (0.0 <= float(related) <= float(same) <= 1.0):
            raise ValidationError("thresholds must satisfy 0 <= related <= same <= 1")
        return self.set(actor_id, THRESHOLDS_KEY, {"same": float(same), "related": float(related)},
                        expected_version=expected_version)

    def audit_log(self, actor_id: int, *, entity: str | None = None, entity_id: int | None = None,
                  action: str | None = None, user_id: int | None = None,
                  outcome: str | None = None, before_id: int | None = None,
                  limit: int = 100) -> list[AuditEntry]:
        """Audit entries, newest first (page with ``before_id`` = last id seen)."""
        self.require(actor_id, "audit.view")
        return audit_repo.entries(self.store, entity=entity, entity_id=entity_id, action=action,
                                  actor_id=user_id, outcome=outcome, before_id=before_id,
                                  limit=max(1, min(int(limit), 1000)))
