"""Real-browser fixtures: Debian's Chromium driven by Playwright against a live desk.

* ``desk_server`` (session): a runtime directory seeded through the services with
  exactly the accounts and records the browser tests need (passwords generated
  here), then ``streamlit run streamlit_app.py`` on a free localhost port with
  the real bundled model.  Its log goes to ``test-artifacts/e2e/server.log``;
  the process group is killed at the end.
* ``desk_page`` (per test): a fresh browser context (a new, empty profile) and a
  :class:`DeskPage` with helpers that find widgets by their keys
  (``st-key-<key>`` CSS classes, ``docs/UI.md``).  It records every request,
  dialog and page error; screenshots and logs go to
  ``test-artifacts/e2e/<test name>/``.

Without ``/usr/bin/chromium`` (or ``$FACTDESK_CHROMIUM``) the tests are skipped
with the reason, unless ``FACTDESK_REQUIRE_BROWSER=1`` (CI), where they fail instead.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:     # browser_problem() says so; the tests skip or fail with that reason
    expect = sync_playwright = None

from desk.config import load_settings
from desk.domain import NewClaim, Source
from desk.services import open_services
from desk.services.facts import NewFact
from desk.services.installation import init_runtime
from desk.services.rebuttals import RebuttalDraft
from desk.services.users import generate_password

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "e2e"
# FACTDESK_CHROMIUM points elsewhere (another distribution; the gate test).
CHROMIUM = Path(os.environ.get("FACTDESK_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_ENV = "FACTDESK_REQUIRE_BROWSER"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps", "--disable-extensions"]
VIEWPORT = {"width": 1400, "height": 900}
# The first sign-in loads the embedding model and syncs the indexes behind a
# spinner; on two busy shared cores that took 25 s.
FIRST_SIGN_IN_MS = 180_000
STEP_MS = 30_000
SERVER_START_S = 90

BASE_URL = "https://factdesk.example/fact-checks"
ORGANISATION = "Fact Desk E2E"
ORGANISATION_URL = "https://factdesk.example/"

REGIONS_CSV = ("code,name,name_hi,level,parent_code\n"
               "UP,Uttar Pradesh,उत्तर प्रदेश,state,\n"
               "UP-LKO,Lucknow,लखनऊ,district,UP\n"
               "UP-VNS,Varanasi,वाराणसी,district,UP\n"
               "RJ,Rajasthan,राजस्थान,state,\n"
               "RJ-JPR,Jaipur,जयपुर,district,RJ\n").encode()

# Hostile text: every payload would open a dialog or fetch tracker.example if it ran.
SCRIPT = "<script>alert('xss-script')</script>"
IMG = '<img src=x onerror="alert(\'xss-img\')">'
JS_LINK = "[read more](javascript:alert('xss-link'))"
REMOTE_IMG = "![pixel](https://tracker.example/pixel.png)"
REMOTE_TAG = '<img src="https://tracker.example/tag.png">'
SVG = "<svg onload=alert('xss-svg')></svg>"
HOSTILE_PARTS = (SCRIPT, IMG, JS_LINK, REMOTE_IMG, REMOTE_TAG, SVG)

#: username -> (role, display name, region); one set of accounts per test so the
#: tests share a server without depending on each other's state.
ACCOUNTS: dict[str, tuple[str, str, str | None]] = {
    "asha": ("fact_checker", "Asha Verma", "UP-LKO"),      # the flow: drafts
    "ravi": ("editor", "Ravi Shankar", "UP"),               # the flow: approves, publishes
    "kiran": ("coordinator", "Kiran Yadav", "UP-LKO"),      # the flow: downloads
    "eve": ("fact_checker", f"Eve {IMG}", None),            # injection: types hostile claims
    "omar": ("editor", "Omar Khan", None),                  # injection: reviews
    "nisha": ("coordinator", "Nisha Rao", None),            # injection: rebuttal library
    "sunil": ("researcher", "सुनील तिवारी", None),          # Hindi interface
    "meera": ("admin", "Meera Joshi", None),
}

HINDI_CLAIM = "मतदान की तारीख बदल गई है, अब सोमवार को वोट डाले जाएंगे। सबको भेजें"

def hostile(lead: str) -> str:
    return " ".join((lead, *HOSTILE_PARTS))


@dataclass
class SeededDesk:
    home: Path
    passwords: dict[str, str]
    user_ids: dict[str, int]
    fact: int
    hindi_claim: int
    hostile_claim: int             # published rebuttal answers it
    hostile_published: int
    hostile_review_claim: int
    hostile_in_review: int
    hostile_fact: int
    hostile_texts: dict[str, str] = field(default_factory=dict)

    def services(self):
        """Services on the server's database (read results back in tests)."""
        return open_services(load_settings(self.home))


def seed_desk(home: Path) -> SeededDesk:
    """Accounts, regions, a topic, a fact, a Hindi claim and hostile records."""
    settings = load_settings(home)
    init_runtime(settings)
    svc = open_services(settings)
    try:
        system = svc.system_user_id()
        svc.regions.import_csv(system, REGIONS_CSV)
        svc.regions.upsert_topic(system, "polling", "Polling", "मतदान")
        for key, value in (("publish.base_url", BASE_URL), ("publish.organisation", ORGANISATION),
                           ("publish.organisation_url", ORGANISATION_URL)):
            svc.settings.set(system, key, value, expected_version=0)
        passwords = {name: generate_password() for name in ACCOUNTS}
        ids = {name: svc.users.create(system, name, role=role, display_name=display,
                                      email=f"{name}@factdesk.example", language="en",
                                      region_code=region, password=passwords[name]).id
               for name, (role, display, region) in ACCOUNTS.items()}
        fact = svc.facts.create(ids["sunil"], NewFact(
            "Polling dates are announced only by the Election Commission of India.",
            lang="en", topic="polling",
            sources=(Source("https://eci.gov.in/", "Schedule", "Election Commission of India",
                            "2026-10-01"),)))
        hindi = svc.claims.create(ids["asha"], NewClaim(HINDI_CLAIM, region_code="UP-VNS"))
        texts = {
            "claim": hostile("Voter list deleted"),
            "group": f"Group {IMG} {JS_LINK}",
            "title": f"Title {SCRIPT} {JS_LINK}",
            "full": hostile("Full rebuttal"),
            "whatsapp": f"*FALSE* {IMG} {JS_LINK}",
            "link_title": f"PIB {JS_LINK} {IMG}",
            "review_claim": hostile("Ration cards cancelled"),
            "review_full": hostile("Review text"),
            "review_title": f"Review {IMG}",
            "fact": hostile("Fact statement"),
            "source_title": f"Source {SCRIPT} {JS_LINK}",
            "source_publisher": f"Publisher {IMG}",
            "eve": ACCOUNTS["eve"][1],
        }
        hostile_fact = svc.facts.create(ids["omar"], NewFact(texts["fact"], lang="en", sources=(
            Source("https://eci.gov.in/faq", texts["source_title"], texts["source_publisher"],
                   "2026-11-01"),)))
        claim = svc.claims.create(ids["eve"], NewClaim(texts["claim"],
                                                       source_group=texts["group"]))
        published = svc.rebuttals.create(ids["eve"], RebuttalDraft(
            "false", texts["full"], texts["whatsapp"], title=texts["title"], lang="en",
            fact_ids=(fact.id,), links=(Source("https://pib.gov.in/", texts["link_title"]),)),
            claim_ids=[claim.id])
        published = svc.rebuttals.submit(ids["eve"], published.id,
                                         expected_version=published.version)
        published = svc.rebuttals.approve(ids["omar"], published.id,
                                          expected_version=published.version)
        published = svc.rebuttals.publish(ids["omar"], published.id,
                                          expected_version=published.version)
        second = svc.claims.create(ids["eve"], NewClaim(texts["review_claim"]))
        review = svc.rebuttals.create(ids["eve"], RebuttalDraft(
            "misleading", texts["review_full"], f"WA {JS_LINK}", title=texts["review_title"],
            lang="en"), claim_ids=[second.id])
        review = svc.rebuttals.submit(ids["eve"], review.id, expected_version=review.version)
        return SeededDesk(home=home, passwords=passwords, user_ids=ids, fact=fact.id,
                          hindi_claim=hindi.id, hostile_claim=claim.id,
                          hostile_published=published.id, hostile_review_claim=second.id,
                          hostile_in_review=review.id, hostile_fact=hostile_fact.id,
                          hostile_texts=texts)
    finally:
        svc.close()


# -- the browser ------------------------------------------------------------------------

def browser_problem() -> str | None:
    """Why the browser tests cannot run here, or ``None``."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return (f"{CHROMIUM} not found (install Debian's chromium, chromium-driver and "
                "fonts-noto-core)")
    if sync_playwright is None:
        return "Playwright for Python is not installed"
    return None


@pytest.fixture(scope="session")
def chromium() -> Path:
    problem = browser_problem()
    if problem is not None:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but the browser tests cannot run: {problem}",
                        pytrace=False)
        pytest.skip(f"browser tests skipped: {problem}")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Any]:
    # expect() waits 5 s by default; a submit that runs the matcher on two busy
    # shared cores can take longer.
    expect.set_options(timeout=STEP_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# -- the server ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class DeskServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    @property
    def origin(self) -> str:
        return urlsplit(self.url).netloc

    def log_offset(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_since(self, offset: int) -> str:
        with self.log_path.open("rb") as fh:
            fh.seek(offset)
            return fh.read().decode("utf-8", "replace")


def start_server(home: Path, log_path: Path, *, model: str | None = None) -> DeskServer:
    """``streamlit run streamlit_app.py`` on a free port, in its own process group;
    returns once ``/_stcore/health`` answers."""
    port = free_port()
    env = {**os.environ, "FACTDESK_HOME": str(home), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    env.pop("FACTDESK_MODEL", None)
    if model:
        env["FACTDESK_MODEL"] = model
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    server = DeskServer(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n"
                               + server.log_since(0)[-4000:])
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"streamlit did not answer within {SERVER_START_S} s:\n"
                       + server.log_since(0)[-4000:])


def stop_server(server: DeskServer) -> None:
    """Kill the server's whole process group (streamlit and anything it started)."""
    if server.process.poll() is not None:
        return
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=15)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def seeded_desk(tmp_path_factory) -> SeededDesk:
    return seed_desk(tmp_path_factory.mktemp("e2e-desk") / "home")


@pytest.fixture(scope="session")
def desk_server(chromium: Path, seeded_desk: SeededDesk) -> Iterator[DeskServer]:
    server = start_server(seeded_desk.home, ARTIFACTS / "server.log")
    try:
        yield server
    finally:
        stop_server(server)


# -- one page per test --------------------------------------------------------------------

def css_key(key: str) -> str:
    """The CSS class Streamlit gives a keyed element (``docs/UI.md``)."""
    return "st-key-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)


class DeskPage:
    """A Playwright page on the desk, with helpers that speak in widget keys.

    Streamlit reruns asynchronously after every interaction, so the helpers
    wait for what should appear (a heading, a message, a widget), never sleep.
    """

    def __init__(self, page: Any, server: DeskServer, desk: SeededDesk | None,
                 out: Path) -> None:
        self.page, self.server, self.desk, self.out = page, server, desk, out
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page_errors: list[str] = []
        self.console: list[str] = []
        self._shots = 0
        self._signed_in_once = False

    # -- recording --------------------------------------------------------------------

    def on_request(self, request: Any) -> None:
        self.requests.append(request.url)

    def on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def outside_requests(self) -> list[str]:
        """Requests to anything but the desk's own server (``data:``/``blob:`` are local)."""
        return [url for url in self.requests
                if urlsplit(url).scheme not in ("data", "blob")
                and urlsplit(url).netloc != self.server.origin]

    # -- finding things ---------------------------------------------------------------

    def key(self, key: str) -> Any:
        return self.page.locator(f".{css_key(key)}")

    def heading(self, text: str) -> Any:
        return self.page.get_by_role("heading", name=text, exact=True)

    def alert(self, text: str | re.Pattern) -> Any:
        """A message box (success, info, warning, error) containing ``text``."""
        return self.page.get_by_test_id("stAlert").filter(has_text=text)

    # -- acting -------------------------------------------------------------------------

    def open(self, path: str = "") -> None:
        self.page.goto(f"{self.server.url}/{path.lstrip('/')}")
        expect(self.page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']")) \
            .to_have_count(1, timeout=STEP_MS)

    def settle(self, timeout: int = STEP_MS) -> None:
        """Wait until the script run is over and every element has rendered."""
        expect(self.page.locator("[data-testid='stApp'][data-test-script-state='notRunning']")) \
            .to_have_count(1, timeout=timeout)
        expect(self.page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout)

    def sign_in(self, username: str, password: str | None = None) -> None:
        self.fill("signin.username", username, commit=False)
        self.fill("signin.password", password or self.desk.passwords[username], commit=False)
        self.click("signin.submit")
        expect(self.key("app.sign_out")).to_be_visible(
            timeout=FIRST_SIGN_IN_MS if not self._signed_in_once else STEP_MS)
        self._signed_in_once = True
        self.settle()

    def sign_out(self) -> None:
        self.click("app.sign_out")
        expect(self.alert("You have signed out.")).to_be_visible()
        expect(self.key("signin.username")).to_be_visible()

    def nav(self, title: str) -> None:
        """Open a page from the sidebar menu."""
        self.page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
        expect(self.page.get_by_test_id("stSidebarNav").locator("a[aria-current='page']")) \
            .to_have_text(re.compile(re.escape(title)))
        self.settle()

    def expand(self, label: str) -> None:
        """Open a collapsed expander by its label."""
        summary = self.page.get_by_test_id("stExpander").locator("summary").filter(has_text=label)
        summary.click()
        expect(summary.locator("xpath=..")).to_have_attribute("open", "")

    def fill(self, key: str, text: str, *, commit: bool = True) -> None:
        """Type into a text input or text area; ``commit`` moves the focus away so
        Streamlit takes the value (outside forms that starts a rerun)."""
        box = self.key(key).locator("input, textarea").first
        box.fill(text)
        if commit:
            box.press("Tab")

    def choose(self, key: str, option: str, *, exact: bool = True) -> None:
        """Pick one option of a selectbox or multiselect by (part of) its label."""
        box = self.key(key).get_by_role("combobox")
        if exact and box.input_value() == option:
            return              # already chosen (typing it again opens no list)
        box.click()
        box.fill("")
        box.fill(option)
        try:
            expect(self.page.get_by_role("listbox")).to_be_visible(timeout=2_000)
        except AssertionError:
            # The list can close under a rerun that redraws the widget; the arrow
            # key opens it again with the typed filter.
            box.press("ArrowDown")
        choice = self.page.get_by_role("option", name=option, exact=exact)
        expect(choice).to_have_count(1)
        choice.click()
        if self.page.get_by_role("listbox").count():
            self.page.keyboard.press("Escape")

    def click(self, key: str) -> None:
        self.key(key).get_by_role("button").click()

    # -- evidence ---------------------------------------------------------------------------

    def shot(self, name: str, target: Any = None) -> Path:
        """A numbered screenshot of the viewport (scrolled to ``target``) as a test artefact."""
        self.settle()
        if target is not None:
            target.scroll_into_view_if_needed()
        self._shots += 1
        path = self.out / f"{self._shots:02d}-{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def platform_fonts(self, selector: str) -> list[dict]:
        """The fonts Chromium really used to draw the first node matching ``selector``
        (DevTools ``CSS.getPlatformFontsForNode``)."""
        cdp = self.page.context.new_cdp_session(self.page)
        try:
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
            assert node, f"nothing matches {selector}"
            return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        finally:
            cdp.detach()

    def write_logs(self) -> None:
        (self.out / "browser-log.json").write_text(json.dumps({
            "requests": self.requests, "outside_requests": self.outside_requests(),
            "dialogs": self.dialogs, "page_errors": self.page_errors, "console": self.console,
        }, indent=2, ensure_ascii=False), encoding="utf-8")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def desk_page(request, browser, desk_server: DeskServer,
              seeded_desk: SeededDesk) -> Iterator[DeskPage]:
    out = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    log_start = desk_server.log_offset()
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="en-IN",
                                  timezone_id="Asia/Kolkata")
    context.set_default_timeout(STEP_MS)
    page = context.new_page()
    desk_page = DeskPage(page, desk_server, seeded_desk, out)
    context.on("request", desk_page.on_request)
    page.on("dialog", desk_page.on_dialog)
    page.on("pageerror", lambda exc: desk_page.page_errors.append(str(exc)))
    page.on("console", lambda msg: desk_page.console.append(f"{msg.type}: {msg.text}"))
    try:
        yield desk_page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            # The evidence must never hide the failure (the page may be gone).
            with contextlib.suppress(Exception):
                page.screenshot(path=str(out / "failure.png"), full_page=True)
        desk_page.write_logs()
        (out / "server.log").write_text(desk_server.log_since(log_start), encoding="utf-8")
        context.close()
