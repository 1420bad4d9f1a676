"""What the long-running commands share: progress bars on stderr, the engines, services."""
from __future__ import annotations

import contextlib
import sys
from typing import Any, Iterator

import click

from desk.config import Settings
from desk.errors import DeskError
from desk.services import EngineSet, Services, open_services

STAGE_NAMES = {
    "normalise": "Normalising", "embed": "Embedding", "cluster": "Clustering",
    "match": "Matching open claims", "suggest": "Matching the library", "write": "Saving",
    "classify": "Reading messages", "library": "Indexing the library",
    "claims": "Indexing claims", "rebuttals": "Walking rebuttals", "setup": "Preparing",
}


class StageProgress:
    """A ``progress(stage, done, total)`` callback drawing one click bar per stage on stderr."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._stage: str | None = None
        self._bar: Any = None
        self._done = 0

    def __call__(self, *args: Any) -> None:
        if not self.enabled:
            return
        stage = next((a for a in args if isinstance(a, str)), "working")
        numbers = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
        if len(numbers) < 2 or numbers[1] <= 0:
            return
        done, total = numbers[0], numbers[1]
        if stage != self._stage:
            self.close()
            self._stage, self._done = stage, 0
            self._bar = click.progressbar(length=total, label=STAGE_NAMES.get(stage, stage),
                                          file=sys.stderr)
            self._bar.__enter__()
        step = max(0, min(done, total) - self._done)
        if step:
            self._bar.update(step)
            self._done += step

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def engines_for(settings: Settings, *, required: bool) -> EngineSet | None:
    """The configured engines; without them a warning (or, if ``required``, the error)."""
    try:
        return EngineSet.create(settings)
    except DeskError as exc:
        if required:
            raise
        click.echo(f"warning: {exc}; continuing without matching", err=True)
        return None


@contextlib.contextmanager
def services(settings: Settings, engines: EngineSet | None = None) -> Iterator[Services]:
    svc = open_services(settings, engines=engines)
    try:
        yield svc
    finally:
        svc.close()
