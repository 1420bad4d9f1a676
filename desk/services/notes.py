"""Notes on claims and rebuttals (append-only, like a discussion thread)."""
from __future__ import annotations

from desk.domain import Note, NoteTarget
from desk.errors import NotFound
from desk.services import validate
from desk.services.base import Service
from desk.store import claims as claims_repo
from desk.store import library as library_repo
from desk.store import links as links_repo

MAX_NOTE_CHARS = 10_000


class NoteService(Service):
    def add(self, actor_id: int, target: NoteTarget | str, target_id: int, body: str) -> Note:
        actor = self.require(actor_id, "note.add", entity=str(target), entity_id=target_id)
        kind = validate.choice(NoteTarget, target, "note target")
        text = validate.required_text(body, "note", max_chars=MAX_NOTE_CHARS)
        with self.store.write():
            self._check_target(kind, target_id)
            nid = links_repo.add_note(self.store, target=kind, target_id=target_id,
                                      author_id=actor.id, body=text, at=self.now())
            self.audit(actor, "note.add", entity=kind.value, entity_id=target_id,
                       after={"note_id": nid, "body": text[:500]})
        return next(n for n in links_repo.notes_for(self.store, kind, target_id) if n.id == nid)

    def list(self, actor_id: int, target: NoteTarget | str, target_id: int) -> list[Note]:
        """Oldest first."""
        self.require(actor_id, "note.view", entity=str(target), entity_id=target_id)
        return links_repo.notes_for(self.store, validate.choice(NoteTarget, target, "note target"),
                                    target_id)

    def _check_target(self, kind: NoteTarget, target_id: int) -> None:
        if kind == NoteTarget.CLAIM:
            exists = bool(claims_repo.existing_ids(self.store, [target_id]))
        else:
            exists = library_repo.get_rebuttal(self.store, target_id) is not None
        if not exists:
            raise NotFound(f"{kind.value} {target_id} does not exist")
