"""BM25 snapshots: ranking, immutable updates, removal, compaction, capped common terms,
and the compact segments underneath."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from index.background import load_background
from index.glossary import load_glossary
from index.lexical import LexicalIndex
from index.segment import merge
from index.vocab import DISTRICT, MONTH, NUM, NUM_STRONG, STATE, WORD, Vocab

DOCS = {
    1: "rasan kard band ho jaega".split(),
    2: "bijli bil mafi yojna".split(),
    3: "rasan dukan par gehu".split(),
    4: "pensan 3000 rupae mahina".split(),
}


@pytest.fixture(scope="module")
def parts():
    g = load_glossary()
    return load_background().with_glossary(g.phrases), g


@pytest.fixture
def vocab(parts):
    return Vocab(*parts)


def build(vocab, docs, **kw):
    return LexicalIndex.build(vocab, docs.items() if isinstance(docs, dict) else docs, **kw)


def changes(vocab, docs):
    return LexicalIndex.columns(vocab, docs.items())


def test_ranks_documents_sharing_rare_terms_first(vocab):
    lex = build(vocab, DOCS)
    hits = lex.search("rasan kard radd".split(), 10)
    assert [i for i, _ in hits][:2] == [1, 3]
    assert hits[0][1] > hits[1][1] > 0
    assert lex.search(["nothing"], 5) == []


def test_updates_return_a_new_snapshot_and_leave_the_old_one_untouched(vocab):
    old = build(vocab, DOCS)
    new = old.with_changes(changes(vocab, {5: ("rasan", "kard", "radd")}), removes=[1])
    assert [i for i, _ in old.search(["kard"], 5)] == [1]
    assert [i for i, _ in new.search(["kard"], 5)] == [5]
    assert len(old) == 4 and len(new) == 4
    assert 1 in old and 1 not in new and 5 in new


def test_upsert_replaces_the_base_version_of_a_document(vocab):
    lex = build(vocab, DOCS).with_changes(changes(vocab, {2: ("pensan", "bandh")}))
    assert 2 not in [i for i, _ in lex.search(["bijli"], 5)]
    assert [i for i, _ in lex.search(["bandh"], 5)] == [2]
    seg, row = lex.locate(2)
    assert seg is lex.delta and vocab.terms(seg.terms_of(row)[0]) == ["pensan", "bandh"]


def test_removed_ids_never_come_back_and_compaction_keeps_everything(vocab):
    lex = build(vocab, DOCS)
    lex = lex.with_changes(changes(vocab, {k: ("y", f"t{k}") for k in range(10_000, 12_100)}),
                           removes=[3])
    assert lex.needs_compaction()
    assert 3 not in [i for i, _ in lex.search(["rasan", "gehu"], 10)]
    packed = lex.compacted()
    assert packed.delta.n == 0 and not packed.any_dead
    assert np.array_equal(packed.id_array(), lex.id_array()) and len(packed) == len(lex) == 2_103
    for terms in (["rasan", "kard"], ["t10500", "y"], ["pensan"]):
        assert packed.search(terms, 3)[0][0] == lex.search(terms, 3)[0][0]


def test_very_common_terms_only_contribute_their_best_postings(vocab):
    docs = [(i, ["common"] * (1 + i % 3) + [f"u{i}"]) for i in range(5_000)]
    lex = build(vocab, docs, max_postings=100)
    hits = lex.search(["common"], 1_000)
    assert 0 < len(hits) <= 100
    # Best postings are the ones with the highest term frequency.
    assert all(i % 3 == 2 for i, _ in hits[:50])


@pytest.mark.parametrize("k", [0, -1])
def test_non_positive_k_returns_nothing(vocab, k):
    assert build(vocab, DOCS).search(["rasan"], k) == []


def test_scales_to_many_documents_quickly(vocab):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(5_000)]
    docs = ((i, [words[j] for j in rng.integers(0, len(words), 12)]) for i in range(50_000))
    lex = build(vocab, docs)
    assert len(lex) == 50_000
    assert lex.search(["w1", "w2", "w3"], 10)


def test_idf_blends_the_collection_with_the_background(vocab):
    lex = build(vocab, DOCS)
    # "he" (hai) is everywhere in general text: cheap even though no document has it.
    assert lex.idf("he") < lex.idf("rasan") < lex.idf("zorblaxian")
    assert lex.idf("zorblaxian") == lex.idf("kwizzle")   # both unseen anywhere


def test_vocab_kinds_and_states(vocab):
    tids = vocab.ids(["rasan", "#4000", "#25", "!m11", "@place:alwar", "@ration_card", "25"])
    kinds, _, states = vocab.arrays()
    assert kinds[tids].tolist()[:4] == [WORD, NUM_STRONG, NUM, MONTH]
    assert kinds[tids[4]] == DISTRICT
    rajasthan = vocab.get("@place:rajasthan")
    assert rajasthan >= 0 and kinds[rajasthan] == STATE and states[tids[4]] == rajasthan
    assert vocab.term(int(tids[4])) == "@place:alwar"
    again = Vocab.from_blob(vocab.blob(), vocab.background, vocab.glossary)
    assert [again.term(i) for i in range(len(again))] == [vocab.term(i) for i in range(len(vocab))]
    assert NUM in kinds[: len(vocab)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.lists(st.sampled_from(
    ["a", "b", "c", "dd", "#5", "@ration", "x"]), max_size=6)), max_size=25, unique_by=lambda t: t[0]),
    st.sets(st.integers(0, 60), max_size=10))
def test_merge_of_chosen_rows_equals_a_fresh_build(parts, docs, drop):
    vocab = Vocab(*parts)
    base = build(vocab, docs)
    keep = [(i, terms) for i, terms in docs if i not in drop]
    rows = np.flatnonzero(~np.isin(base.base.ids, np.fromiter(drop, np.int64, len(drop))))
    merged = merge([(base.base, rows)], len(vocab))
    fresh = build(vocab, keep).base
    assert np.array_equal(merged.ids, fresh.ids)
    for r in range(merged.n):
        assert sorted(vocab.terms(merged.terms_of(r)[0])) == sorted(vocab.terms(fresh.terms_of(r)[0]))
    assert np.array_equal(merged.df, fresh.df)
    assert np.allclose(np.sort(merged.post_impact), np.sort(fresh.post_impact))


@pytest.mark.parametrize("q,d", [
    ("rasan kard band", "rasan kard band ho jaega"),
    ("a bc def", "bc a xdefx de"),
    ("bijli bil", "bil bijli"),
    ("x", "xx x"),
    ("", "abc"),
])
def test_substring_containment_equals_the_ngram_set_version(q, d):
    from index.fuzzy import char_ngrams, containment, key_containment

    grams = char_ngrams(q)
    assert key_containment(grams, d) == containment(grams, char_ngrams(d))


def _reference_ngrams(key: str, n: int = 3) -> frozenset[str]:
    grams: set[str] = set()
    for w in key.split():
        p = f" {w} "
        if len(p) <= n:
            grams.add(p)
        else:
            grams.update(p[i:i + n] for i in range(len(p) - n + 1))
    return frozenset(grams)


@given(st.text(alphabet="ab x\u0915", max_size=30), st.sampled_from([2, 3, 4]))
def test_fast_ngrams_equal_the_word_by_word_definition(key, n):
    from index.fuzzy import char_ngrams

    assert char_ngrams(key, n) == _reference_ngrams(key, n)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), max_size=8, unique=True), max_size=60),
       st.integers(1, 40))
def test_postings_built_a_block_at_a_time_equal_one_sort(docs, block):
    from index.segment import _postings

    ptr = np.zeros(len(docs) + 1, np.int64)
    np.cumsum([len(d) for d in docs], out=ptr[1:])
    tids = np.array([t for d in docs for t in d], np.int32)
    tf = (np.arange(len(tids)) % 3 + 1).astype(np.uint16)
    dl = np.array([len(d) * 2 + 1 for d in docs], np.int32)
    whole = _postings(ptr, tids, tf, dl, 6.0, 31, block=1 << 30)
    blocks = _postings(ptr, tids, tf, dl, 6.0, 31, block=block)
    for a, b in zip(whole, blocks):
        assert np.array_equal(a, b)
    post_ptr, rows, impact, _ = whole
    for t in range(31):   # by term, best impact first; every (row, term) exactly once
        seg = impact[post_ptr[t]:post_ptr[t + 1]]
        assert np.all(np.diff(seg) <= 0)
        assert sorted(rows[post_ptr[t]:post_ptr[t + 1]].tolist()) == [
            r for r, d in enumerate(docs) if t in d]
