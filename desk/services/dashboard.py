"""Desk figures for the dashboard: intake, funnel, speed, virality, regions,
reviewer load and matching quality.

Every method takes the acting user's id first and checks ``stats.view`` (the
team list checks ``user.names``), like every service.  Windows are counted
back from the service clock.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import timedelta

from desk.clock import iso, parse_iso
from desk.domain import OPEN_CLAIM_STATUSES, ClaimStatus, LinkDecision, RegionLevel, Role, Tier
from desk.errors import ValidationError
from desk.services.base import Service
from desk.store import dashboard as dash_repo

#: The claim statuses in workflow order, as the funnel shows them.
FUNNEL_ORDER: tuple[ClaimStatus, ...] = (
    ClaimStatus.NEW, ClaimStatus.TRIAGED, ClaimStatus.IN_RESEARCH, ClaimStatus.IN_REVIEW,
    ClaimStatus.APPROVED, ClaimStatus.PUBLISHED, ClaimStatus.ANSWERED, ClaimStatus.DUPLICATE,
    ClaimStatus.DISMISSED,
)
MAX_DAYS = 366
REVIEWER_ROLES = frozenset({Role.ADMIN, Role.EDITOR})


@dataclass(frozen=True)
class IntakeRow:
    day: str            # YYYY-MM-DD (UTC)
    lang: str           # "" when unknown
    channel: str
    claims: int


@dataclass(frozen=True)
class ForwardsRow:
    day: str
    channel: str
    forwards: int


@dataclass(frozen=True)
class PublishDelay:
    claims: int                     # claims first seen before their rebuttal was published
    median_hours: float | None
    p90_hours: float | None
    answered_on_arrival: int = 0    # first seen after a rebuttal for them was already out


@dataclass(frozen=True)
class ViralClaim:
    id: int
    text: str
    status: ClaimStatus
    lang: str | None
    region_id: int | None
    sightings_24h: int
    sightings: int
    groups: int
    regions: int
    priority: float


@dataclass(frozen=True)
class RegionCount:
    region_id: int | None           # None: claims without a region
    code: str
    name: str
    name_hi: str | None
    level: str
    claims: int                     # including the region's descendants


@dataclass(frozen=True)
class TeamMember:
    id: int
    display_name: str
    role: Role
    open_claims: int                # open claims assigned to them


@dataclass(frozen=True)
class ReviewerLoad:
    user_id: int
    display_name: str
    role: Role
    approved: int                   # in the window
    sent_back: int
    open_claims: int


@dataclass(frozen=True)
class ReviewLoad:
    waiting: int                    # rebuttals in review now
    reviewers: tuple[ReviewerLoad, ...]


@dataclass(frozen=True)
class MatchingQuality:
    confirmed: int
    rejected: int
    pending: int                    # suggested, nobody decided yet
    auto: int
    share_confirmed: float | None   # confirmed / (confirmed + rejected)
    by_tier: dict[str, dict[str, int]] = field(default_factory=dict)   # tier -> decision -> n


def _window_days(days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"the window must be between 1 and {MAX_DAYS} days")
    return days


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


class DashboardService(Service):
    """Read-only aggregates (``stats.view``)."""

    def _since(self, days: int) -> str:
        start = self.clock.now() - timedelta(days=_window_days(days) - 1)
        return iso(start.replace(hour=0, minute=0, second=0))

    def intake(self, actor_id: int, *, days: int = 30) -> list[IntakeRow]:
        """New claims per day (by first sighting), language and channel."""
        self.require(actor_id, "stats.view")
        return [IntakeRow(*row) for row in dash_repo.intake_per_day(self.store,
                                                                    since=self._since(days))]

    def forwards(self, actor_id: int, *, days: int = 30) -> list[ForwardsRow]:
        """Sightings (every forward of a claim) per day and channel."""
        self.require(actor_id, "stats.view")
        return [ForwardsRow(*row) for row in dash_repo.sightings_per_day(self.store,
                                                                         since=self._since(days))]

    def funnel(self, actor_id: int) -> list[tuple[ClaimStatus, int]]:
        """Claims per status in workflow order (every status, zeros included)."""
        self.require(actor_id, "stats.view")
        counts = dash_repo.status_counts(self.store)
        return [(s, counts.get(s.value, 0)) for s in FUNNEL_ORDER]

    def time_to_publish(self, actor_id: int, *, days: int | None = None) -> PublishDelay:
        """Hours from a claim's first sighting to the first publication of a rebuttal
        answering it; ``days`` keeps publications within that window.  Claims first
        seen after that publication (a later variant of an answered rumour) are
        counted apart, as ``answered_on_arrival``."""
        self.require(actor_id, "stats.view")
        since = self._since(days) if days is not None else None
        hours, on_arrival = [], 0
        for _cid, first_seen, published in dash_repo.first_publication(self.store, since=since):
            delta = (parse_iso(published) - parse_iso(first_seen)).total_seconds() / 3600
            if delta < 0:
                # A later variant of a rumour already answered: no work, not a response time.
                on_arrival += 1
            else:
                hours.append(delta)
        return PublishDelay(claims=len(hours),
                            median_hours=statistics.median(hours) if hours else None,
                            p90_hours=_percentile(hours, 0.9), answered_on_arrival=on_arrival)

    def viral_open(self, actor_id: int, *, limit: int = 10) -> list[ViralClaim]:
        """Open claims with the most forwards in the last 24 hours."""
        self.require(actor_id, "stats.view")
        rows = dash_repo.viral_claims(self.store, statuses=[s.value for s in OPEN_CLAIM_STATUSES],
                                      limit=max(1, min(int(limit), 100)))
        return [ViralClaim(id=r["id"], text=r["text"], status=ClaimStatus(r["status"]),
                           lang=r["lang"], region_id=r["region_id"],
                           sightings_24h=r["sightings_24h"], sightings=r["sighting_count"],
                           groups=r["group_count"], regions=r["region_count"],
                           priority=float(r["priority"]))
                for r in rows]

    def by_region(self, actor_id: int, *, level: RegionLevel | str = RegionLevel.STATE,
                  open_only: bool = True) -> list[RegionCount]:
        """Claims per region of one level, each counting its descendants; claims
        without a region (or above that level) are one extra row with ``region_id=None``."""
        self.require(actor_id, "stats.view")
        try:
            wanted = RegionLevel(level)
        except ValueError:
            raise ValidationError(f"unknown region level {str(level)[:20]!r}") from None
        statuses = [s.value for s in OPEN_CLAIM_STATUSES] if open_only else None
        counts = dash_repo.claims_per_region(self.store, statuses=statuses)
        regions = dash_repo.region_paths(self.store)
        by_id = {r[0]: r for r in regions}
        totals: dict[int, int] = {r[0]: 0 for r in regions if r[4] == wanted.value}
        unplaced = counts.get(None, 0)
        for region_id, n in counts.items():
            if region_id is None:
                continue
            row = by_id.get(region_id)
            hit = None
            if row is not None:
                for part in row[5].strip("/").split("/"):
                    if part and int(part) in totals:
                        hit = int(part)
                        break
            if hit is None:
                unplaced += n
            else:
                totals[hit] += n
        out = [RegionCount(region_id=rid, code=by_id[rid][1], name=by_id[rid][2],
                           name_hi=by_id[rid][3], level=wanted.value, claims=n)
               for rid, n in totals.items()]
        out.sort(key=lambda r: (-r.claims, r.code))
        if unplaced:
            out.append(RegionCount(region_id=None, code="", name="", name_hi=None,
                                   level=wanted.value, claims=unplaced))
        return out

    def team(self, actor_id: int) -> list[TeamMember]:
        """Active colleagues with their open assigned claims (to assign work)."""
        self.require(actor_id, "user.names")
        load = dash_repo.open_assignments(self.store,
                                          statuses=[s.value for s in OPEN_CLAIM_STATUSES])
        return [TeamMember(id=uid, display_name=name, role=Role(role), open_claims=load.get(uid, 0))
                for uid, name, role in dash_repo.team(self.store)]

    def reviewer_load(self, actor_id: int, *, days: int = 7) -> ReviewLoad:
        """Rebuttals waiting for review, and per editor/admin: approvals and
        send-backs in the window plus their open assigned claims."""
        self.require(actor_id, "stats.view")
        since = self._since(days)
        done: dict[int, dict[str, int]] = {}
        for uid, action, n in dash_repo.review_actions(self.store, since=since):
            done.setdefault(uid, {})[action] = n
        load = dash_repo.open_assignments(self.store,
                                          statuses=[s.value for s in OPEN_CLAIM_STATUSES])
        reviewers = []
        for uid, name, role in dash_repo.team(self.store):
            r = Role(role)
            if r not in REVIEWER_ROLES and uid not in done:
                continue
            acts = done.get(uid, {})
            reviewers.append(ReviewerLoad(
                user_id=uid, display_name=name, role=r,
                approved=acts.get("rebuttal.approve", 0), sent_back=acts.get("rebuttal.send_back", 0),
                open_claims=load.get(uid, 0)))
        reviewers.sort(key=lambda x: (-(x.approved + x.sent_back), x.display_name.casefold()))
        waiting = dash_repo.rebuttal_status_counts(self.store).get("in_review", 0)
        return ReviewLoad(waiting=waiting, reviewers=tuple(reviewers))

    def matching_quality(self, actor_id: int) -> MatchingQuality:
        """How reviewers judged the engine's suggestions: the share confirmed,
        overall and per tier."""
        self.require(actor_id, "stats.view")
        by_tier: dict[str, dict[str, int]] = {t.value: {d.value: 0 for d in LinkDecision}
                                              for t in Tier}
        for tier, decision, n in dash_repo.link_decisions(self.store):
            by_tier.setdefault(tier, {})[decision] = n
        total = {d.value: sum(t.get(d.value, 0) for t in by_tier.values()) for d in LinkDecision}
        judged = total["confirmed"] + total["rejected"]
        return MatchingQuality(confirmed=total["confirmed"], rejected=total["rejected"],
                               pending=total["suggested"], auto=total["auto"],
                               share_confirmed=total["confirmed"] / judged if judged else None,
                               by_tier=by_tier)
