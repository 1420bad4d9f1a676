"""The benchmark generator writes exports the parser reads exactly as its ground truth says."""
import importlib.util
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from desk.intake import classify_messages, parse_whatsapp

REPO = Path(__file__).resolve().parents[3]
# benchmarks/ is not an installed package: load the script by path.
_spec = importlib.util.spec_from_file_location("_bench_gen_whatsapp",
                                               REPO / "benchmarks" / "gen_whatsapp.py")
gen = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = gen  # dataclasses look their module up here
_spec.loader.exec_module(gen)


def test_same_seed_same_export_other_seed_other_export():
    first, truth = gen.generate(300, seed=11)
    again, _ = gen.generate(300, seed=11)
    other, _ = gen.generate(300, seed=12)
    assert first == again
    assert first != other
    assert len(truth) == 300


@pytest.mark.parametrize("platform,clock,groups", [
    ("android", 12, 1), ("android", 24, 2), ("ios", 12, 3), ("ios", 24, 1),
])
def test_generated_export_parses_to_its_ground_truth(platform, clock, groups):
    text, truth = gen.generate(2_000, seed=5, platform=platform, clock=clock, groups=groups)
    export = parse_whatsapp(text)
    assert export.format.platform == platform
    assert export.format.clock == clock
    assert [m.line_no for m in export.messages] == [t["line"] for t in truth]
    expected = {"chatter": "message", "claim": ("message", "media"), "media": "media",
                "system": "system", "deleted": "deleted"}
    for msg, t in zip(export.messages, truth):
        assert msg.kind in expected[t["kind"]], (msg, t)
    kinds = Counter(t["kind"] for t in truth)
    assert kinds["chatter"] > kinds["claim"] > 0
    assert kinds["media"] and kinds["system"] and kinds["deleted"]
    assert any("multiline" in m.flags for m in export.messages)
    assert any(m.sender_is_phone for m in export.messages)
    assert any("\u0900" <= (m.sender or " ")[0] <= "\u097f" for m in export.messages)


def test_claims_recur_with_variations():
    text, truth = gen.generate(5_000, seed=3)
    export = parse_whatsapp(text)
    by_line = {m.line_no: m for m in export.messages}
    texts_by_claim: dict[int, set[str]] = {}
    for t in truth:
        if t["claim"] is not None:
            texts_by_claim.setdefault(t["claim"], set()).add(by_line[t["line"]].content)
    recurring = [texts for texts in texts_by_claim.values() if len(texts) > 3]
    assert len(recurring) >= 10


def test_cli_writes_a_zip_and_truth(tmp_path):
    out, truth = tmp_path / "wa.zip", tmp_path / "truth.jsonl"
    subprocess.run([sys.executable, "-m", "benchmarks.gen_whatsapp", "--messages", "500",
                    "--platform", "ios", "--zip", "--out", str(out), "--truth", str(truth)],
                   cwd=REPO, check=True, capture_output=True)
    with zipfile.ZipFile(out) as zf:
        assert zf.namelist() == ["_chat.txt"]
    export = parse_whatsapp(out.read_bytes(), filename="WhatsApp Chat - Ward 12 Sewa Samiti.zip")
    assert len(export.messages) == 500 == len(truth.read_text(encoding="utf-8").splitlines())
    assert export.group_name == "Ward 12 Sewa Samiti"


@pytest.mark.slow
def test_fifty_thousand_messages_parse_and_classify_against_the_truth():
    # Their speed is measured by benchmarks/bench_import.py (parse and classify stages).
    text, truth = gen.generate(50_000, seed=7)
    data = text.encode("utf-8")
    assert 3_500_000 < len(data) < 7_000_000
    export = parse_whatsapp(data)
    result = classify_messages(export)
    assert len(export.messages) == 50_000
    claims = {t["line"] for t in truth if t["kind"] == "claim"}
    found = {c.message.line_no for c in result.candidates}
    assert len(found & claims) / len(claims) >= 0.99
    assert len(found - claims) <= 0.01 * len(found)
