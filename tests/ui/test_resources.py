"""What the desk loads once per process: the embedder prepares itself (the ONNX export)
in the background instead of at somebody's first search, and engines that fail to load
are tried again once a minute (or when an administrator says so), not on every click."""
from __future__ import annotations

import logging
import threading
from types import SimpleNamespace

import pytest

from desk.services import EngineSet
from desk.ui import resources
from desk.ui.resources import EngineFailures, engine_set, prepare_in_background, retry_engines
from index.embedding import FakeEmbedder


class _Inner:
    def __init__(self, *, fail: bool = False) -> None:
        self.started, self.release, self.done, self.fail = (threading.Event(), threading.Event(),
                                                            False, fail)

    def prepare(self) -> None:
        self.started.set()
        self.release.wait(10)
        if self.fail:
            raise RuntimeError("export exploded")
        self.done = True


def test_the_embedder_is_prepared_without_holding_up_the_caller():
    inner = _Inner()
    thread = prepare_in_background(SimpleNamespace(embedder=SimpleNamespace(inner=inner)))
    assert thread is not None and thread.daemon
    assert inner.started.wait(10) and thread.is_alive()     # still exporting; we returned
    inner.release.set()
    thread.join(10)
    assert inner.done


def test_an_embedder_without_preparation_starts_nothing():
    assert prepare_in_background(SimpleNamespace(embedder=FakeEmbedder())) is None


def test_a_failed_preparation_is_logged_not_raised(caplog):
    inner = _Inner(fail=True)
    inner.release.set()
    with caplog.at_level(logging.ERROR):
        thread = prepare_in_background(SimpleNamespace(embedder=SimpleNamespace(inner=inner)))
        thread.join(10)
    assert "preparing the embedding model failed" in caplog.text and not inner.done


# -- a broken model: one attempt a minute, not one per click ---------------------------------

class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def broken(monkeypatch, tmp_path):
    """``_engine_set_for`` that fails (counting attempts) until ``heal()``."""
    state = {"attempts": 0, "healed": False}
    engines = object()

    def load(home, model, backend, settings):
        state["attempts"] += 1
        if not state["healed"]:
            raise OSError("model file truncated")
        return engines

    monkeypatch.setattr(resources, "_engine_set_for", load)
    settings = SimpleNamespace(home=tmp_path, model="bundled", backend="auto")
    return state, settings, engines


def test_a_failed_load_is_not_retried_on_every_click(broken):
    state, settings, engines = broken
    clock = _Clock()
    failures = EngineFailures(retry_after=60, clock=clock)
    assert engine_set(settings, failures=failures) == (None, "OSError: model file truncated")
    for _ in range(5):                                   # clicks during the back-off
        clock.now += 10
        assert engine_set(settings, failures=failures) == (None, "OSError: model file truncated")
    assert state["attempts"] == 1
    clock.now += 11                                      # a minute after the failure
    engine_set(settings, failures=failures)
    assert state["attempts"] == 2
    state["healed"] = True
    clock.now += 30
    assert engine_set(settings, failures=failures)[0] is None and state["attempts"] == 2
    retry_engines(settings, failures=failures)           # the administrator's "retry now"
    assert engine_set(settings, failures=failures) == (engines, None)
    assert state["attempts"] == 3
    assert failures.blocked(("x",)) is None


def test_concurrent_sessions_share_one_attempt(broken):
    state, settings, _ = broken
    failures = EngineFailures(retry_after=60, clock=_Clock())
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(
        engine_set(settings, failures=failures))) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    assert state["attempts"] == 1 and len(results) == 4
    assert {reason for _, reason in results} == {"OSError: model file truncated"}


def test_the_desk_backs_off_and_an_admin_can_retry_now(desk, seeded, monkeypatch, tmp_path):
    monkeypatch.setenv("FACTDESK_MODEL", str(tmp_path / "no-such-model"))
    attempts: list[int] = []
    create = EngineSet.create.__func__

    def counting(cls, settings, **kw):
        attempts.append(1)
        return create(cls, settings, **kw)

    monkeypatch.setattr(EngineSet, "create", classmethod(counting))
    at = desk.app("fact_checker")
    assert any("tries again every minute" in desk.shown(w.value) for w in at.sidebar.warning)
    at.run()
    desk.goto(at, "claim")
    assert not at.exception and len(attempts) == 1       # three runs, one attempt
    admin = desk.app("admin", page="admin")
    assert len(attempts) == 1
    admin.button(key="admin.retry_engines").click().run()
    assert not admin.exception and len(attempts) == 2


# -- ageing the priorities off the page's path --------------------------------------------------

def _stamp(svc):
    from desk.services.claims import AGED_AT
    from desk.store import settings as settings_repo

    found = settings_repo.get(svc.store, AGED_AT)
    return found[0] if found else None


def test_priorities_age_in_the_background_once_due(desk, seeded):
    from desk.config import load_settings

    settings = load_settings()
    runner = resources.Ageing()
    assert _stamp(desk.svc) is None
    thread = resources.age_in_background(settings, desk.svc, runner=runner)
    assert thread is not None
    thread.join(30)
    assert _stamp(desk.svc) is not None                  # aged, by its own connection
    assert resources.age_in_background(settings, desk.svc, runner=runner) is None   # not due


def test_the_triage_page_starts_the_ageing(desk, seeded):
    import time

    at = desk.app("editor", page="triage")
    assert not at.exception
    deadline = time.monotonic() + 30
    while _stamp(desk.svc) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _stamp(desk.svc) is not None
