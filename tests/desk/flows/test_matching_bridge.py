"""The engines follow the database: deltas, restores, model changes, damaged files,
threshold changes and concurrent searches; SQLite stays the truth."""
from __future__ import annotations

import errno
import json
import random
import threading

import pytest

from desk.errors import DeskError, NotFound, PermissionDenied
from desk.services import EngineSet
from desk.services.facts import NewFact
from desk.domain import LinkDecision, NewClaim, SuggestedLink
from index.embedding import FakeEmbedder

from .conftest import open_flow, set_thresholds

FACT = "Voters who skip polling will lose Rs 350 from their bank account, says the Election Commission."


def _consistent(engines, store) -> dict:
    check = engines.check(store)
    assert check["consistent"], check
    return check


def test_ensure_synced_follows_creates_and_retirements(svc, engines, system_id):
    engines.ensure_synced(svc.store)
    before = _consistent(engines, svc.store)
    fact = svc.facts.create(system_id, NewFact(statement=FACT, lang="en"))
    claim = svc.claims.create(system_id, NewClaim(text="Petrol will be 15 rupees cheaper from "
                                                       "tomorrow, do not fill your tank today"))
    engines.ensure_synced(svc.store)
    after = _consistent(engines, svc.store)
    assert after["library"]["index"] == before["library"]["index"] + 1
    assert after["claims"]["index"] == before["claims"]["index"] + 1
    assert svc.store.match_item_id("fact", fact.id) in engines.library.ids()
    svc.facts.retire(system_id, fact.id, expected_version=fact.version)
    svc.claims.dismiss(system_id, claim.id, "spam", expected_version=claim.version)
    engines.ensure_synced(svc.store)
    assert _consistent(engines, svc.store)["library"]["index"] == before["library"]["index"]
    assert svc.store.match_item_id("claim", claim.id) not in engines.claims.ids()


def test_nothing_changed_costs_one_query(svc, engines, system_id, monkeypatch):
    engines.ensure_synced(svc.store)
    calls = []
    for name in ("one", "all", "scalar", "execute"):
        real = getattr(svc.store, name)
        monkeypatch.setattr(svc.store, name,
                            lambda *a, _real=real, _n=name, **k: (calls.append(_n), _real(*a, **k))[1])
    engines.ensure_synced(svc.store)
    engines.ensure_synced(svc.store)
    assert calls == ["one", "one"]


def test_retired_fact_never_shown_even_before_the_index_catches_up(svc, engines, system_id,
                                                                    monkeypatch):
    fact = svc.facts.create(system_id, NewFact(statement=FACT, lang="en"))
    hits = svc.matching.search(system_id, FACT, k=5)
    assert [h.ref_id for h in hits if h.kind == "fact"][0] == fact.id
    svc.facts.retire(system_id, fact.id, expected_version=fact.version)
    monkeypatch.setattr(engines, "ensure_synced", lambda store: None)  # the index lags behind
    assert svc.store.match_item_id("fact", fact.id) in engines.library.ids()
    hits = svc.matching.search(system_id, FACT, k=5, include_none=True)
    assert fact.id not in [h.ref_id for h in hits if h.kind == "fact"]


def test_restore_of_an_older_backup_leaves_no_ghosts(svc, engines, system_id, settings, clock):
    old = svc.facts.create(system_id, NewFact(statement=FACT, lang="en"))
    backup = svc.admin.backup(system_id)
    newer = svc.facts.create(system_id, NewFact(
        statement="The new flyover at Charbagh opens to traffic on 1 December, says the LDA.",
        lang="en"))
    engines.ensure_synced(svc.store)
    newer_item = svc.store.match_item_id("fact", newer.id)
    assert newer_item in engines.library.ids()
    svc.admin.restore(system_id, backup.path, confirm=True)
    hits = svc.matching.search(system_id, "Charbagh flyover opens 1 December LDA", k=10,
                               include_none=True)
    assert newer.id not in [h.ref_id for h in hits if h.kind == "fact"]
    assert newer_item not in engines.library.ids()
    _consistent(engines, svc.store)
    # A new process finds the newer index on disk: it must not load it.
    fresh = EngineSet.create(settings, embedder=FakeEmbedder())
    fresh.ensure_synced(svc.store)
    _consistent(fresh, svc.store)
    assert svc.store.match_item_id("fact", old.id) in fresh.library.ids()


def test_model_change_rebuilds_and_never_mixes_vectors(settings, svc, engines, system_id):
    engines.ensure_synced(svc.store)
    other = FakeEmbedder(dim=64, model_id="fake-other-64")
    changed = EngineSet.create(settings, embedder=other)
    changed.ensure_synced(svc.store)
    views = sum(1 for _ in svc.store.match_items("library")) + \
        sum(1 for _ in svc.store.match_items("claims"))
    assert other.encoded >= views  # every document re-embedded with the new model
    manifest = json.loads((settings.index_dir / "library" / "manifest.json").read_text())
    assert manifest["model_id"] == "fake-other-64"
    _consistent(changed, svc.store)
    # Back to the first model: its cached vectors are keyed by model, not mixed in.
    again = FakeEmbedder()
    back = EngineSet.create(settings, embedder=again)
    back.ensure_synced(svc.store)
    assert again.encoded == 0  # the embedding cache (keyed by model id) served everything
    assert json.loads((settings.index_dir / "library" / "manifest.json").read_text())[
        "model_id"] == again.model_id


def test_persisted_index_is_reused_when_nothing_changed(settings, svc, engines, system_id):
    engines.ensure_synced(svc.store)
    probe = FakeEmbedder()
    reopened = EngineSet.create(settings, embedder=probe)
    reopened.ensure_synced(svc.store)
    assert probe.calls == 0
    _consistent(reopened, svc.store)


@pytest.mark.parametrize("damage", ["flip", "truncate", "delete", "manifest"])
def test_damaged_index_file_is_rebuilt_from_the_database(settings, svc, engines, system_id,
                                                         damage):
    engines.ensure_synced(svc.store)
    directory = settings.index_dir / "library"
    manifest = json.loads((directory / "manifest.json").read_text())
    vectors = directory / manifest["index_file"]
    if damage == "flip":
        raw = bytearray(vectors.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        vectors.write_bytes(bytes(raw))
    elif damage == "truncate":
        vectors.write_bytes(vectors.read_bytes()[:100])
    elif damage == "delete":
        vectors.unlink()
    else:
        (directory / "manifest.json").write_text("{not json")
    reopened = EngineSet.create(settings, embedder=FakeEmbedder())
    reopened.ensure_synced(svc.store)
    _consistent(reopened, svc.store)
    hits = reopened.library.match("ration card e-KYC", k=3, include_none=True)
    assert hits  # it answers again
    rewritten = json.loads((directory / "manifest.json").read_text())
    assert (directory / rewritten["index_file"]).is_file()


def test_disk_full_while_saving_the_index_keeps_the_old_file(settings, svc, engines, system_id,
                                                             monkeypatch):
    engines.ensure_synced(svc.store)
    directory = settings.index_dir / "library"
    before = (directory / "manifest.json").read_bytes()
    import index.persist as persist

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(persist, "atomic_write", full)
    import index.snapshot as snapshot_mod
    import index.vectors as vectors_mod
    monkeypatch.setattr(vectors_mod, "atomic_write", full)
    monkeypatch.setattr(snapshot_mod, "atomic_write", full)
    fact = svc.facts.create(system_id, NewFact(statement=FACT, lang="en"))
    engines.ensure_synced(svc.store)  # no exception: searches keep working
    engines.flush()                   # saves are debounced: force one
    assert "could not save" in (engines.last_warning or "")
    assert svc.store.match_item_id("fact", fact.id) in engines.library.ids()
    assert (directory / "manifest.json").read_bytes() == before
    monkeypatch.undo()
    reopened = EngineSet.create(settings, embedder=FakeEmbedder())
    reopened.ensure_synced(svc.store)
    _consistent(reopened, svc.store)


def test_stored_thresholds_reach_every_engine(svc, engines, system_id):
    set_thresholds(svc, same=0.97, related=0.33)
    engines.ensure_synced(svc.store)
    assert engines.library.thresholds.to_dict() == {"same": 0.97, "related": 0.33}
    assert engines.claims.thresholds.to_dict() == {"same": 0.97, "related": 0.33}
    _, version = svc.settings.thresholds(system_id)
    svc.matching.apply_thresholds(system_id, same=0.9, related=0.6, expected_version=version)
    assert engines.claims.thresholds.to_dict() == {"same": 0.9, "related": 0.6}


def test_searches_run_while_the_index_changes(settings, svc, engines, system_id):
    engines.ensure_synced(svc.store)
    errors: list[BaseException] = []
    stop = threading.Event()

    def searcher(seed_: int) -> None:
        rng = random.Random(seed_)
        own = open_flow(settings, engines)
        try:
            while not stop.is_set():
                own.matching.search(system_id, rng.choice(
                    ["ration card e-KYC", "booth 112 Sarojini Nagar", "350 rupaye bank",
                     "voter list naam"]), k=5, collections=("library", "claims"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=searcher, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    try:
        for n in range(25):
            svc.facts.create(system_id, NewFact(statement=f"Fact number {n}: the polling booth "
                                                          f"{100 + n} has moved to hall {n}.",
                                                lang="en"))
            svc.claims.create(system_id, NewClaim(text=f"Booth {100 + n} band ho gaya, "
                                                       f"sab log hall {n} jao {n}"))
            engines.ensure_synced(svc.store)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors
    _consistent(engines, svc.store)


def test_matching_without_engines_refuses_clearly(settings, system_id):
    bare = open_flow(settings, None)
    try:
        with pytest.raises(DeskError, match="matching is not available"):
            bare.matching.search(system_id, "anything at all", k=3)
    finally:
        bare.close()


def test_suggest_for_claim_records_links_and_respects_permissions(svc, system_id, people):
    fact = svc.facts.create(system_id, NewFact(statement=FACT, lang="en"))
    claim = svc.claims.create(system_id, NewClaim(
        text="Voters who skip polling this time will lose Rs 350 from their bank account!"))
    links = svc.matching.suggest_for_claim(people.checker, claim.id)
    best = links[0]
    assert (best.target_kind, best.target_id, best.tier) == ("fact", fact.id, "same")
    assert best.decision == LinkDecision.AUTO
    assert [link.id for link in svc.links.for_claim(system_id, claim.id)] == [
        link.id for link in links]
    preview = svc.matching.suggest_for_claim(people.checker, claim.id, record=False)
    assert [p.target_id for p in preview] == [link.target_id for link in links]
    with pytest.raises(PermissionDenied):
        svc.matching.suggest_for_claim(people.coordinator, claim.id)
    with pytest.raises(NotFound):
        svc.matching.suggest_for_claim(people.checker, 999_999)


def test_proposed_thresholds_need_enough_decisions(svc, system_id, people):
    assert svc.matching.proposed_thresholds(people.editor) is None
    claim = svc.claims.create(system_id, NewClaim(text="Ration card band ho jayega agar e-KYC "
                                                       "nahi karaya 30 November tak"))
    facts = svc.facts.list(system_id, limit=12)
    suggestions = svc.links.record_suggestions(system_id, claim.id, [
        SuggestedLink("fact", f.id, score, "related") for f, score in zip(facts, [
                0.95, 0.9, 0.88, 0.86, 0.84, 0.8, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05])])
    for link in suggestions:
        svc.links.decide(people.checker, link.id, "confirmed" if link.score >= 0.8 else "rejected",
                         expected_version=link.version)
    proposal = svc.matching.proposed_thresholds(people.editor)
    assert proposal is not None
    assert (proposal["confirmed"], proposal["rejected"], proposal["labels"]) == (6, 6, 12)
    assert 0.3 < proposal["related"] <= 0.8
    with pytest.raises(PermissionDenied):
        svc.matching.proposed_thresholds(people.checker)


def test_a_submission_does_not_rewrite_the_index_files(settings, svc, engines, system_id):
    engines.ensure_synced(svc.store)
    directory = settings.index_dir / "claims"
    before = {p.name: p.stat().st_mtime_ns for p in directory.iterdir()}
    svc.claims.create(system_id, NewClaim(text="Jaipur me 3 din tak internet band rahega"))
    engines.ensure_synced(svc.store)
    assert {p.name: p.stat().st_mtime_ns for p in directory.iterdir()} == before
    assert engines.claims.unsaved_changes == 1
    engines.flush()
    assert engines.claims.unsaved_changes == 0
    assert {p.name for p in directory.iterdir()} != set(before)


def test_restart_after_many_unsaved_changes_replays_them(settings, svc, engines, system_id,
                                                         monkeypatch):
    engines.ensure_synced(svc.store)
    created = []
    for n in range(30):
        created.append(svc.claims.create(system_id, NewClaim(
            text=f"Booth {200 + n} par {n} baje tak hi voting hogi, sab jaldi jao {n}")))
        engines.ensure_synced(svc.store)
    for claim in created[:10]:
        svc.claims.dismiss(system_id, claim.id, "spam", expected_version=claim.version)
    engines.ensure_synced(svc.store)
    assert engines.claims.unsaved_changes == 40   # the process "crashes" without saving
    import index.engine as engine_mod

    analysed = []
    real_analyze = engine_mod.analyze
    monkeypatch.setattr(engine_mod, "analyze", lambda text, g: (analysed.append(text),
                                                                real_analyze(text, g))[1])
    restarted = EngineSet.create(settings, embedder=FakeEmbedder())
    restarted.ensure_synced(svc.store)
    _consistent(restarted, svc.store)
    # Only the 20 live new claims were analysed again; nothing else was re-indexed.
    assert len(analysed) == 20
    assert restarted.claims.load_reason == "" and restarted.library.load_reason == ""
    gone = svc.store.match_item_id("claim", created[0].id)
    assert gone not in restarted.claims.ids()
    assert svc.store.match_item_id("claim", created[-1].id) in restarted.claims.ids()


def test_a_corrupt_lexical_snapshot_is_rebuilt_from_the_database(settings, svc, engines, system_id):
    engines.ensure_synced(svc.store)
    directory = settings.index_dir / "library"
    manifest = json.loads((directory / "manifest.json").read_text())
    lexical = directory / manifest["extra"]["lexical_file"]
    raw = bytearray(lexical.read_bytes())
    raw[-10] ^= 0x01
    lexical.write_bytes(bytes(raw))
    probe = FakeEmbedder()
    reopened = EngineSet.create(settings, embedder=probe)
    reopened.ensure_synced(svc.store)
    _consistent(reopened, svc.store)
    assert reopened.library.match("ration card e-KYC", k=3, include_none=True)
    rewritten = json.loads((directory / "manifest.json").read_text())
    assert rewritten["extra"]["lexical_file"] != manifest["extra"]["lexical_file"]
    assert (directory / rewritten["extra"]["lexical_file"]).is_file()
