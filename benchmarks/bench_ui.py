"""UI benchmark: server time of page interactions on a desk with 10,000 claims.

Builds a desk through the services (the demo regions and topics; 10,000 claims
in Hindi, Hinglish and English derived from the demo forwards; sightings,
suggestions, facts and rebuttals in every state), then drives
``streamlit_app.py`` with Streamlit's ``AppTest`` and times each interaction:
one ``AppTest.run()`` = one click or one changed widget, from the script start
to the finished element tree.  That includes AppTest's own bookkeeping, so the
figures are an upper bound of the server time.  ``FACTDESK_MODEL=fake`` keeps
model inference out of the figures, as the target asks.

    python -m benchmarks.bench_ui                    # 10,000 claims, 15 runs each
    python -m benchmarks.bench_ui --claims 2000 --runs 5 --json
    python -m benchmarks.bench_ui --home /tmp/uidesk # build once, reuse later

Target: every interaction p95 <= 300 ms.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
TARGET_MS = 300.0
VARIATIONS = ("", " Sabko bhejo!", " कृपया आगे भेजें।", " Forward to all groups.",
              " 100% sach hai", " — viral message", " (Lucknow)", " (Jaipur)", " urgent!!")


@dataclass
class Case:
    page: str
    name: str
    who: str
    act: Callable          # (AppTest, Ctx) -> None: change widgets before the timed run
    setup: Callable | None = None   # once per AppTest, untimed


@dataclass
class Ctx:
    ids: dict[str, int] = field(default_factory=dict)
    claim_ids: list[int] = field(default_factory=list)
    region_ids: list[int] = field(default_factory=list)
    review_ids: list[int] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(11))


# -- building the desk --------------------------------------------------------------------

def _demo_rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DEMO / name).read_text(encoding="utf-8").splitlines()
            if line.strip()]


def build(claims: int, rng: random.Random) -> Ctx:
    ctx = _build(claims, rng)
    from desk.config import load_settings
    from desk.services import open_services

    svc = open_services(load_settings())
    try:
        ctx.region_ids = [r.id for r in svc.regions.list(svc.system_user_id())
                          if r.level.value in ("state", "district")]
        ctx.review_ids = [r.id for r in svc.rebuttals.list(svc.system_user_id(),
                                                           statuses=["in_review"])]
    finally:
        svc.close()
    return ctx


def _build(claims: int, rng: random.Random) -> Ctx:
    from desk.config import load_settings
    from desk.domain import NewClaim, NewSighting, Role, SuggestedLink
    from desk.services import open_services
    from desk.services.facts import NewFact
    from desk.services.installation import init_runtime
    from desk.services.rebuttals import RebuttalDraft

    settings = load_settings()
    init_runtime(settings)
    svc = open_services(settings)
    ctx = Ctx()
    try:
        system = svc.system_user_id()
        if svc.store.scalar("SELECT count(*) FROM claims"):
            for role in Role:
                ctx.ids[role.value] = svc.users.by_username(system, role.value.replace("_", "-")).id
            ctx.ids["editor2"] = svc.users.by_username(system, "editor-two").id
            ctx.claim_ids = [r[0] for r in svc.store.all("SELECT id FROM claims ORDER BY id")]
            return ctx
        t0 = time.perf_counter()
        svc.regions.import_csv(system, (DEMO / "regions.csv").read_bytes())
        for slug, en, hi in list(csv.reader(io.StringIO(
                (DEMO / "topics.csv").read_text(encoding="utf-8"))))[1:]:
            svc.regions.upsert_topic(system, slug, en, hi or None)
        for role in Role:
            ctx.ids[role.value] = svc.users.create(
                system, role.value.replace("_", "-"), role=role, email=f"{role.value}@bench.test",
                display_name=role.value.replace("_", " ").title()).id
        ctx.ids["editor2"] = svc.users.create(system, "editor-two", role="editor",
                                              email="editor2@bench.test").id
        team = [svc.users.create(system, f"checker{i}", role="fact_checker").id for i in range(20)]
        fc, ed, ed2 = ctx.ids["fact_checker"], ctx.ids["editor"], ctx.ids["editor2"]
        demo_claims = _demo_rows("claims.jsonl")
        regions = [r.code for r in svc.regions.list(system) if r.level.value in ("district", "ac")]
        topics = [t.slug for t in svc.regions.topics(system)]
        items = []
        for n in range(claims):
            base = demo_claims[n % len(demo_claims)]
            text = base["text"] + rng.choice(VARIATIONS) + f" #{n}"
            items.append(NewClaim(text=text, channel=base.get("channel") or "whatsapp",
                                  source_group=base.get("source_group"),
                                  region_code=rng.choice(regions) if rng.random() < 0.9 else None,
                                  topics=tuple(rng.sample(topics, rng.choice([0, 1, 1, 2])))))
        for start in range(0, claims, 2000):
            ctx.claim_ids += svc.claims.create_many(fc, items[start:start + 2000])
        print(f"  claims: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        viral = rng.sample(ctx.claim_ids, min(3000, claims))
        batch = []
        for cid in viral:
            for k in range(int(rng.paretovariate(1.2))):
                batch.append(NewSighting(cid, f"bench-{cid}-{k}", source_group=f"group {k % 50}",
                                         region_code=rng.choice(regions)))
            if len(batch) >= 2000:
                svc.sightings.record(fc, batch)
                batch = []
        if batch:
            svc.sightings.record(fc, batch)
        print(f"  sightings: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        facts = []
        for n, row in enumerate(_demo_rows("facts.jsonl") * 5):
            facts.append(svc.facts.create(ctx.ids["researcher"], NewFact(
                statement=f"{row['statement']} ({n})", lang=row.get("lang"),
                topic=row.get("topic") if row.get("topic") in topics else None)).id)
        moves = rng.sample(ctx.claim_ids, min(2500, claims))
        for i, cid in enumerate(moves):
            claim = svc.claims.get(fc, cid)
            if i % 5 == 0:
                svc.claims.dismiss(fc, cid, "spam", expected_version=claim.version)
            elif i % 5 == 1:
                svc.claims.assign(ed, cid, rng.choice(team), expected_version=claim.version)
            else:
                svc.claims.transition(fc, cid, rng.choice(["triaged", "in_research"]),
                                      expected_version=claim.version)
        for cid in rng.sample(ctx.claim_ids, min(1500, claims)):
            svc.links.record_suggestions(fc, cid, [
                SuggestedLink("fact", rng.choice(facts), round(rng.random(), 3),
                              rng.choice(["same", "related"])),
                SuggestedLink("claim", rng.choice(ctx.claim_ids), round(rng.random(), 3),
                              "related")])
        print(f"  links and moves: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        open_claims = [r.id for r in svc.claims.queue(fc, page_size=500).rows]
        for i in range(150):
            cid = open_claims[i]
            r = svc.rebuttals.create(fc, RebuttalDraft(
                "false", f"Full rebuttal {i}: the claim is false; see the sources.",
                f"*FALSE*: rebuttal {i}.", title=f"Rebuttal {i}", lang="hi" if i % 2 else "en",
                fact_ids=(rng.choice(facts),)), claim_ids=[cid])
            if i % 5 == 0:
                continue                                        # draft
            r = svc.rebuttals.submit(fc, r.id, expected_version=r.version)
            if i % 5 == 1:
                continue                                        # in review
            r = svc.rebuttals.approve(ed if i % 2 else ed2, r.id, expected_version=r.version)
            if i % 5 == 2:
                continue                                        # approved
            svc.rebuttals.publish(ed, r.id, expected_version=r.version)
        svc.settings.set(system, "publish.base_url", "https://factdesk.example/checks",
                         expected_version=0)
        svc.store.execute("ANALYZE")
        print(f"  desk built in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        return ctx
    finally:
        svc.close()


# -- the interactions ------------------------------------------------------------------------

def _token(who: str) -> str:
    from desk.config import load_settings
    from desk.services import open_services

    svc = open_services(load_settings())
    try:
        return svc.auth.sign_in_external(f"{who}@bench.test")[0]
    finally:
        svc.close()


def _nothing(at, ctx) -> None:
    return None


def _toggle_status(at, ctx) -> None:
    current = at.multiselect(key="triage.filter_status").value
    at.multiselect(key="triage.filter_status").set_value(
        ["new"] if current != ["new"] else ["new", "triaged", "in_research", "in_review"])


def _region(at, ctx) -> None:
    at.selectbox(key="triage.filter_region").set_value(ctx.rng.choice(ctx.region_ids))


def _text(at, ctx) -> None:
    at.text_input(key="triage.filter_text").set_value(ctx.rng.choice(
        ["ration", "राशन", "EVM", "vote", "350", "pension", "bijli", "%"]))


def _next_page(at, ctx) -> None:
    pager = at.pagination(key="triage.page")
    pager.set_value(ctx.rng.randint(1, min(pager.num_pages, 40)))


def _take_two(at, ctx) -> None:
    labels = at.multiselect(key="triage.selected").options       # "#123 · text"
    picked = [int(label.split(" ", 1)[0].lstrip("#")) for label in ctx.rng.sample(labels, 2)]
    at.multiselect(key="triage.selected").set_value(picked)
    at.run()
    at.button(key="triage.bulk_take").click()


def _open_claim(at, ctx) -> None:
    at.session_state["claim.id"] = ctx.rng.choice(ctx.claim_ids)
    at.query_params.pop("claim", None)


def _type_rebuttal(at, ctx) -> None:
    at.text_area(key="claim.rb_whatsapp").set_value(f"*FALSE*: typed {ctx.rng.random():.6f}")


def _add_note(at, ctx) -> None:
    at.text_area(key="claim.note").set_value(f"note {ctx.rng.random():.6f}")
    at.run()
    at.button(key="claim.note_add").click()


def _research_text(at, ctx) -> None:
    at.text_input(key="research.filter_text").set_value(ctx.rng.choice(["EVM", "राशन", "bank"]))


def _copy(at, ctx) -> None:
    at.button(key="library.copy").click()


def _export_csv(at, ctx) -> None:
    at.selectbox(key="library.export_format").set_value("csv")
    at.radio(key="library.export_scope").set_value("all")
    at.button(key="library.export_go").click()


def _window(at, ctx) -> None:
    at.segmented_control(key="dashboard.days").set_value(ctx.rng.choice([7, 14, 30, 90]))


def _review_pick(at, ctx) -> None:
    at.selectbox(key="review.pick").set_value(ctx.rng.choice(ctx.review_ids))


CASES = [
    Case("triage", "load", "fact_checker", _nothing),
    Case("triage", "status filter", "fact_checker", _toggle_status),
    Case("triage", "region filter", "fact_checker", _region),
    Case("triage", "text filter", "fact_checker", _text),
    Case("triage", "page", "fact_checker", _next_page),
    Case("triage", "bulk take 2", "fact_checker", _take_two),
    Case("claim", "open a claim", "fact_checker", _open_claim),
    Case("claim", "type WhatsApp text", "fact_checker", _type_rebuttal),
    Case("claim", "add a note", "fact_checker", _add_note),
    Case("review", "load", "editor", _nothing),
    Case("review", "pick another", "editor", _review_pick),
    Case("research", "load", "researcher", _nothing),
    Case("research", "text filter", "researcher", _research_text),
    Case("library", "load", "coordinator", _nothing),
    Case("library", "copy WhatsApp text", "coordinator", _copy),
    Case("library", "prepare CSV", "coordinator", _export_csv),
    Case("dashboard", "load", "editor", _nothing),
    Case("dashboard", "change window", "editor", _window),
    Case("admin", "load", "admin", _nothing),
    Case("account", "load", "editor", _nothing),
]


def warm_up(ctx: Ctx) -> None:
    """Load the engines and bring both indexes in line with the database once, as a
    running desk has done long before anyone clicks (``desk demo`` builds them)."""
    from streamlit.testing.v1 import AppTest

    start = time.perf_counter()
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=600)
    at.session_state["auth.token"] = _token("fact_checker")
    at.session_state["claim.id"] = ctx.claim_ids[0]
    at.run()
    at.switch_page("desk/ui/pages/claim.py").run()
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    print(f"  engines loaded and synced in {time.perf_counter() - start:.1f} s", file=sys.stderr)


def measure(case: Case, ctx: Ctx, runs: int) -> dict:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=120)
    at.session_state["auth.token"] = _token(case.who)
    at.session_state["claim.id"] = ctx.claim_ids[len(ctx.claim_ids) // 2]
    at.run()                                                   # warm-up: imports, engines
    at.switch_page(f"desk/ui/pages/{case.page}.py").run()
    at.run()
    times = []
    for _ in range(runs):
        case.act(at, ctx)
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
        if at.exception:
            raise RuntimeError(f"{case.page}/{case.name}: {at.exception[0].value}")
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"page": case.page, "interaction": case.name, "role": case.who, "runs": runs,
            "p50_ms": round(statistics.median(times), 1), "p95_ms": round(p95, 1),
            "max_ms": round(times[-1], 1), "ok": p95 <= TARGET_MS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--home", type=Path, help="runtime directory to build in or reuse")
    parser.add_argument("--only", help="comma-separated pages to measure")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    home = args.home or Path(tempfile.mkdtemp(prefix="factdesk-ui-bench-"))
    os.environ["FACTDESK_HOME"] = str(home)
    os.environ["FACTDESK_MODEL"] = "fake"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print(f"desk in {home} ({args.claims} claims)", file=sys.stderr)
    ctx = build(args.claims, random.Random(7))
    warm_up(ctx)
    wanted = set(args.only.split(",")) if args.only else None
    rows = [measure(c, ctx, args.runs) for c in CASES if not wanted or c.page in wanted]
    load = os.getloadavg()
    if args.json:
        print(json.dumps({"claims": args.claims, "cores": os.cpu_count(),
                          "loadavg": [round(x, 2) for x in load], "rows": rows}, indent=2))
    else:
        print(f"{'page':10} {'interaction':22} {'role':13} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for r in rows:
            flag = "" if r["ok"] else "  > target"
            print(f"{r['page']:10} {r['interaction']:22} {r['role']:13} {r['p50_ms']:8.1f} "
                  f"{r['p95_ms']:8.1f} {r['max_ms']:8.1f}{flag}")
        print(f"claims={args.claims} runs={args.runs} cores={os.cpu_count()} "
              f"loadavg={load[0]:.2f} target p95 <= {TARGET_MS:.0f} ms")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
