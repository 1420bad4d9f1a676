"""Triage-queue benchmark: 100,000 claims, sorted by priority, with filters.

Generates a realistic database (a region tree of ~600 regions, 15 topics, 30
users, skewed priorities, most claims open, 70 % unassigned, four
languages, six channels, ten days of activity), then times
``ClaimService.queue`` (one page of 50 plus the per-status counts, exactly
what the triage page shows) for several filter combinations.

    python -m benchmarks.bench_queue                 # 100k claims, 40 runs per case
    python -m benchmarks.bench_queue --claims 20000 --runs 20 --json

Target: p50 <= 50 ms with two filters at 100k claims.  The database is built
in a temporary directory unless ``--db`` is given (then it is reused).
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from desk.clock import FixedClock, iso
from desk.domain import QueueFilter
from desk.services.claims import AGED_AT, ClaimService
from desk.store import Store

NOW = "2026-11-22T10:00:00Z"
CHANNELS = ["whatsapp"] * 6 + ["facebook", "x", "youtube", "phone", "field_report"]
LANGS = ["hi"] * 5 + ["hi-Latn"] * 3 + ["en"] * 2 + ["mixed"]
STATUSES = (["new"] * 55 + ["triaged"] * 12 + ["in_research"] * 8 + ["in_review"] * 4
            + ["approved"] * 2 + ["published"] * 7 + ["dismissed"] * 12)
WORDS = ("ration card band sarkar ne kaha pension yojana bijli bill maaf exam paper leak "
         "voter list naam kat gaya EVM booth badal gaya bank UPI fraud free recharge "
         "राशन कार्ड बंद सरकार पेंशन बिजली बिल परीक्षा पेपर लीक मतदाता सूची").split()


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def build(db: Path, claims: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    store = Store.open(db)
    now = FixedClock(NOW).now()
    with store.write():
        # Region tree: 4 states x 8 districts x 6 ACs x 2 blocks (+ booths under ACs).
        region_ids: list[int] = []
        def add_region(code, level, parent_id, parent_path):
            cur = store.execute(
                "INSERT INTO regions (code, name, level, parent_id, path, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, '', ?, ?)", [code, code, level, parent_id, NOW, NOW])
            rid = int(cur.lastrowid)
            path = f"{parent_path}{rid}/"
            store.execute("UPDATE regions SET path = ? WHERE id = ?", [path, rid])
            region_ids.append(rid)
            return rid, path
        for s in range(4):
            sid, sp = add_region(f"S{s}", "state", None, "/")
            for d in range(8):
                did, dp = add_region(f"S{s}-D{d}", "district", sid, sp)
                for a in range(6):
                    aid, ap = add_region(f"S{s}-D{d}-AC{a}", "ac", did, dp)
                    for b in range(2):
                        add_region(f"S{s}-D{d}-AC{a}-B{b}", "block", aid, ap)
        topic_ids = []
        for t in range(15):
            cur = store.execute("INSERT INTO topics (slug, name_en, created_at, updated_at)"
                                " VALUES (?, ?, ?, ?)", [f"topic{t}", f"Topic {t}", NOW, NOW])
            topic_ids.append(int(cur.lastrowid))
        user_ids = []
        for u in range(30):
            cur = store.execute(
                "INSERT INTO users (username, display_name, role, created_at, updated_at)"
                " VALUES (?, ?, 'fact_checker', ?, ?)", [f"user{u}", f"User {u}", NOW, NOW])
            user_ids.append(int(cur.lastrowid))
        rows, topic_rows = [], []
        for n in range(1, claims + 1):
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30))) + f" #{n}"
            status = rng.choice(STATUSES)
            last = now - timedelta(minutes=rng.randint(0, 10 * 24 * 60))
            first = last - timedelta(minutes=rng.randint(0, 3 * 24 * 60))
            sightings = int(rng.paretovariate(1.3))
            rows.append((
                text, _key(text), rng.choice(LANGS), "Deva", rng.choice(CHANNELS),
                f"group {rng.randint(1, 400)}", iso(first), iso(last),
                rng.choice(region_ids) if rng.random() < 0.9 else None, status,
                "spam" if status == "dismissed" else None,
                round(min(100.0, rng.paretovariate(2.0) * 10), 2),
                rng.choice(user_ids) if rng.random() < 0.3 else None,
                sightings, min(sightings, rng.randint(1, 20)), NOW, NOW,
            ))
            for t in rng.sample(topic_ids, rng.choice([0, 1, 1, 1, 2])):
                topic_rows.append((n, t))
        store.executemany(
            "INSERT INTO claims (text, match_key, lang, script, channel, source_group,"
            " first_seen_at, last_seen_at, region_id, status, dismiss_reason, priority,"
            " assignee_id, sighting_count, group_count, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        store.executemany("INSERT INTO claim_topics (claim_id, topic_id) VALUES (?, ?)",
                          topic_rows)
        # Priorities as generated, just refreshed: the queue reads below measure the
        # query, not the ageing that a queue read runs every few minutes.
        store.execute("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)",
                      [AGED_AT, json.dumps(NOW), NOW])
    store.execute("ANALYZE")
    store.close()


def _claim_count(db: Path) -> int:
    store = Store.open(db)
    try:
        return int(store.scalar("SELECT count(*) FROM claims"))
    finally:
        store.close()


def cases(store: Store) -> dict[str, QueueFilter]:
    state = store.scalar("SELECT id FROM regions WHERE code = 'S1'")
    district = store.scalar("SELECT id FROM regions WHERE code = 'S2-D3'")
    user = store.scalar("SELECT id FROM users WHERE username = 'user4'")
    return {
        "open queue, no filter": QueueFilter(),
        "status new + topic": QueueFilter(statuses=("new",), topic="topic3"),
        "state (descendants) + language": QueueFilter(region_id=state, lang="hi"),
        "district (descendants) + topic": QueueFilter(region_id=district, topic="topic5"),
        "assignee + status triaged": QueueFilter(statuses=("triaged",), assignee_id=user),
        "channel + last 48 h": QueueFilter(channel="facebook", seen_from="2026-11-20T10:00:00Z"),
        "unassigned + language": QueueFilter(unassigned=True, lang="en"),
        "text (literal) + status new": QueueFilter(statuses=("new",), text="paper leak"),
        "all statuses + topic": QueueFilter(statuses=(), topic="topic9"),
    }


def measure(db: Path, runs: int) -> dict[str, dict[str, float]]:
    store = Store.open(db)
    actor = store.scalar("SELECT id FROM users WHERE username = 'system'")
    service = ClaimService(store, FixedClock(NOW), normalizer=lambda t: type(
        "N", (), {"key": _key(t), "lang": "en", "script": "Latn"})())
    results = {}
    for name, f in cases(store).items():
        service.queue(actor, f)                      # warm the page cache
        times = []
        total = 0
        for i in range(runs):
            t0 = time.perf_counter()
            page = service.queue(actor, f, page=1 + i % 3, page_size=50)
            times.append((time.perf_counter() - t0) * 1000)
            total = page.total
        times.sort()
        results[name] = {"matching": total, "p50_ms": round(statistics.median(times), 2),
                         "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2)}
    store.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--db", type=Path, help="reuse/keep the generated database here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.db"
        if not db.exists() or _claim_count(db) == 0:
            t0 = time.perf_counter()
            build(db, args.claims)
            built = time.perf_counter() - t0
        else:
            built = 0.0
        results = measure(db, args.runs)
    if args.json:
        print(json.dumps({"claims": args.claims, "build_s": round(built, 1),
                          "cases": results}, indent=2))
        return 0
    print(f"{args.claims} claims (built in {built:.1f} s); page of 50 + status counts,"
          f" {args.runs} runs each")
    print(f"{'case':<34}{'matching':>10}{'p50 ms':>9}{'p95 ms':>9}")
    for name, r in results.items():
        print(f"{name:<34}{r['matching']:>10}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
