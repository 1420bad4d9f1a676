"""Searches running while other threads add, remove, rebuild and save (this segfaulted before)."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from index.rwlock import RWLock
from index.vectors import VectorIndex

DIM = 32
PERMANENT = 3000
STEPS = 300


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def run_threads(targets: list, timeout: float = 120.0) -> list[BaseException]:
    errors: list[BaseException] = []

    def wrap(fn):
        def inner():
            try:
                fn()
            except BaseException as exc:  # reported by the test
                errors.append(exc)
        return inner

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "thread hung"
    return errors


@pytest.mark.parametrize("exact_max,retrain_factor", [
    (100_000, 4.0),   # exact index, in-place updates
    (1_000, 4.0),     # IVF, in-place updates
    (1_000, 1.05),    # IVF that keeps retraining: build-and-swap during searches
])
@pytest.mark.parametrize("repeat", range(3))
def test_searches_stay_correct_while_writers_change_the_index(exact_max, retrain_factor, repeat, tmp_path):
    rng = np.random.default_rng(repeat)
    permanent = unit(rng.standard_normal((PERMANENT, DIM)))
    vi = VectorIndex(DIM, exact_max=exact_max, retrain_factor=retrain_factor)
    # Doomed items sit before the permanent ones in storage, so removing them moves
    # the permanent vectors around while searches read them.
    doomed = list(range(10**8, 10**8 + 1000))
    vi.build(np.concatenate([doomed, np.arange(PERMANENT)]),
             np.concatenate([unit(rng.standard_normal((1000, DIM))), permanent]))
    # IVF stores vectors in half precision by default: a self-match scores 1 ± ~2e-4.
    tol = 2e-3 if vi.storage == "float16" else 1e-4
    removed: set[int] = set()        # ids whose remove() has returned
    removed_lock = threading.Lock()
    done = threading.Event()
    checked = [0]

    def searcher(seed: int):
        local = np.random.default_rng(seed)
        while not done.is_set():
            picks = local.integers(0, PERMANENT, size=4)
            with removed_lock:
                gone_before = set(removed)
            results = vi.search(permanent[picks], 10)
            for pick, row in zip(picks, results):
                assert row[0][0] == int(pick), "a permanent item lost its own nearest slot"
                assert row[0][1] == pytest.approx(1.0, abs=tol)
                assert not gone_before & {i for i, _ in row}, "a removed id was returned"
                scores = [s for _, s in row]
                assert scores == sorted(scores, reverse=True)
            checked[0] += 1

    def writer():
        next_id = 10**9
        live: list[int] = []
        try:
            for step in range(STEPS):
                batch = np.arange(next_id, next_id + 20)
                next_id += 20
                vi.add(batch, unit(rng.standard_normal((20, DIM))))
                live.extend(batch.tolist())
                if step % 2 == 1:
                    victims, live[:] = live[:20], live[20:]
                    victims += doomed[:3]
                    del doomed[:3]
                    vi.remove(victims)
                    with removed_lock:
                        removed.update(victims)
                if step % 50 == 49:
                    vi.save(tmp_path / "idx", model_id="m", watermark=step)
        finally:
            done.set()
        assert vi.ids() == set(range(PERMANENT)) | set(live) | set(doomed)

    errors = run_threads([writer] + [lambda s=s: searcher(s) for s in range(6)])
    assert not errors, errors[0]
    assert checked[0] > 20
    loaded = VectorIndex.load(tmp_path / "idx", model_id="m", dim=DIM)
    assert loaded.ok and loaded.manifest.watermark == STEPS - 1


def test_remove_is_visible_to_every_search_that_starts_after_it_returns():
    rng = np.random.default_rng(7)
    data = unit(rng.standard_normal((2000, DIM)))
    vi = VectorIndex(DIM, exact_max=500)
    vi.build(np.arange(2000), data)
    for victim in range(0, 200, 7):
        vi.remove([victim])
        row = vi.search(data[[victim]], 5)[0]
        assert victim not in {i for i, _ in row}


def test_rwlock_lets_readers_share_and_writers_exclude():
    lock = RWLock()
    inside = {"readers": 0, "writers": 0, "max_readers": 0}
    guard = threading.Lock()
    violations: list[str] = []

    def reader():
        for _ in range(200):
            with lock.read():
                with guard:
                    inside["readers"] += 1
                    inside["max_readers"] = max(inside["max_readers"], inside["readers"])
                    if inside["writers"]:
                        violations.append("reader with writer")
                time.sleep(0.0001)
                with guard:
                    inside["readers"] -= 1

    def writer():
        for _ in range(50):
            with lock.write():
                with guard:
                    inside["writers"] += 1
                    if inside["readers"] or inside["writers"] > 1:
                        violations.append("writer not alone")
                time.sleep(0.0001)
                with guard:
                    inside["writers"] -= 1

    errors = run_threads([reader] * 6 + [writer] * 2)
    assert not errors and not violations
    assert inside["max_readers"] > 1  # readers really ran together


def test_waiting_writer_is_not_starved_by_a_stream_of_readers():
    lock = RWLock()
    stop = threading.Event()
    wrote = threading.Event()

    def reader():
        while not stop.is_set():
            with lock.read():
                time.sleep(0.001)

    def writer():
        time.sleep(0.05)
        with lock.write():
            wrote.set()

    threads = [threading.Thread(target=reader) for _ in range(4)] + [threading.Thread(target=writer)]
    for t in threads:
        t.start()
    got_in = wrote.wait(timeout=5)
    stop.set()
    for t in threads:
        t.join(5)
    assert got_in


def test_small_searches_go_single_threaded_without_touching_other_threads():
    import faiss

    rng = np.random.default_rng(3)
    data = unit(rng.standard_normal((500, DIM)))
    vi = VectorIndex(DIM)
    vi.build(np.arange(500), data)
    before = faiss.omp_get_max_threads()
    seen: dict[str, int] = {}

    def worker():
        vi.search(data[:1], 5)
        seen["after_one_query"] = faiss.omp_get_max_threads()

    errors = run_threads([worker])
    assert not errors
    assert seen["after_one_query"] == 1
    assert faiss.omp_get_max_threads() == before  # the main thread kept its setting
