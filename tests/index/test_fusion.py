"""Fusion model, tiers and threshold fitting."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

from index.fusion import FusionModel, Thresholds, fit_logistic, fit_thresholds, load_model
from index.rerank import FEATURES


@pytest.mark.parametrize("score,tier", [(0.95, "same"), (0.9, "same"), (0.7, "related"),
                                        (0.5, "related"), (0.49, "none"), (0.0, "none")])
def test_tiers_at_thresholds(score, tier):
    assert Thresholds(same=0.9, related=0.5).tier(score) == tier


@pytest.mark.parametrize("same,related", [(0.5, 0.6), (1.2, 0.5), (0.9, -0.1), (float("nan"), 0.5)])
def test_invalid_thresholds_are_refused(same, related):
    with pytest.raises(ValueError):
        Thresholds(same=same, related=related)


def test_fit_thresholds_reaches_the_same_precision_and_separates_related():
    pairs = [(0.95, "same")] * 20 + [(0.92, "none")] + [(0.85, "same")] * 5 + [(0.8, "none")] * 3 \
        + [(0.6, "related")] * 10 + [(0.3, "none")] * 30 + [(0.55, "none")] * 2
    th = fit_thresholds(pairs, same_precision=0.95)
    above = [lab for s, lab in pairs if s >= th.same]
    assert above.count("same") / len(above) >= 0.95
    assert 0.55 < th.related <= 0.6
    assert th.related <= th.same


def test_fit_thresholds_never_links_automatically_without_evidence():
    th = fit_thresholds([(0.9, "none"), (0.8, "related"), (0.2, "none")])
    assert th.same == 1.0 and th.related <= 1.0


@given(st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["same", "related", "none", True, 0])),
                min_size=1, max_size=60))
def test_fit_thresholds_always_returns_valid_thresholds(pairs):
    th = fit_thresholds(pairs)
    assert 0.0 <= th.related <= th.same <= 1.0


@pytest.mark.parametrize("pairs", [[], [(1.5, "same")], [(0.5, "maybe")]])
def test_fit_thresholds_refuses_bad_pairs(pairs):
    with pytest.raises(ValueError):
        fit_thresholds(pairs)


def test_fit_logistic_learns_the_direction_of_each_signal():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2_000, 2))
    y = (x[:, 0] - 0.5 * x[:, 1] + rng.normal(scale=0.3, size=2_000) > 0).astype(float)
    m = fit_logistic(x, y, ["good", "bad"], l2=0.1)
    assert m.weights[0] > 1 and m.weights[1] < -0.3
    assert ((m.score_matrix(x) > 0.5) == y).mean() > 0.9


@given(st.lists(st.floats(0, 1), min_size=2, max_size=8))
def test_a_candidates_score_does_not_depend_on_the_other_candidates(values):
    m = load_model()
    rows = np.array([[v] * len(m.features) for v in values])
    together = m.score_matrix(rows)
    alone = np.array([m.score_matrix(r.reshape(1, -1))[0] for r in rows])
    assert np.allclose(together, alone)


def test_calibration_is_two_numbers():
    from index.errors import DataFileError

    m = load_model()
    assert m.calib is not None and len(m.calib) == 2
    with pytest.raises(DataFileError):
        FusionModel.from_dict({**m.to_dict(), "calib": [1.0, 0.0, 0.5, 0.1]})


def test_shipped_model_uses_the_engine_features_and_roundtrips(tmp_path):
    m = load_model()
    assert {n for f in m.features for n in f.split("@")} <= set(FEATURES)
    path = tmp_path / "m.json"
    m.save(path)
    again = load_model(path)
    assert again.features == m.features and again.weights == m.weights and again.calib == m.calib
    x = np.zeros((3, len(m.features)))
    x[0] = 1.0
    s = m.score_matrix(x)
    assert np.all((s >= 0) & (s <= 1))


def test_interaction_features_multiply_their_parts():
    m = FusionModel(("dense", "dense@en_pair"), (1.0, 2.0), 0.0)
    x = m.matrix([{"dense": 0.5, "en_pair": 1.0}, {"dense": 0.5, "en_pair": 0.0}])
    assert x.tolist() == [[0.5, 0.5], [0.5, 0.0]]
    assert m.contributions({"dense": 0.5, "en_pair": 1.0}) == {"dense": 1.5}


def test_model_file_with_mismatched_weights_is_refused():
    from index.errors import DataFileError

    with pytest.raises(DataFileError):
        FusionModel.from_dict({"features": ["a", "b"], "weights": [1.0], "bias": 0})
