"""``desk eval`` and ``desk calibrate`` through click's CliRunner."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import desk.cli.eval_cmd as eval_cmd
from desk.cli import cli
from index.embedding import FakeEmbedder
from index.evaluation import average_precision, load_bench, ranking_metrics, reciprocal_rank

FIXTURES = Path(__file__).parent / "fixtures"
JSON_KEYS = {"map@5", "mrr@10", "recall@1", "recall@5", "recall@10", "by_kind", "abstention"}


@pytest.fixture(autouse=True)
def fake_model(monkeypatch):
    monkeypatch.setattr(eval_cmd, "make_embedder", lambda settings: FakeEmbedder())


def run(*args):
    return CliRunner().invoke(cli, ["eval", *map(str, args)])


@pytest.mark.parametrize("bench,layout", [("clef_tiny", "clef"), ("hidev_tiny", "hi-dev")])
def test_eval_json_has_the_documented_keys(bench, layout):
    res = run(FIXTURES / bench, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert JSON_KEYS <= set(out) and out["layout"] == layout
    for k in ("map@5", "mrr@10", "recall@1", "recall@5", "recall@10"):
        assert 0.0 <= out[k] <= 1.0
    assert out["recall@1"] <= out["recall@5"] <= out["recall@10"]


def test_clef_layout_defaults_to_test_dedupes_qrels_and_skips_queries_without_gold():
    out = json.loads(run(FIXTURES / "clef_tiny", "--json").stdout)
    assert out["split"] == "test" and out["documents"] == 5
    assert out["queries"] == 4 and out["queries_with_gold"] == 3  # t4 has no gold
    assert out["map@5"] == 1.0 and out["abstention"]["no_match_queries"] == 1
    dev = json.loads(run(FIXTURES / "clef_tiny", "--split", "dev", "--json").stdout)
    assert dev["split"] == "dev" and dev["queries_with_gold"] == 1 and dev["recall@1"] == 1.0


def test_hidev_layout_reports_kinds_and_abstention():
    out = json.loads(run(FIXTURES / "hidev_tiny", "--json").stdout)
    assert set(out["by_kind"]) == {"hinglish", "hi_paraphrase", "no_match"}
    assert out["by_kind"]["hinglish"]["queries"] == 2
    assert out["by_kind"]["no_match"]["no_gold"] is True
    assert out["abstention"]["no_match_queries"] == 1
    assert out["map@5"] == 1.0


def test_text_report_and_progress_on_stderr():
    res = CliRunner(mix_stderr=False).invoke(cli, ["eval", str(FIXTURES / "hidev_tiny")]) \
        if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else run(FIXTURES / "hidev_tiny")
    assert res.exit_code == 0
    assert "MAP@5" in res.stdout and "hinglish" in res.stdout and "abstention" in res.stdout
    assert "indexing" in res.stderr


def test_threshold_overrides_change_abstention():
    strict = json.loads(run(FIXTURES / "hidev_tiny", "--json", "--same", "1", "--related", "1").stdout)
    lax = json.loads(run(FIXTURES / "hidev_tiny", "--json", "--same", "0", "--related", "0").stdout)
    assert strict["thresholds"] == {"same": 1.0, "related": 1.0}
    assert strict["abstention"]["abstention"] == 1.0 and lax["abstention"]["abstention"] == 0.0
    assert lax["abstention"]["recall@1_at_threshold"] == 1.0
    assert strict["abstention"]["recall@1_at_threshold"] < 1.0


def _write(**files):
    def setup(d: Path) -> None:
        for name, text in files.items():
            (d / name.replace("__", ".")).write_text(text, encoding="utf-8")
    return setup


@pytest.mark.parametrize("setup,message", [
    (_write(), "not a benchmark directory"),
    (_write(facts__jsonl="{bad json\n", queries__jsonl=""), "facts.jsonl:1: invalid JSON"),
    (_write(facts__jsonl='{"id": "F1"}\n', queries__jsonl=""), "missing or empty 'text'"),
    (_write(verified_claims__docs__tsv="\tvclaim\ttitle\n0\tx\ty\n"), "no <split>"),
])
def test_bad_benchmark_directories_give_one_clear_line(tmp_path, setup, message):
    setup(tmp_path)
    res = run(tmp_path)
    assert res.exit_code == 1
    assert message in res.output and "Traceback" not in res.output


def test_unknown_split_is_refused():
    res = run(FIXTURES / "clef_tiny", "--split", "nope")
    assert res.exit_code == 1 and "available: dev, test" in res.output


def test_metric_definitions():
    assert average_precision(["a", "b", "c"], {"b"}) == 0.5
    assert average_precision(["a", "b", "c"], {"a", "c"}) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision(["x"] * 5 + ["a"], {"a"}) == 0.0
    assert reciprocal_rank(["x", "y", "a"], {"a"}) == pytest.approx(1 / 3)
    m = ranking_metrics([(["a", "b"], {"b"}), (["c"], {"c"})])
    assert m["recall@1"] == 0.5 and m["recall@5"] == 1.0 and m["map@5"] == 0.75


def test_string_ids_in_clef_layout_are_kept():
    bench = load_bench(FIXTURES / "clef_tiny", "test")
    assert bench.docs[0][0] == "v-10" and bench.qrels["t2"] == {"v-10"}


# -- desk calibrate ------------------------------------------------------------------

def calibrate(path: Path, *args):
    return CliRunner().invoke(cli, ["calibrate", str(path), *args])


def test_calibrate_tsv_prints_thresholds(tmp_path):
    rows = ["score\tlabel"] + [f"0.9{i}\tsame" for i in range(5)] + ["0.6\trelated"] * 3 + \
        ["0.2\tnone"] * 6
    p = tmp_path / "pairs.tsv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    res = calibrate(p, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["same"] == 0.9 and 0.2 < out["related"] <= 0.6
    assert out["pairs"] == 14 and out["labels"] == {"same": 5, "related": 3, "none": 6}
    text = calibrate(p)
    assert "same" in text.stdout and "related" in text.stdout


def test_calibrate_jsonl_with_signal_columns(tmp_path):
    p = tmp_path / "pairs.jsonl"
    good = {"dense": 0.9, "bm25": 1.0, "concept": 1.0, "concept_w": 1.0, "coverage": 0.9, "coverage_rev": 0.8,
            "char3": 0.9, "token_set": 0.9}
    lines = [json.dumps({**good, "label": "same"})] * 4 + \
        [json.dumps({"dense": 0.1, "label": "none"})] * 4
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = calibrate(p, "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["same"] > 0.5


@pytest.mark.parametrize("content,message", [
    ("score\tlabel\n0.5\tmaybe\n", "unknown label"),
    ("score\tlabel\n1.7\tsame\n", "not in [0, 1]"),
    ("score\tlabel\nabc\tsame\n", "line 2"),
    ("score\tlabel\n0.5\t\n", "missing label"),
    ('{"score": 0.5, "label": "same"}\n{oops\n', "line 2"),
    ("", "no labelled pairs"),
])
def test_calibrate_rejects_bad_files_with_one_line(tmp_path, content, message):
    p = tmp_path / "pairs.tsv"
    p.write_text(content, encoding="utf-8")
    res = calibrate(p)
    assert res.exit_code == 1
    assert message in res.output and "Traceback" not in res.output


def test_cache_dir_keeps_document_vectors_between_runs(tmp_path, monkeypatch):
    made = []

    def embedder(settings):
        made.append(FakeEmbedder())
        return made[-1]

    monkeypatch.setattr(eval_cmd, "make_embedder", embedder)
    first = run(FIXTURES / "hidev_tiny", "--json", "--cache-dir", tmp_path / "vecs")
    second = run(FIXTURES / "hidev_tiny", "--json", "--cache-dir", tmp_path / "vecs")
    assert first.exit_code == second.exit_code == 0
    assert json.loads(first.stdout)["map@5"] == json.loads(second.stdout)["map@5"]
    assert list((tmp_path / "vecs").glob("*.npz"))
    # The second run only encodes the queries (one batch), never the documents again.
    assert made[1].encoded == 4 < made[0].encoded
