"""The desk's vocabulary: roles, states, verdicts, records and workflow tables.

Everything here is plain data.  Records are frozen dataclasses returned by the
services; the workflow rules (which status may follow which) are dictionaries
that the services consult and the tests enumerate.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Mapping


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"            # reviews and approves
    FACT_CHECKER = "fact_checker"
    RESEARCHER = "researcher"
    COORDINATOR = "coordinator"


class RegionLevel(StrEnum):
    STATE = "state"
    DISTRICT = "district"
    AC = "ac"                    # assembly constituency
    BLOCK = "block"
    BOOTH = "booth"


#: Depth of each level; a parent must sit at a smaller depth than its child.
REGION_DEPTH: dict[RegionLevel, int] = {lvl: i for i, lvl in enumerate(RegionLevel)}


class Channel(StrEnum):
    WHATSAPP = "whatsapp"
    FACEBOOK = "facebook"
    X = "x"
    YOUTUBE = "youtube"
    PHONE = "phone"
    FIELD_REPORT = "field_report"


class ClaimStatus(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    IN_RESEARCH = "in_research"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    DISMISSED = "dismissed"      # with a DismissReason
    DUPLICATE = "duplicate"      # of a canonical claim
    ANSWERED = "answered"        # resolved by an existing approved rebuttal


class DismissReason(StrEnum):
    NOT_CHECKWORTHY = "not_checkworthy"
    SPAM = "spam"
    OPINION = "opinion"


class RebuttalStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETRACTED = "retracted"


class Verdict(StrEnum):
    FALSE = "false"
    MISLEADING = "misleading"
    TRUE = "true"
    PARTLY_TRUE = "partly_true"
    UNVERIFIED = "unverified"
    SATIRE = "satire"


class FactStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


class LinkKind(StrEnum):
    FACT = "fact"
    REBUTTAL = "rebuttal"
    CLAIM = "claim"


class LinkDecision(StrEnum):
    SUGGESTED = "suggested"      # proposed by the matcher, nobody looked yet
    AUTO = "auto"                # accepted automatically (score above `same`)
    CONFIRMED = "confirmed"      # a person said: this is the same / it answers it
    REJECTED = "rejected"        # a person said: not related


class Tier(StrEnum):
    SAME = "same"
    RELATED = "related"
    NONE = "none"


class NoteTarget(StrEnum):
    CLAIM = "claim"
    REBUTTAL = "rebuttal"


#: Claims in these states are worked on; the triage queue shows them by default.
OPEN_CLAIM_STATUSES: tuple[ClaimStatus, ...] = (
    ClaimStatus.NEW, ClaimStatus.TRIAGED, ClaimStatus.IN_RESEARCH, ClaimStatus.IN_REVIEW,
)

#: Claims in these states are not mirrored into the ``claims`` match collection.
UNINDEXED_CLAIM_STATUSES: frozenset[ClaimStatus] = frozenset(
    {ClaimStatus.DISMISSED, ClaimStatus.DUPLICATE}
)

# --- workflow tables -------------------------------------------------------
# A status may move to the listed statuses and nowhere else.  The services
# raise InvalidTransition for anything not in these tables.

CLAIM_TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    ClaimStatus.NEW: frozenset({
        ClaimStatus.TRIAGED, ClaimStatus.IN_RESEARCH, ClaimStatus.DISMISSED,
        ClaimStatus.DUPLICATE, ClaimStatus.ANSWERED,
    }),
    ClaimStatus.TRIAGED: frozenset({
        ClaimStatus.NEW, ClaimStatus.IN_RESEARCH, ClaimStatus.DISMISSED,
        ClaimStatus.DUPLICATE, ClaimStatus.ANSWERED,
    }),
    ClaimStatus.IN_RESEARCH: frozenset({
        ClaimStatus.TRIAGED, ClaimStatus.IN_REVIEW, ClaimStatus.DISMISSED,
        ClaimStatus.DUPLICATE, ClaimStatus.ANSWERED,
    }),
    ClaimStatus.IN_REVIEW: frozenset({ClaimStatus.IN_RESEARCH, ClaimStatus.APPROVED}),
    ClaimStatus.APPROVED: frozenset({ClaimStatus.IN_RESEARCH, ClaimStatus.PUBLISHED}),
    # A published claim only re-opens for a correction.
    ClaimStatus.PUBLISHED: frozenset({ClaimStatus.IN_RESEARCH}),
    ClaimStatus.DISMISSED: frozenset({ClaimStatus.NEW}),
    ClaimStatus.DUPLICATE: frozenset({ClaimStatus.NEW}),
    ClaimStatus.ANSWERED: frozenset({ClaimStatus.NEW}),
}

REBUTTAL_TRANSITIONS: dict[RebuttalStatus, frozenset[RebuttalStatus]] = {
    RebuttalStatus.DRAFT: frozenset({RebuttalStatus.IN_REVIEW}),
    RebuttalStatus.IN_REVIEW: frozenset({RebuttalStatus.DRAFT, RebuttalStatus.APPROVED}),
    # Editing an approved rebuttal withdraws the approval (back to draft).
    RebuttalStatus.APPROVED: frozenset({RebuttalStatus.DRAFT, RebuttalStatus.PUBLISHED}),
    # Editing a published rebuttal starts a correction: a new draft version,
    # while the published version stays live until the correction is published.
    RebuttalStatus.PUBLISHED: frozenset({RebuttalStatus.DRAFT, RebuttalStatus.RETRACTED}),
    RebuttalStatus.RETRACTED: frozenset(),
}

#: Which rebuttal states may be edited (every save makes a new version).
EDITABLE_REBUTTAL_STATUSES: frozenset[RebuttalStatus] = frozenset({
    RebuttalStatus.DRAFT, RebuttalStatus.IN_REVIEW, RebuttalStatus.APPROVED,
    RebuttalStatus.PUBLISHED,
})

#: When a rebuttal reaches a state, its linked claims follow: claim states in
#: the key set move to the value.  Claims in other states are left alone
#: (a dismissed claim stays dismissed).
CLAIMS_FOLLOW_REBUTTAL: dict[RebuttalStatus, tuple[frozenset[ClaimStatus], ClaimStatus]] = {
    RebuttalStatus.IN_REVIEW: (
        frozenset({ClaimStatus.NEW, ClaimStatus.TRIAGED, ClaimStatus.IN_RESEARCH}),
        ClaimStatus.IN_REVIEW,
    ),
    RebuttalStatus.DRAFT: (
        frozenset({ClaimStatus.IN_REVIEW, ClaimStatus.APPROVED}),
        ClaimStatus.IN_RESEARCH,
    ),
    RebuttalStatus.APPROVED: (frozenset({ClaimStatus.IN_REVIEW}), ClaimStatus.APPROVED),
    RebuttalStatus.PUBLISHED: (
        frozenset({ClaimStatus.IN_REVIEW, ClaimStatus.APPROVED}), ClaimStatus.PUBLISHED,
    ),
}


def claim_transition_allowed(src: ClaimStatus | str, dst: ClaimStatus | str) -> bool:
    return ClaimStatus(dst) in CLAIM_TRANSITIONS[ClaimStatus(src)]


def rebuttal_transition_allowed(src: RebuttalStatus | str, dst: RebuttalStatus | str) -> bool:
    return RebuttalStatus(dst) in REBUTTAL_TRANSITIONS[RebuttalStatus(src)]


# --- records ----------------------------------------------------------------


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    email: str | None = None
    language: str | None = None
    region_id: int | None = None
    is_system: bool = False
    has_password: bool = False
    created_at: str = ""
    version: int = 1


@dataclass(frozen=True)
class Region:
    id: int
    code: str
    name: str
    name_hi: str | None
    level: RegionLevel
    parent_id: int | None
    path: str                    # materialised path of ids, e.g. "/1/4/9/"
    version: int = 1


@dataclass(frozen=True)
class Topic:
    id: int
    slug: str
    name_en: str
    name_hi: str | None
    version: int = 1


@dataclass(frozen=True)
class Source:
    """A citation: a web page, a document, or an official notice."""

    url: str
    title: str = ""
    publisher: str = ""
    date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "title": self.title, "publisher": self.publisher,
                "date": self.date}


@dataclass(frozen=True)
class Claim:
    id: int
    text: str
    match_key: str
    lang: str | None
    script: str | None
    channel: Channel
    source_url: str | None
    source_group: str | None
    first_seen_at: str
    last_seen_at: str
    region_id: int | None
    status: ClaimStatus
    dismiss_reason: DismissReason | None
    duplicate_of: int | None
    answered_by: int | None      # rebuttal id when status is answered
    priority: float
    assignee_id: int | None
    due_at: str | None
    verdict: Verdict | None
    sighting_count: int
    group_count: int
    region_count: int
    sightings_24h: int
    topics: tuple[str, ...]      # topic slugs
    created_at: str
    updated_at: str
    updated_by: int | None
    version: int


@dataclass(frozen=True)
class NewClaim:
    """Input for ``ClaimService.create``.  ``seen_at`` defaults to now."""

    text: str
    channel: Channel | str = Channel.WHATSAPP
    source_url: str | None = None
    source_group: str | None = None
    seen_at: str | None = None
    region_code: str | None = None
    topics: tuple[str, ...] = ()            # topic slugs
    due_at: str | None = None


@dataclass(frozen=True)
class NewSighting:
    """Input for ``SightingService.record``.

    ``message_key`` is the caller's fingerprint of the message (the intake
    parser's ``message_key``): recording the same key twice is a no-op.
    ``sender`` is the raw sender (name or phone number); only its keyed hash
    is stored.
    """

    claim_id: int
    message_key: str
    seen_at: str | None = None
    channel: Channel | str = Channel.WHATSAPP
    source_group: str | None = None
    sender: str | None = None
    region_code: str | None = None


@dataclass(frozen=True)
class SightingReport:
    inserted: int
    duplicates: int                          # message keys already stored
    claim_ids: tuple[int, ...]               # claims whose figures changed


@dataclass(frozen=True)
class Sighting:
    id: int
    claim_id: int
    seen_at: str
    channel: Channel
    source_group: str | None
    sender_hash: str | None
    region_id: int | None
    message_key: str


@dataclass(frozen=True)
class Virality:
    """What the sightings of one claim add up to, at a moment in time."""

    sightings: int = 0
    groups: int = 0
    regions: int = 0
    last_24h: int = 0
    first_seen_at: str | None = None
    last_seen_at: str | None = None


@dataclass(frozen=True)
class Fact:
    id: int
    statement: str
    lang: str | None
    topic: str | None            # topic slug
    valid_until: str | None
    status: FactStatus
    sources: tuple[Source, ...]
    created_by: int | None
    created_at: str
    updated_at: str
    updated_by: int | None
    version: int


@dataclass(frozen=True)
class RebuttalVersion:
    rebuttal_id: int
    version_no: int
    verdict: Verdict
    title: str
    full_text: str
    whatsapp_text: str
    lang: str | None
    translations: Mapping[str, Mapping[str, str]]   # lang -> {full_text, whatsapp_text}
    fact_ids: tuple[int, ...]
    links: tuple[Source, ...]
    author_id: int
    change_note: str
    created_at: str
    approved_by: int | None = None
    approved_at: str | None = None
    published_at: str | None = None


@dataclass(frozen=True)
class Rebuttal:
    id: int
    status: RebuttalStatus
    verdict: Verdict
    lang: str | None
    region_id: int | None
    author_id: int
    reviewer_id: int | None
    current_version_no: int
    published_version_no: int | None   # the version coordinators get, if any
    claim_ids: tuple[int, ...]
    topics: tuple[str, ...]
    created_at: str
    updated_at: str
    updated_by: int | None
    version: int                       # optimistic-concurrency counter
    current: RebuttalVersion | None = None
    retract_reason: str | None = None

    @property
    def live_version_no(self) -> int | None:
        """The version that is (or may be) handed out: approved or published."""
        if self.status in (RebuttalStatus.APPROVED, RebuttalStatus.PUBLISHED):
            return self.current_version_no
        if self.status == RebuttalStatus.RETRACTED:
            return None
        return self.published_version_no


@dataclass(frozen=True)
class MatchLink:
    id: int
    claim_id: int
    target_kind: LinkKind
    target_id: int
    score: float
    tier: Tier
    decision: LinkDecision
    signals: Mapping[str, float]
    decided_by: int | None
    decided_at: str | None
    created_at: str
    version: int


@dataclass(frozen=True)
class SuggestedLink:
    """A matcher candidate to record against a claim."""

    target_kind: LinkKind
    target_id: int
    score: float
    tier: Tier
    signals: Mapping[str, float] = field(default_factory=dict)
    auto: bool = False


@dataclass(frozen=True)
class Note:
    id: int
    target: NoteTarget
    target_id: int
    author_id: int
    body: str
    created_at: str


@dataclass(frozen=True)
class Pull:
    id: int
    user_id: int
    rebuttal_id: int
    version_no: int
    region_id: int | None
    format: str
    pulled_at: str


@dataclass(frozen=True)
class CorrectionNotice:
    """A rebuttal this user pulled that has since been corrected or retracted."""

    rebuttal_id: int
    pulled_version_no: int
    pulled_at: str
    current_version_no: int | None     # None when retracted
    status: RebuttalStatus
    changed_at: str


@dataclass(frozen=True)
class MatchItem:
    """One row of the index source table; ``id`` is the FAISS id."""

    id: int
    collection: str              # "library" | "claims"
    kind: str                    # "fact" | "rebuttal" | "claim"
    ref_id: int
    text: str
    lang: str | None
    active: bool
    rev: int


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor_id: int | None
    actor_name: str | None
    action: str
    entity: str | None
    entity_id: int | None
    outcome: str                 # "ok" | "denied" | "failed"
    before: Any
    after: Any
    detail: Any


@dataclass(frozen=True)
class QueueFilter:
    """Triage queue filters.  Empty values mean "any".

    ``region_id`` includes the region's descendants; ``text`` is a literal,
    case-insensitive substring (``%`` and ``_`` are not wildcards).
    ``seen_from``/``seen_to`` bound ``last_seen_at`` (ISO strings, inclusive).
    """

    statuses: tuple[ClaimStatus, ...] = OPEN_CLAIM_STATUSES
    topic: str | None = None             # topic slug
    region_id: int | None = None
    lang: str | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    channel: Channel | None = None
    seen_from: str | None = None
    seen_to: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class QueueRow:
    id: int
    text: str
    status: ClaimStatus
    priority: float
    lang: str | None
    channel: Channel
    region_id: int | None
    assignee_id: int | None
    due_at: str | None
    last_seen_at: str
    sighting_count: int
    group_count: int
    version: int


@dataclass(frozen=True)
class QueuePage:
    rows: tuple[QueueRow, ...]
    total: int                   # rows matching every filter
    page: int
    page_size: int
    status_counts: Mapping[str, int]   # the same filters except status, per status

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))
