"""BM25 snapshots: ranking, immutable updates, removal, capped common terms."""
from __future__ import annotations

import numpy as np
import pytest

from index.lexical import LexicalIndex

DOCS = {
    1: "rasan kard band ho jaega".split(),
    2: "bijli bil mafi yojna".split(),
    3: "rasan dukan par gehu".split(),
    4: "pensan 3000 rupae mahina".split(),
}


def test_ranks_documents_sharing_rare_terms_first():
    lex = LexicalIndex.build(DOCS.items())
    hits = lex.search("rasan kard radd".split(), 10)
    assert [i for i, _ in hits][:2] == [1, 3]
    assert hits[0][1] > hits[1][1] > 0
    assert lex.search(["nothing"], 5) == []


def test_updates_return_a_new_snapshot_and_leave_the_old_one_untouched():
    old = LexicalIndex.build(DOCS.items())
    new = old.with_changes({5: ("rasan", "kard", "radd")}, removes=[1])
    assert [i for i, _ in old.search(["kard"], 5)] == [1]
    assert [i for i, _ in new.search(["kard"], 5)] == [5]
    assert len(old) == 4 and len(new) == 4


def test_upsert_replaces_the_base_version_of_a_document():
    lex = LexicalIndex.build(DOCS.items()).with_changes({2: ("pensan", "bandh")})
    assert 2 not in [i for i, _ in lex.search(["bijli"], 5)]
    assert [i for i, _ in lex.search(["bandh"], 5)] == [2]


def test_removed_ids_never_come_back_and_compaction_is_signalled():
    lex = LexicalIndex.build(DOCS.items())
    for i in range(2_100):
        lex = lex.with_changes({100 + i: ("x", f"t{i}")}) if i % 500 == 0 else lex
    lex = lex.with_changes({k: ("y",) for k in range(10_000, 12_100)}, removes=[3])
    assert lex.needs_compaction()
    assert 3 not in [i for i, _ in lex.search(["rasan", "gehu"], 10)]


def test_very_common_terms_only_contribute_their_best_postings():
    docs = [(i, ["common"] * (1 + i % 3) + [f"u{i}"]) for i in range(5_000)]
    lex = LexicalIndex.build(docs, max_postings=100)
    hits = lex.search(["common"], 1_000)
    assert 0 < len(hits) <= 100
    # Best postings are the ones with the highest term frequency.
    assert all(i % 3 == 2 for i, _ in hits[:50])


@pytest.mark.parametrize("k", [0, -1])
def test_non_positive_k_returns_nothing(k):
    assert LexicalIndex.build(DOCS.items()).search(["rasan"], k) == []


def test_scales_to_many_documents_quickly():
    rng = np.random.default_rng(0)
    vocab = [f"w{i}" for i in range(5_000)]
    docs = ((i, [vocab[j] for j in rng.integers(0, len(vocab), 12)]) for i in range(50_000))
    lex = LexicalIndex.build(docs)
    assert len(lex) == 50_000
    assert lex.search(["w1", "w2", "w3"], 10)


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
