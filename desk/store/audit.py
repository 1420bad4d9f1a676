"""The append-only audit log (triggers refuse UPDATE and DELETE)."""
from __future__ import annotations

from typing import Any

from desk.domain import AuditEntry
from desk.store.common import dumps, loads
from desk.store.db import Store


def append(store: Store, *, at: str, actor_id: int | None, actor_name: str | None,
           action: str, entity: str | None = None, entity_id: int | None = None,
           outcome: str = "ok", before: Any = None, after: Any = None,
           detail: Any = None) -> int:
    cur = store.execute(
        "INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, outcome,"
        " before, after, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [at, actor_id, actor_name, action, entity, entity_id, outcome,
         None if before is None else dumps(before),
         None if after is None else dumps(after),
         None if detail is None else dumps(detail)],
    )
    return int(cur.lastrowid)


def entries(store: Store, *, entity: str | None = None, entity_id: int | None = None,
            action: str | None = None, actor_id: int | None = None,
            outcome: str | None = None, before_id: int | None = None,
            limit: int = 100) -> list[AuditEntry]:
    """Newest first, filtered on any combination of the arguments."""
    where, params = [], []
    for col, val in (("entity", entity), ("entity_id", entity_id), ("action", action),
                     ("actor_id", actor_id), ("outcome", outcome)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    if before_id is not None:
        where.append("id < ?")
        params.append(before_id)
    sql = "SELECT * FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT ?"
    params.append(limit)
    return [
        AuditEntry(id=r["id"], at=r["at"], actor_id=r["actor_id"], actor_name=r["actor_name"],
                   action=r["action"], entity=r["entity"], entity_id=r["entity_id"],
                   outcome=r["outcome"], before=loads(r["before"]), after=loads(r["after"]),
                   detail=loads(r["detail"]))
        for r in store.all(sql, params)
    ]


def count(store: Store, *, action: str | None = None, outcome: str | None = None,
          entity: str | None = None, entity_id: int | None = None) -> int:
    where, params = ["1 = 1"], []
    for col, val in (("action", action), ("outcome", outcome), ("entity", entity),
                     ("entity_id", entity_id)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    return int(store.scalar("SELECT count(*) FROM audit_log WHERE " + " AND ".join(where),
                            params))
