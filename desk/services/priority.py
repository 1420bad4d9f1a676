"""Claim priority: how urgently the desk should look at a claim.

A pure function of the claim's sightings, recency, spread and due date, in
[0, 100].  Each signal is squashed to [0, 1] by a saturating curve so one
runaway number cannot drown the others; the weights sum to 1.

=================  ========================================  ======  =============
signal             value                                     weight  half point
=================  ========================================  ======  =============
reach              all sightings                             0.20    10 sightings
groups             distinct groups/sources                   0.20    5 groups
velocity           sightings in the last 24 hours            0.25    5 per day
spread             distinct regions                          0.10    3 regions
recency            halves every 24 h since the last sighting 0.15    24 h
urgency            due date: 1 when overdue, halves per 12 h 0.10    12 h left
=================  ========================================  ======  =============

Properties the tests check: more sightings, groups, regions or recent
sightings never lower the priority; a more recent sighting or an earlier due
date never lowers it; it always stays within [0, 100].  Because recency and
urgency depend on the time, stored priorities age: ``ClaimService.refresh_priorities``
recomputes them all.
"""
from __future__ import annotations

from datetime import datetime

from desk.clock import parse_iso
from desk.domain import Virality

WEIGHTS = {"reach": 0.20, "groups": 0.20, "velocity": 0.25, "spread": 0.10,
           "recency": 0.15, "urgency": 0.10}
HALF = {"reach": 10.0, "groups": 5.0, "velocity": 5.0, "spread": 3.0}
RECENCY_HALF_LIFE_H = 24.0
URGENCY_HALF_LIFE_H = 12.0


def _saturate(x: float, half: float) -> float:
    x = max(0.0, float(x))
    return x / (x + half)


def components(v: Virality, *, now: datetime, due_at: str | None = None,
               last_seen_at: str | None = None) -> dict[str, float]:
    """Each signal in [0, 1] (what the UI shows as "why this priority")."""
    last = last_seen_at or v.last_seen_at
    if last:
        hours = max(0.0, (now - parse_iso(last)).total_seconds() / 3600)
        recency = 0.5 ** (hours / RECENCY_HALF_LIFE_H)
    else:
        recency = 0.0
    if due_at:
        left = (parse_iso(due_at) - now).total_seconds() / 3600
        urgency = 1.0 if left <= 0 else 0.5 ** (left / URGENCY_HALF_LIFE_H)
    else:
        urgency = 0.0
    return {
        "reach": _saturate(v.sightings, HALF["reach"]),
        "groups": _saturate(v.groups, HALF["groups"]),
        "velocity": _saturate(v.last_24h, HALF["velocity"]),
        "spread": _saturate(v.regions, HALF["spread"]),
        "recency": recency,
        "urgency": urgency,
    }


def priority(v: Virality, *, now: datetime, due_at: str | None = None,
             last_seen_at: str | None = None) -> float:
    """The priority in [0, 100], rounded to 0.01 (stable sorting, readable)."""
    parts = components(v, now=now, due_at=due_at, last_seen_at=last_seen_at)
    score = 100.0 * sum(WEIGHTS[k] * parts[k] for k in WEIGHTS)
    return round(min(100.0, max(0.0, score)), 2)
