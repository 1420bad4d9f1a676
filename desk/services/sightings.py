"""Sightings: every time a claim is seen.  They drive virality and priority.

Raw sender names and phone numbers are never stored: ``sender_hash`` is an
HMAC-SHA256 keyed with the per-installation secret that ``desk init`` writes
into the runtime directory (see :mod:`desk.services.installation`).  The same
person gets the same hash on this desk and an unrelated one elsewhere; without
the secret the hash cannot be reversed by trying every phone number.

Recording is idempotent: each sighting carries the caller's ``message_key``
and a key that is already stored is counted as a duplicate, not inserted.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from typing import Sequence

from desk.clock import Clock
from desk.domain import Channel, NewSighting, SightingReport
from desk.errors import NotFound, ValidationError
from desk.services import validate
from desk.services.base import Service
from desk.services.claims import reprioritise
from desk.store import Store
from desk.store import claims as claims_repo
from desk.store import regions as regions_repo

_PHONE_CHARS = re.compile(r"[\s\-().+\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MIN_SECRET_BYTES = 16


def sender_key(sender: str) -> str:
    """The canonical form that is hashed: phone numbers reduced to their last ten
    digits (``+91 98765 43210`` and ``09876543210`` agree), names NFC-casefolded."""
    text = unicodedata.normalize("NFC", sender).strip()
    digits = _PHONE_CHARS.sub("", text)
    if digits.isdigit() and len(digits) >= 7:
        return "tel:" + digits[-10:]
    return "name:" + " ".join(text.casefold().split())


class SenderHasher:
    """Keyed hash of senders; construct it with the installation secret."""

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
            raise ValueError("the installation secret must be at least 16 bytes")
        self._secret = secret

    def __call__(self, sender: str) -> str:
        return hmac.new(self._secret, sender_key(sender).encode("utf-8"),
                        hashlib.sha256).hexdigest()


class SightingService(Service):
    """Record sightings (``sighting.record``) and keep claim figures current."""

    def __init__(self, store: Store, clock: Clock | None = None, *,
                 hasher: SenderHasher) -> None:
        super().__init__(store, clock)
        self.hasher = hasher

    def record(self, actor_id: int, items: Sequence[NewSighting]) -> SightingReport:
        """Store sightings in one transaction; refresh virality and priority of the
        claims they belong to.  Unknown claim or region: nothing is stored."""
        actor = self.require(actor_id, "sighting.record", entity="claim")
        now = self.now()
        prepared = []
        for n, item in enumerate(items, 1):
            key = validate.required_text(item.message_key, f"sighting {n}: message key",
                                         max_chars=200)
            sender = validate.text(item.sender, f"sighting {n}: sender", max_chars=200,
                                   required=False)
            prepared.append({
                "claim_id": item.claim_id, "message_key": key,
                "seen_at": validate.timestamp(item.seen_at, f"sighting {n}: seen at") or now,
                "channel": validate.choice(Channel, item.channel, f"sighting {n}: channel"),
                "source_group": validate.text(item.source_group, f"sighting {n}: group",
                                              max_chars=validate.MAX_SHORT_CHARS, required=False),
                "sender_hash": self.hasher(sender) if sender else None,
                "region_code": (item.region_code or "").strip() or None,
            })
        inserted = duplicates = 0
        touched: dict[int, None] = {}
        with self.store.write():
            regions: dict[str, int] = {}
            for p in prepared:
                code = p["region_code"]
                if code and code not in regions:
                    region = regions_repo.by_code(self.store, code)
                    if region is None:
                        raise ValidationError(f"unknown region code {code[:40]!r}")
                    regions[code] = region.id
            known = set(claims_repo.existing_ids(self.store, {p["claim_id"] for p in prepared}))
            for p in prepared:
                if p["claim_id"] not in known:
                    raise NotFound(f"claim {p['claim_id']} does not exist")
                sid = claims_repo.insert_sighting(
                    self.store, claim_id=p["claim_id"], seen_at=p["seen_at"], channel=p["channel"],
                    source_group=p["source_group"], sender_hash=p["sender_hash"],
                    region_id=regions.get(p["region_code"]) if p["region_code"] else None,
                    message_key=p["message_key"], at=now, actor_id=actor.id)
                if sid is None:
                    duplicates += 1
                else:
                    inserted += 1
                    touched[p["claim_id"]] = None
            canonical = claims_repo.canonical_ids(self.store, list(touched))
            affected = list(dict.fromkeys([*touched, *canonical]))
            reprioritise(self.store, self.clock, affected)
            if inserted:
                self.audit(actor, "sighting.record", entity="claim",
                           entity_id=affected[0] if len(affected) == 1 else None,
                           detail={"inserted": inserted, "duplicates": duplicates,
                                   "claims": affected[:50]})
        return SightingReport(inserted=inserted, duplicates=duplicates,
                              claim_ids=tuple(affected))
