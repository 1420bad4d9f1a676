"""Match links between a claim and a fact, rebuttal or other claim.

The matching bridge records the engine's candidates as suggestions; people
confirm or reject them.  Human decisions are the labelled pairs that
``index.fusion.fit_thresholds`` calibrates the thresholds from.
"""
from __future__ import annotations

from typing import Sequence

from desk.domain import LinkDecision, LinkKind, MatchLink, SuggestedLink, Tier
from desk.errors import NotFound, ValidationError
from desk.services import validate
from desk.services.base import Service
from desk.store import claims as claims_repo
from desk.store import links as links_repo
from desk.store.common import load_for_update, update_versioned

HUMAN_DECISIONS = (LinkDecision.CONFIRMED, LinkDecision.REJECTED)


class MatchLinkService(Service):
    """``match.*`` actions."""

    def record_suggestions(self, actor_id: int, claim_id: int,
                           suggestions: Sequence[SuggestedLink]) -> list[MatchLink]:
        """Upsert the matcher's candidates for a claim (one transaction).

        A pair a person already confirmed or rejected keeps that decision; only
        its score, tier and signals are refreshed.
        """
        actor = self.require(actor_id, "match.run", entity="claim", entity_id=claim_id)
        clean = []
        for s in suggestions:
            kind = validate.choice(LinkKind, s.target_kind, "target kind")
            tier = validate.choice(Tier, s.tier, "tier")
            score = float(s.score)
            if not 0.0 <= score <= 1.0:
                raise ValidationError(f"score must be within [0, 1], got {score}")
            if kind == LinkKind.CLAIM and s.target_id == claim_id:
                continue
            clean.append(SuggestedLink(kind, int(s.target_id), score, tier,
                                       {str(k): float(v) for k, v in dict(s.signals).items()},
                                       bool(s.auto)))
        with self.store.write():
            if not claims_repo.existing_ids(self.store, [claim_id]):
                raise NotFound(f"claim {claim_id} does not exist")
            ids = links_repo.upsert_suggestions(self.store, claim_id, clean, at=self.now(),
                                                actor_id=actor.id)
            if clean:
                self.audit(actor, "match.record", entity="claim", entity_id=claim_id,
                           detail={"links": len(ids), "auto": sum(s.auto for s in clean)})
        wanted = set(ids)
        return [link for link in links_repo.links_for_claim(self.store, claim_id)
                if link.id in wanted]

    def decide(self, actor_id: int, link_id: int, decision: LinkDecision | str, *,
               expected_version: int) -> MatchLink:
        """Confirm or reject a link (or put it back to suggested)."""
        actor = self.require(actor_id, "match.decide", entity="match_link", entity_id=link_id)
        choice = validate.choice(LinkDecision, decision, "decision")
        if choice == LinkDecision.AUTO:
            raise ValidationError("auto is set by the matcher, not by a person")
        validate.expected_version(expected_version)
        with self.store.write():
            row = load_for_update(self.store, "match_links", link_id, expected_version,
                                  noun="match link")
            human = choice in HUMAN_DECISIONS
            after = update_versioned(
                self.store, "match_links", row,
                {"decision": choice.value, "decided_by": actor.id if human else None,
                 "decided_at": self.now() if human else None},
                actor_id=actor.id, at=self.now())
            self.audit(actor, "match.decide", entity="match_link", entity_id=link_id,
                       before={"decision": row["decision"]}, after={"decision": after["decision"]},
                       detail={"claim_id": row["claim_id"], "target_kind": row["target_kind"],
                               "target_id": row["target_id"], "score": row["score"]})
        link = links_repo.get_link(self.store, link_id)
        assert link is not None
        return link

    def for_claim(self, actor_id: int, claim_id: int) -> list[MatchLink]:
        """A claim's links, best score first."""
        self.require(actor_id, "claim.view", entity="claim", entity_id=claim_id)
        return links_repo.links_for_claim(self.store, claim_id)

    def labelled_pairs(self, actor_id: int) -> list[tuple[float, int]]:
        """``(score, 1)`` for every confirmed link, ``(score, 0)`` for every rejected
        one: the input of ``index.fusion.fit_thresholds``."""
        self.require(actor_id, "match.calibrate")
        return links_repo.labelled_pairs(self.store)
