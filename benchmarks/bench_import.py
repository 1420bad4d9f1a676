"""Import benchmark: a 50,000-message WhatsApp export, deduplicated and matched.

Builds a desk in a temporary directory with the demo regions, topics and fact
library (so there is something to match against), generates an export with
``benchmarks.gen_whatsapp`` and times ``IntakeService.import_whatsapp`` end to
end with the configured embedding model (the bundled all-MiniLM-L6-v2 unless
``--model`` says otherwise).  Prints the breakdown (parse, classify, normalise,
embed, cluster, match, write, index update), checks that a second import of
the same file adds nothing, and scores the deduplication against the
generator's ground truth.

    python -m benchmarks.bench_import                      # 50k messages, bundled model
    python -m benchmarks.bench_import --messages 5000 --model fake --json

Target: the import itself (model already loaded) in <= 60 s.  Model loading
and the first ONNX export are start-up costs, reported separately.  Exit
status 1 when the target is missed.
"""
from __future__ import annotations

import argparse
import collections
import csv
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.gen_whatsapp import GROUPS, generate
from desk.config import load_settings
from desk.intake import classify_messages, parse_whatsapp
from desk.services import EngineSet, open_services
from desk.services.installation import init_runtime
from desk.store import claims as claims_repo

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"
TARGET_S = 60.0
STAGES = ("parse", "classify", "normalise", "near_identical", "cluster", "match_claims", "match_library",
          "write", "index_update")


def _seed_desk(svc) -> None:
    actor = svc.system_user_id()
    svc.regions.import_csv(actor, (DEMO / "regions.csv").read_bytes())
    with (DEMO / "topics.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            svc.regions.upsert_topic(actor, row["slug"], row["name_en"], row["name_hi"] or None)
    svc.intake.import_facts(actor, (DEMO / "facts.jsonl").read_bytes(), filename="facts.jsonl")


def _dedup_quality(data: bytes, filename: str, group: str, truth: list[dict], store) -> dict:
    """How the generator's recurring claims ended up: claims per pool claim, purity."""
    export = parse_whatsapp(data, filename=filename)
    found = classify_messages(export, group=group)
    pool_of_line = {t["line"]: t["claim"] for t in truth if t["claim"] is not None}
    key_pool = {c.key: pool_of_line.get(c.message.line_no) for c in found.candidates}
    claim_of = claims_repo.known_message_keys(store, list(key_pool))
    by_claim: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    for key, claim_id in claim_of.items():
        by_claim[claim_id][key_pool[key]] += 1
    members = sum(sum(c.values()) for c in by_claim.values())
    majority = sum(c.most_common(1)[0][1] for c in by_claim.values())
    claims_per_pool = collections.Counter(
        c.most_common(1)[0][0] for c in by_claim.values() if c.most_common(1)[0][0] is not None)
    return {
        "claim_messages_in_truth": len(pool_of_line),
        "candidates": len(found.candidates),
        "claims": len(by_claim),
        "pool_claims_seen": len(claims_per_pool),
        "claims_per_pool_claim_max": max(claims_per_pool.values(), default=0),
        "purity": round(majority / members, 4) if members else None,
    }


def run(messages: int, *, seed: int, model: str | None, home: Path | None) -> dict:
    tmp = None
    if home is None:
        tmp = tempfile.TemporaryDirectory(prefix="factdesk-bench-")
        home = Path(tmp.name)
    env = dict(os.environ)
    if model:
        env["FACTDESK_MODEL"] = model
    settings = load_settings(home, env=env)
    init_runtime(settings)
    started = time.perf_counter()
    engines = EngineSet.create(settings)
    engines.embedder.encode(["warm up the model"])
    engines.embedder.encode([f"warm up the batch path {i}" for i in range(64)], batch=True)
    model_s = time.perf_counter() - started
    svc = open_services(settings, engines=engines)
    try:
        _seed_desk(svc)
        engines.ensure_synced(svc.store)
        text, truth = generate(messages, seed=seed)
        data = text.encode("utf-8")
        filename = f"WhatsApp Chat with {GROUPS[0]}.txt"
        actor = svc.system_user_id()
        started = time.perf_counter()
        report = svc.intake.import_whatsapp(actor, data, filename=filename, region_code="UP-LKO")
        total = time.perf_counter() - started
        started = time.perf_counter()
        again = svc.intake.import_whatsapp(actor, data, filename=filename, region_code="UP-LKO")
        again_s = time.perf_counter() - started
        quality = _dedup_quality(data, filename, report.group or GROUPS[0], truth, svc.store)
        check = engines.check(svc.store)
    finally:
        svc.close()
        if tmp is not None:
            tmp.cleanup()
    figures = {k: v for k, v in report.as_dict().items() if k not in ("claim_ids", "timings")}
    return {
        "messages": messages, "model": engines.model_id, "model_load_s": round(model_s, 2),
        "import_s": round(total, 2), "target_s": TARGET_S, "met": total <= TARGET_S,
        "timings": report.timings, "report": figures,
        "reimport": {"seconds": round(again_s, 2), "sightings_added": again.sightings_added,
                     "claims_created": again.claims_created,
                     "already_imported": again.already_imported},
        "dedup": quality, "index_consistent": check["consistent"],
    }


def _print(result: dict) -> None:
    out = io.StringIO()
    t = result["timings"]
    print(f"{result['messages']} messages, model {result['model']} "
          f"(loaded in {result['model_load_s']} s, not counted)", file=out)
    print(f"import: {result['import_s']} s (target {result['target_s']} s: "
          f"{'met' if result['met'] else 'MISSED'})", file=out)
    for stage in STAGES:
        if stage in t:
            print(f"  {stage:<14} {t[stage]:8.2f} s", file=out)
    print(f"  {'(embedding':<14} {t.get('embed', 0.0):8.2f} s of the matching stages above)",
          file=out)
    r = result["report"]
    print(f"claims created {r['claims_created']}, merged into existing {r['merged_into_existing']},"
          f" folded within the import {r['folded_within_import']}, sightings {r['sightings_added']},"
          f" suggestions {r['suggestions']}", file=out)
    print(f"skipped {r['skipped']}", file=out)
    a = result["reimport"]
    print(f"second import of the same file: {a['seconds']} s, {a['sightings_added']} sightings, "
          f"{a['claims_created']} claims, {a['already_imported']} already imported", file=out)
    print(f"dedup vs truth: {result['dedup']}", file=out)
    print(f"index consistent with the database: {result['index_consistent']}", file=out)
    sys.stdout.write(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_import",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--model", help="embedding model (default: FACTDESK_MODEL or bundled; "
                                        "'fake' for a quick run without the model)")
    parser.add_argument("--home", type=Path, help="runtime directory (default: a temporary one)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = run(args.messages, seed=args.seed, model=args.model, home=args.home)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print(result)
    return 0 if result["met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
