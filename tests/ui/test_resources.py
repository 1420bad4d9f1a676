"""What the desk loads once per process: the embedder prepares itself (the ONNX export)
in the background instead of at somebody's first search."""
from __future__ import annotations

import logging
import threading
from types import SimpleNamespace

from desk.ui.resources import prepare_in_background
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
