"""Resource factories: what the desk loads once per process, and what it opens per run.

* :func:`settings` and :func:`engine_set` are ``st.cache_resource`` objects,
  shared by every session and thread: the settings (immutable) and the
  ``EngineSet`` (the model and the FAISS indexes, thread-safe by contract).
  They are keyed by the environment (``FACTDESK_HOME``, ``FACTDESK_MODEL``,
  ``FACTDESK_BACKEND``), so tests that point those variables elsewhere get
  their own instances; ``FACTDESK_MODEL=fake`` selects the fake embedder.
* A failure to load the engines is remembered (:class:`EngineFailures`): the desk
  runs without matching and tries again at most once every ``ENGINE_RETRY_S``
  seconds, or at once after an administrator's "retry now" (:func:`retry_engines`),
  instead of paying for a broken model on every click.
* :func:`age_in_background` ages the open claims' priority (every few minutes, from
  the triage page) in a daemon thread with its own connection.
* :func:`open_desk` opens one ``Services`` (one SQLite connection) for one
  script run and closes it afterwards.  Connections never go into a cache.
"""
from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import streamlit as st

from desk.config import ENV_BACKEND, ENV_GLOSSARY, ENV_HOME, ENV_MODEL, Settings, load_settings
from desk.services import EngineSet, Services, open_services
from desk.services.installation import init_runtime, secret_path
from desk.ui.catalogue import CATALOGUE
from desk.ui.i18n import LANGUAGES

log = logging.getLogger(__name__)
#: Seconds between attempts to load engines that failed to load.
ENGINE_RETRY_S = 60.0
# Shown before anyone's language is known (the cache decorator runs once per process).
ENGINE_SPINNER = " / ".join(CATALOGUE["app.loading_engine"][lang] for lang in LANGUAGES)


@st.cache_resource(show_spinner=False, max_entries=16)
def _settings_for(home: str, model: str, backend: str, glossary: str) -> Settings:
    return load_settings()


def settings() -> Settings:
    """The desk's settings, loaded once per distinct environment."""
    env = os.environ
    return _settings_for(env.get(ENV_HOME, ""), env.get(ENV_MODEL, ""), env.get(ENV_BACKEND, ""),
                         env.get(ENV_GLOSSARY, ""))


@st.cache_resource(show_spinner=ENGINE_SPINNER, max_entries=8)
def _engine_set_for(home: str, model: str, backend: str, _settings: Settings) -> EngineSet:
    engines = EngineSet.create(_settings)
    # Bring the indexes in line with the database now, behind the spinner, rather
    # than at somebody's first search.
    svc = open_services(_settings, engines=engines)
    try:
        engines.ensure_synced(svc.store)
    finally:
        svc.close()
    prepare_in_background(engines)
    return engines


def prepare_in_background(engines: Any) -> threading.Thread | None:
    """Let the embedder make what it makes on first use (the ONNX export, ~20 s on the
    first start after ``desk demo``) in a daemon thread, not at somebody's first search;
    searches meanwhile use torch.  Returns the thread, or ``None`` if there is nothing
    to prepare (the fake embedder, torch-only backends)."""
    inner = getattr(engines.embedder, "inner", engines.embedder)
    prepare = getattr(inner, "prepare", None)
    if not callable(prepare):
        return None

    def run() -> None:
        try:
            prepare()
        except Exception:  # noqa: BLE001 - searches keep using torch
            log.exception("preparing the embedding model failed")

    thread = threading.Thread(target=run, name="factdesk-embedder-prepare", daemon=True)
    thread.start()
    return thread


@dataclass(frozen=True)
class EngineFailure:
    reason: str
    retry_in: float          # seconds until the next automatic attempt


class EngineFailures:
    """The last failed engine load per environment, so that a broken model costs one
    attempt per ``retry_after`` seconds instead of one per click (each took > 30 s)."""

    def __init__(self, *, retry_after: float = ENGINE_RETRY_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.retry_after = retry_after
        self.clock = clock
        self._failed: dict[tuple[str, ...], tuple[str, float]] = {}
        self._lock = threading.Lock()
        # One attempt at a time: sessions clicking while the engines load wait for that
        # attempt's outcome instead of starting their own.
        self.attempt_lock = threading.Lock()

    def blocked(self, key: tuple[str, ...]) -> EngineFailure | None:
        """The recorded failure while its back-off lasts, else ``None`` (try again)."""
        with self._lock:
            failed = self._failed.get(key)
        if failed is None:
            return None
        left = failed[1] + self.retry_after - self.clock()
        return EngineFailure(failed[0], left) if left > 0 else None

    def record(self, key: tuple[str, ...], reason: str) -> None:
        with self._lock:
            self._failed[key] = (reason, self.clock())

    def clear(self, key: tuple[str, ...]) -> None:
        with self._lock:
            self._failed.pop(key, None)


@st.cache_resource(show_spinner=False)
def engine_failures() -> EngineFailures:
    """The process's record of failed engine loads (shared by every session)."""
    return EngineFailures()


def _engine_key(settings: Settings) -> tuple[str, ...]:
    return (str(settings.home), settings.model, settings.backend)


def engine_set(settings: Settings, *, failures: EngineFailures | None = None
               ) -> tuple[EngineSet | None, str | None]:
    """``(EngineSet, None)``, or ``(None, reason)`` when matching is unavailable
    (the desk still works: intake falls back to exact-key deduplication).  After a
    failure the reason is returned at once until the back-off ends."""
    failures = failures or engine_failures()
    key = _engine_key(settings)
    blocked = failures.blocked(key)
    if blocked is not None:
        return None, blocked.reason
    with failures.attempt_lock:
        blocked = failures.blocked(key)       # another session's attempt just failed
        if blocked is not None:
            return None, blocked.reason
        try:
            engines = _engine_set_for(str(settings.home), settings.model, settings.backend,
                                      settings)
        except Exception as exc:  # noqa: BLE001 - a broken model must not take the desk down
            log.exception("matching engine unavailable; next attempt in %.0f s",
                          failures.retry_after)
            reason = f"{type(exc).__name__}: {exc}"
            failures.record(key, reason)
            return None, reason
    failures.clear(key)
    return engines, None


def retry_engines(settings: Settings, *, failures: EngineFailures | None = None) -> None:
    """Forget the last failure: the next page run loads the engines again ("retry now")."""
    (failures or engine_failures()).clear(_engine_key(settings))


class Ageing:
    """At most one background ageing of the claims' priority per desk in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, threading.Thread] = {}

    def start(self, settings: Settings) -> threading.Thread | None:
        home = str(settings.home)
        with self._lock:
            running = self._running.get(home)
            if running is not None and running.is_alive():
                return None
            thread = threading.Thread(target=_age, args=(settings,), daemon=True,
                                      name="factdesk-ageing")
            self._running[home] = thread
            thread.start()
            return thread


@st.cache_resource(show_spinner=False)
def ageing() -> Ageing:
    """The process's background ageing (shared by every session)."""
    return Ageing()


def _age(settings: Settings) -> None:
    try:
        svc = open_services(settings)
        try:
            changed = svc.claims.age_if_due()
        finally:
            svc.close()
        if changed is not None:
            log.info("aged the priority of open claims (%d changed)", changed)
    except Exception:  # noqa: BLE001 - the next due check tries again
        log.exception("ageing the claims' priority failed")


def age_in_background(settings: Settings, svc: Services, *,
                      runner: Ageing | None = None) -> threading.Thread | None:
    """Start ageing the open claims' priority in a daemon thread (its own connection)
    when it is due: on a large desk it takes seconds, which no page view should wait
    for.  Returns the thread, or ``None`` when not due or already running."""
    if not svc.claims.ageing_due():
        return None
    return (runner or ageing()).start(settings)


@contextlib.contextmanager
def open_desk(settings: Settings, engines: EngineSet | None = None) -> Iterator[Services]:
    """Services for one script run; the runtime directory is created on first use."""
    if not secret_path(settings).exists():
        init_runtime(settings)
    svc = open_services(settings, engines=engines)
    try:
        yield svc
    finally:
        svc.close()
