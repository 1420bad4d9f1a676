"""Screenshots of the desk's main pages for the README (``docs/screenshots/*.png``).

    python scripts/screenshots.py                  # writes docs/screenshots/
    python scripts/screenshots.py --out /tmp/shots --home /tmp/demo-desk

1. ``desk demo`` loads the demo data into a temporary runtime directory (or
   ``--home``; a desk already loaded there is reused with its credentials file);
2. the script picks, through the services and the real matching engine, the open
   claim without a rebuttal whose candidates are the most telling (romanised
   Hindi preferred), and a published English rebuttal whose author can correct it;
3. ``streamlit run streamlit_app.py`` starts on a free localhost port and Debian's
   Chromium (driven by Playwright) signs in as each role with the generated
   passwords and works the desk like a person would: it asks for matches, writes
   and submits a correction so the review page has a diff to show, and asks for
   a WhatsApp text in the rebuttal library.

Pages saved (1400 px wide): sign-in, triage inbox, claim workspace (candidates and
explanations), review (diff of a correction), research library, rebuttal library,
dashboard, admin, and the triage inbox in Hindi.  PNGs are reduced to a 256-colour
palette when that keeps them readable and under 400 KB.

Needs ``/usr/bin/chromium`` (or ``$FACTDESK_CHROMIUM``), Playwright for Python, a
Devanagari font (``fonts-noto-core``) and, for the emoji in the demo's WhatsApp
texts, ``fonts-noto-color-emoji`` (without it they are drawn as empty boxes).  The browser helpers are the end-to-end
tests' (``tests/e2e/conftest.py``), so the screenshots drive the desk exactly the
way the tests do.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
MAX_BYTES = 400_000
WIDTH, HEIGHT = 1400, 900


def e2e_helpers() -> ModuleType:
    """``tests/e2e/conftest.py`` as a module (server start/stop, ``DeskPage``)."""
    spec = importlib.util.spec_from_file_location("factdesk_e2e_helpers",
                                                  REPO / "tests" / "e2e" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module      # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


# -- the demo desk -----------------------------------------------------------------------

def load_demo(home: Path) -> dict[str, str]:
    """Run ``desk demo`` into ``home``; returns username -> password."""
    desk = Path(sys.executable).with_name("desk")
    command = [str(desk)] if desk.exists() else [sys.executable, "-c",
                                                  "from desk.cli import main; main()"]
    env = {**os.environ, "FACTDESK_HOME": str(home), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1"}
    env.pop("FACTDESK_MODEL", None)
    subprocess.run([*command, "demo"], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    passwords = {}
    for line in (home / "demo-credentials.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            username, _role, password = line.split("\t")
            passwords[username] = password
    return passwords


def pick_records(home: Path) -> dict[str, Any]:
    """The claim to match in the workspace and the rebuttal to correct (read only)."""
    from desk.config import load_settings
    from desk.domain import RebuttalStatus
    from desk.services import EngineSet, open_services

    settings = load_settings(home)
    engines = EngineSet.create(settings)
    svc = open_services(settings, engines=engines)
    try:
        engines.ensure_synced(svc.store)
        system = svc.system_user_id()
        users = {u.id: u for u in svc.users.list(system)}
        best: tuple | None = None
        for row in svc.claims.queue(system, page_size=500).rows:
            if svc.links.for_claim(system, row.id) or svc.rebuttals.for_claim(system, row.id):
                continue
            links = svc.matching.suggest_for_claim(system, row.id, record=False)
            kinds = {link.target_kind.value for link in links}
            rank = (row.lang == "hi-Latn", sum(link.tier.value == "same" for link in links),
                    len(kinds), row.sighting_count, -row.id)
            if links and (best is None or rank > best[0]):
                best = (rank, row.id)
        if best is None:
            raise SystemExit("no open claim has a candidate: is the demo data loaded?")
        for rebuttal in svc.rebuttals.list(system, statuses=[RebuttalStatus.PUBLISHED], limit=200):
            author = users.get(rebuttal.author_id)
            if (rebuttal.current and rebuttal.current.lang == "en" and rebuttal.claim_ids
                    and author is not None and author.role.value == "fact_checker"
                    and author.language == "en"):
                correction = (rebuttal.id, rebuttal.claim_ids[0], author.username)
                break
        else:
            raise SystemExit("no published English rebuttal by an English-speaking fact-checker")
        editors = [u.username for u in users.values()
                   if u.role.value == "editor" and u.active and u.has_password]
        coordinators = [u for u in users.values() if u.role.value == "coordinator"
                        and u.region_id is not None and u.has_password]
        by_role = {role: next(u.username for u in users.values()
                              if u.role.value == role and u.has_password)
                   for role in ("admin", "researcher")}
        hindi_checker = next(u.username for u in users.values()
                             if u.role.value == "fact_checker" and u.language == "hi")
        return {"claim": best[1], "rebuttal": correction[0], "rebuttal_claim": correction[1],
                "author": correction[2], "editor": editors[0],
                "coordinator": coordinators[0].username, "hindi": hindi_checker, **by_role}
    finally:
        svc.close()


# -- saving pictures ------------------------------------------------------------------------

def shrink(path: Path) -> None:
    """A 256-colour palette PNG when the full-colour one is over the size budget."""
    if path.stat().st_size <= MAX_BYTES:
        return
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                              dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def save(page: Any, out: Path, name: str, *, target: Any = None, full: bool = False,
         max_height: int = 3200) -> Path:
    """The viewport (scrolled to ``target``), or the whole main column when ``full``."""
    page.settle()
    # No focus ring or hover shade from the last click in the picture.
    page.page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.page.mouse.move(0, 0)
    path = out / f"{name}.png"
    if full:
        # The main column scrolls by itself (not the document): grow the window to
        # the bottom of its last element instead.
        height = page.page.evaluate("""() => {
            const main = document.querySelector('[data-testid=stMain]');
            main.scrollTo(0, 0);
            const blocks = document.querySelector('[data-testid=stMainBlockContainer]').children;
            const last = blocks[blocks.length - 1].getBoundingClientRect();
            return Math.ceil(last.bottom + 48);
        }""")
        page.page.set_viewport_size({"width": WIDTH, "height": min(max(height, HEIGHT), max_height)})
    elif target is not None:
        target.scroll_into_view_if_needed()
        # Leave the element's heading above it in the picture.
        page.page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollBy(0, -120)")
    # Two animation frames: the layout (and charts) have caught up with a resize or scroll.
    page.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.page.screenshot(path=str(path))
    page.page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    shrink(path)
    print(f"  {path.relative_to(REPO) if path.is_relative_to(REPO) else path} "
          f"({path.stat().st_size // 1000} KB)")
    return path


def in_english(page: Any) -> None:
    """Switch a member's interface to English (the demo team mostly reads Hindi)."""
    from playwright.sync_api import expect

    english = page.key("app.language").get_by_role("radio", name="English")
    if english.get_attribute("aria-checked") != "true":
        english.click()
        expect(page.key("app.sign_out")).to_contain_text("Sign out")
        page.settle()


# -- the tour -----------------------------------------------------------------------------------

def tour(helpers: ModuleType, page: Any, out: Path, passwords: dict[str, str],
         picked: dict[str, Any]) -> None:
    from playwright.sync_api import expect

    def sign_in(username: str, path: str = "") -> None:
        page.open(path)
        page.sign_in(username, passwords[username])
        in_english(page)

    # Sign-in, then the fact-checker who wrote the rebuttal to correct.
    page.open()
    expect(page.heading("Sign in to Fact Desk")).to_be_visible()
    save(page, out, "sign-in")
    sign_in(picked["author"])
    expect(page.heading("Triage inbox")).to_be_visible()
    save(page, out, "triage-inbox")

    # The claim workspace: ask the engine for matches and show candidates with reasons.
    page.open(f"claim?claim={picked['claim']}")
    page.sign_in(picked["author"], passwords[picked["author"]])
    expect(page.heading(f"Claim #{picked['claim']}")).to_be_visible()
    page.click("claim.match")
    expect(page.alert("matches recorded")).to_be_visible()
    candidates = page.page.locator("[class*='st-key-claim-candidate_']")
    expect(candidates.first).to_be_visible()
    # Fold the workflow panel so the claim and its candidates fit in one picture.
    workflow = page.page.get_by_test_id("stExpander").filter(has_text="Workflow and assignment")
    workflow.locator("summary").click()
    expect(workflow.get_by_test_id("stExpanderDetails")).to_be_hidden()
    save(page, out, "claim-workspace", full=True, max_height=1700)

    # A correction to a published rebuttal, written and submitted in the workspace.
    page.fill("claim.goto", str(picked["rebuttal_claim"]), commit=False)
    page.click("claim.goto_go")
    expect(page.heading(f"Claim #{picked['rebuttal_claim']}")).to_be_visible()
    page.choose("claim.rb_pick", f"Rebuttal #{picked['rebuttal']} ·", exact=False)
    whatsapp = page.key("claim.rb_whatsapp").locator("textarea")
    page.fill("claim.rb_whatsapp", whatsapp.input_value().rstrip()
              + "\nVoter helpline: 1950 (free, every day).")
    page.fill("claim.rb_note", "Added the voter helpline number.")
    page.click("claim.rb_save")
    expect(page.alert(f"Rebuttal #{picked['rebuttal']} saved as version")).to_be_visible()
    expect(page.key("claim.rb_submit").get_by_role("button")).to_be_enabled()
    page.click("claim.rb_submit")
    expect(page.alert(f"Rebuttal #{picked['rebuttal']} sent for review.")).to_be_visible()
    page.sign_out()

    # Review: the editor sees what changed since the published version.
    sign_in(picked["editor"])
    page.nav("Review")
    page.choose("review.pick", f"#{picked['rebuttal']} ·", exact=False)
    diff = page.page.get_by_test_id("stExpander").filter(has_text="Changes: version")
    expect(diff.get_by_test_id("stCode")).to_contain_text("Voter helpline: 1950")
    save(page, out, "review", full=True)
    page.sign_out()

    # Research library.
    sign_in(picked["researcher"])
    page.nav("Research library")
    expect(page.key("research.fact")).to_be_visible()
    save(page, out, "research-library", full=True, max_height=2000)
    page.sign_out()

    # Rebuttal library: a coordinator takes the WhatsApp text.
    sign_in(picked["coordinator"])
    expect(page.heading("Rebuttal library")).to_be_visible()
    page.click("library.copy")
    expect(page.page.get_by_text("This pull is recorded.")).to_be_visible()
    save(page, out, "rebuttal-library", full=True, max_height=2000)
    page.sign_out()

    # Dashboard and admin.
    sign_in(picked["admin"])
    page.nav("Dashboard")
    expect(page.heading("Dashboard")).to_be_visible()
    save(page, out, "dashboard", full=True)
    page.nav("Admin")
    expect(page.heading("Administration")).to_be_visible()
    save(page, out, "admin", full=True, max_height=2000)
    page.sign_out()

    # Hindi: a fact-checker who reads Hindi, on the triage inbox.
    page.open()
    page.sign_in(picked["hindi"], passwords[picked["hindi"]])
    expect(page.heading("ट्राइएज इनबॉक्स")).to_be_visible()
    save(page, out, "triage-inbox-hi")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--home", type=Path, default=None,
                        help="runtime directory for the demo (default: a temporary one)")
    args = parser.parse_args(argv)
    helpers = e2e_helpers()
    problem = helpers.browser_problem()
    if problem:
        raise SystemExit(f"cannot take screenshots: {problem}")
    temp = None if args.home else Path(tempfile.mkdtemp(prefix="factdesk-shots-"))
    home = (args.home or temp / "home").resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        print(f"loading the demo into {home} ...")
        passwords = load_demo(home)
        picked = pick_records(home)
        print(f"claim #{picked['claim']} for the workspace, rebuttal #{picked['rebuttal']} "
              "to correct")
        server = helpers.start_server(home, (temp or home) / "server.log")
        try:
            from playwright.sync_api import expect, sync_playwright

            expect.set_options(timeout=helpers.STEP_MS)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(helpers.CHROMIUM),
                                                     headless=True, args=helpers.CHROMIUM_ARGS)
                context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT},
                                              locale="en-IN", timezone_id="Asia/Kolkata")
                context.set_default_timeout(helpers.STEP_MS)
                page = helpers.DeskPage(context.new_page(), server, None, args.out)
                tour(helpers, page, args.out, passwords, picked)
                outside = page.outside_requests()
                browser.close()
            if outside:
                raise SystemExit(f"the desk asked other hosts for: {outside}")
        finally:
            helpers.stop_server(server)
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    print(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
