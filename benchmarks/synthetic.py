"""Synthetic claims at scale: clustered vectors and matching short texts.

Real claim collections are not uniform noise: the same story arrives again and
again as near-duplicate forwards, stories gather under a few hot topics, and
topics sit in an anisotropic region of the embedding space.  The generator
mirrors that with three levels:

* **topic** centres, each a real claim embedding (from the benchmark data,
  encoded once by the real model) moved a little (cosine ~0.85 to its seed);
* **stories** around a topic (cosine ~0.8), topics drawn with Zipf-like skew;
* **items**, variants of a story (cosine 0.75-0.98: from near-identical forwards
  to loose paraphrases).

Queries are 60 % new variants of stored stories (cosine 0.75-0.95: "the same
forward again"), 25 % new stories in a known topic (related, no near duplicate)
and 15 % claims from topics not in the index at all.
Everything is deterministic for a given ``seed``; vectors are produced in
chunks, in random order, so a 1M-item index never needs a second full copy.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

ITEMS_PER_STORY = 10
STORIES_PER_TOPIC = 10


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _sigma(cos: np.ndarray | float, dim: int) -> np.ndarray | float:
    """Per-dimension noise that moves a unit vector to about ``cos`` from where it was."""
    return np.sqrt((1.0 / np.square(cos) - 1.0) / dim)


def _jitter(base: np.ndarray, cos: np.ndarray | float, rng: np.random.Generator) -> np.ndarray:
    dim = base.shape[-1]
    sigma = np.asarray(_sigma(cos, dim), dtype=np.float32)
    if sigma.ndim == 1:
        sigma = sigma[:, None]
    return _unit(base + rng.standard_normal(base.shape, dtype=np.float32) * sigma)


def bench_texts(bench_dir: Path) -> list[str]:
    """Real claim texts from the shared benchmark data (never copied into the repo)."""
    texts: list[str] = []
    hi = bench_dir / "hi-dev"
    for name in ("facts.jsonl", "distractors.jsonl", "queries.jsonl"):
        path = hi / name
        if path.is_file():
            texts += [json.loads(line)["text"] for line in path.open(encoding="utf-8") if line.strip()]
    clef = bench_dir / "clef2020-checkthat-task2-en"
    docs = clef / "verified_claims.docs.tsv"
    if docs.is_file():
        with docs.open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh, delimiter="\t")
            next(rows, None)
            texts += [row[1] for row in rows if len(row) > 1 and row[1].strip()]
    for split in ("train", "dev", "test"):
        path = clef / split / "tweets.queries.tsv"
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as fh:
                rows = csv.reader(fh, delimiter="\t")
                next(rows, None)
                texts += [row[1] for row in rows if len(row) > 1 and row[1].strip()]
    return texts


def short_claims(bench_dir: Path) -> list[str]:
    """Short claim-like texts for throughput runs: hi-dev queries and CLEF tweets."""
    out = [json.loads(line)["text"] for line in (bench_dir / "hi-dev" / "queries.jsonl").open(encoding="utf-8")
           if line.strip()]
    clef = bench_dir / "clef2020-checkthat-task2-en"
    for split in ("train", "dev", "test"):
        with (clef / split / "tweets.queries.tsv").open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh, delimiter="\t")
            next(rows, None)
            out += [row[1] for row in rows if len(row) > 1]
    return out


def seed_vectors(embedder, bench_dir: Path | None, cache_dir: Path, *, dim: int = 384) -> np.ndarray:
    """Topic seeds: real claim embeddings, cached in ``cache_dir`` after the first run.

    Without benchmark data (or an embedder) the seeds are synthetic but still
    anisotropic: a shared direction plus a low-rank spread, as sentence
    embeddings are.
    """
    if embedder is not None and bench_dir is not None and bench_dir.is_dir():
        cache = Path(cache_dir) / f"seeds-{_slug(embedder.model_id)}.npy"
        if cache.is_file():
            return np.load(cache)
        texts = bench_texts(bench_dir)
        vecs = np.concatenate([embedder.encode(texts[i:i + 512], batch=True)
                               for i in range(0, len(texts), 512)])
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, vecs)
        return vecs
    rng = np.random.default_rng(7)
    shared = _unit(rng.standard_normal(dim))
    basis = rng.standard_normal((24, dim)).astype(np.float32)
    codes = rng.standard_normal((4096, 24)).astype(np.float32)
    return _unit(0.6 * shared + 0.25 * codes @ basis / np.sqrt(24)
                 + 0.2 * rng.standard_normal((4096, dim)).astype(np.float32))


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)[-60:]


@dataclass
class ClaimSpace:
    """The topic and story structure behind ``n`` synthetic items."""

    n: int
    topics: np.ndarray          # (T, dim) float32
    stories: np.ndarray         # (S, dim) float16: the big level, kept compact
    story_topic: np.ndarray     # (S,) topic of each story
    seed: int

    @classmethod
    def create(cls, n: int, seeds: np.ndarray, *, seed: int = 0) -> "ClaimSpace":
        rng = np.random.default_rng(seed)
        dim = seeds.shape[1]
        n_stories = max(1, n // ITEMS_PER_STORY)
        n_topics = max(1, n_stories // STORIES_PER_TOPIC)
        base = seeds[rng.permutation(len(seeds))[np.arange(n_topics) % len(seeds)]]
        topics = _jitter(base, 0.85, rng)
        weights = 1.0 / np.power(np.arange(n_topics) + 10.0, 0.8)
        story_topic = rng.choice(n_topics, size=n_stories, p=weights / weights.sum())
        stories = np.empty((n_stories, dim), dtype=np.float16)
        for start in range(0, n_stories, 65_536):
            part = story_topic[start:start + 65_536]
            stories[start:start + len(part)] = _jitter(topics[part], 0.8, rng)
        return cls(n, topics, stories, story_topic, seed)

    @property
    def dim(self) -> int:
        return int(self.topics.shape[1])

    def item_story(self, ids: np.ndarray) -> np.ndarray:
        """Story of item ``i`` (a fixed pseudo-random map, so order does not matter)."""
        mixed = (ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(20)
        return (mixed % np.uint64(len(self.stories))).astype(np.int64)

    def chunks(self, chunk: int = 65_536) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """``(ids, vectors)`` for items ``0..n-1``, chunk by chunk."""
        for start in range(0, self.n, chunk):
            ids = np.arange(start, min(start + chunk, self.n), dtype=np.int64)
            yield ids, self.vectors(ids)

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng([self.seed, 1, int(ids[0]) if len(ids) else 0, len(ids)])
        cos = rng.uniform(0.75, 0.98, size=len(ids))
        return _jitter(self.stories[self.item_story(ids)].astype(np.float32), cos, rng)

    def queries(self, count: int, *, seed: int = 1) -> np.ndarray:
        """Incoming claims: variants of stored stories, new stories, unrelated claims."""
        rng = np.random.default_rng([self.seed, 2, seed])
        kind = rng.choice(3, size=count, p=[0.60, 0.25, 0.15])
        out = np.empty((count, self.dim), dtype=np.float32)
        known = kind == 0
        stories = self.item_story(rng.integers(0, self.n, size=int(known.sum())))
        out[known] = _jitter(self.stories[stories].astype(np.float32),
                             rng.uniform(0.75, 0.95, size=len(stories)), rng)
        related = kind == 1
        topics = rng.integers(0, len(self.topics), size=int(related.sum()))
        out[related] = _jitter(self.topics[topics], 0.8, rng)
        unrelated = kind == 2
        # Random mixtures of two topics: plausible claims that are about neither.
        pairs = rng.integers(0, len(self.topics), size=(int(unrelated.sum()), 2))
        out[unrelated] = _jitter(_unit(self.topics[pairs[:, 0]] + self.topics[pairs[:, 1]]), 0.7, rng)
        return out


# -- texts --------------------------------------------------------------------------------

PLACES = [
    ("Lucknow", "लखनऊ"), ("Jaipur", "जयपुर"), ("Patna", "पटना"), ("Varanasi", "वाराणसी"),
    ("Kanpur", "कानपुर"), ("Agra", "आगरा"), ("Meerut", "मेरठ"), ("Prayagraj", "प्रयागराज"),
    ("Jodhpur", "जोधपुर"), ("Udaipur", "उदयपुर"), ("Kota", "कोटा"), ("Ajmer", "अजमेर"),
    ("Delhi", "दिल्ली"), ("Noida", "नोएडा"), ("Gorakhpur", "गोरखपुर"), ("Bikaner", "बीकानेर"),
    ("Aligarh", "अलीगढ़"), ("Bareilly", "बरेली"), ("Jhansi", "झांसी"), ("Alwar", "अलवर"),
]
SUBJECTS = [
    ("ration card", "राशन कार्ड"), ("EVM", "ईवीएम"), ("voter ID", "वोटर आईडी"),
    ("gas cylinder", "गैस सिलेंडर"), ("pension", "पेंशन"), ("electricity bill", "बिजली बिल"),
    ("polling booth", "मतदान केंद्र"), ("free laptop", "मुफ्त लैपटॉप"), ("bank account", "बैंक खाता"),
    ("exam result", "परीक्षा परिणाम"), ("petrol price", "पेट्रोल की कीमत"), ("farm loan", "किसान कर्ज"),
]
TEMPLATES_HI = [
    "{place} में {n} तारीख से {subject} बंद हो जाएगा, सरकार का नया आदेश",
    "वायरल दावा: {place} के {subject} में {n} हजार रुपये मिलेंगे",
    "{subject} को लेकर {place} में {n} लोगों पर कार्रवाई की खबर झूठी है",
    "{place}: {n} अप्रैल तक {subject} नहीं बनवाया तो नाम कट जाएगा",
]
TEMPLATES_HINGLISH = [
    "{place} me {n} tarikh se {subject} band ho jayega kya? sach h ya fake",
    "bhai {place} wale dhyan do, {subject} ke liye {n} rupay maang rahe h",
    "{subject} ka naya rule {place} me {n} se lagu hoga, forward karo sabko",
    "suna h {place} me {subject} pe {n} hazar milenge, koi confirm karo",
]
TEMPLATES_EN = [
    "{subject} will be stopped in {place} from the {n}th, says viral message",
    "Viral: {n} people in {place} arrested over {subject}, police deny it",
    "Claim that {place} residents get Rs {n} for {subject} is false",
    "Forwarded as received: {subject} rule changes in {place} on {n} April",
]


def claim_text(item: int, story: int) -> str:
    """A short claim for an item: its story fixes language, template and subject;
    the item varies place and number, as forwards of one story do."""
    h = (story * 2654435761) & 0xFFFFFFFF
    lang = h % 20
    subject = SUBJECTS[(h >> 5) % len(SUBJECTS)]
    place = PLACES[(story + item * 7) % len(PLACES)] if item % 3 == 0 else PLACES[(h >> 9) % len(PLACES)]
    n = 5 + (h >> 13) % 25 + (item % 4 == 0) * (item % 7)
    if lang < 8:
        template = TEMPLATES_HI[(h >> 17) % len(TEMPLATES_HI)]
        return template.format(place=place[1], subject=subject[1], n=n)
    if lang < 15:
        template = TEMPLATES_HINGLISH[(h >> 17) % len(TEMPLATES_HINGLISH)]
        return template.format(place=place[0], subject=subject[0], n=n)
    template = TEMPLATES_EN[(h >> 17) % len(TEMPLATES_EN)]
    return template.format(place=place[0], subject=subject[0], n=n)


def texts_for(space: ClaimSpace, ids: np.ndarray) -> list[str]:
    return [claim_text(int(i), int(s)) for i, s in zip(ids, space.item_story(ids))]
