"""Quality guards with the real bundled model (slow: CI runs them)."""
from __future__ import annotations

import pytest

from index.engine import MatchEngine
from index.evaluation import run_eval

pytestmark = pytest.mark.slow

KIND_TARGETS = {"hi_paraphrase": 0.80, "hinglish": 0.80, "codemixed": 0.80, "forward_noisy": 0.80,
                "english": 0.60}


@pytest.fixture(scope="module")
def hidev_result(bench_dir, real_embedder):
    return run_eval(bench_dir / "hi-dev", embedder=real_embedder, progress=False)


def test_hidev_overall_map(hidev_result):
    assert hidev_result["map@5"] >= 0.85, hidev_result


@pytest.mark.parametrize("kind,target", sorted(KIND_TARGETS.items()))
def test_hidev_map_per_kind(hidev_result, kind, target):
    assert hidev_result["by_kind"][kind]["map@5"] >= target, hidev_result["by_kind"][kind]


def test_hidev_abstains_on_no_match_without_losing_recall(hidev_result):
    a = hidev_result["abstention"]
    assert a["no_match_queries"] == 60
    assert a["abstention"] >= 0.85, a
    assert a["recall@1_at_threshold"] >= 0.80, a


@pytest.mark.parametrize("claim,expected,rival", [
    ("Alwar me polling date 25 se 28 November ho gayi, letter aaya hai", 2, 3),
    ("Bharatpur me voting 28 November ko hogi, pehle 25 thi", 3, 2),
    ("PM kisan ki agli kist 4000 rupaye ki aayegi", 4, 5),
    ("ujjwala walon ko 4000 ki subsidy milegi", 5, 4),
    ("Jaipur me bijli ka bill 1 June se double ho jayega", 7, 6),
    ("Will electricity bills in Jaipur double from 1 May?", 6, 7),
])
def test_near_misses_with_the_real_model(real_embedder, library, claim, expected, rival):
    eng = MatchEngine(real_embedder)
    eng.rebuild(library)
    ids = [c.id for c in eng.match(claim, include_none=True)]
    assert ids[0] == expected and rival in ids[1:]
