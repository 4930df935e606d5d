"""The index: corpus folder → catalog + vector store, kept in step incrementally.

``sync`` compares each file's size and mtime with the catalog, hashes only files whose metadata
moved, and re-chunks only files whose content changed. Chunk ids are content hashes, so an
edited file re-embeds only the chunks whose text changed, and a sync resumed after a crash
re-embeds nothing that reached the vector store. Nothing here imports torch or Chroma until
there is work that needs them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from policybrief.catalog import Catalog, DocumentUpdate, FileState
from policybrief.chunking import chunk_document, embedding_prefix, sha
from policybrief.config import ChunkingSettings
from policybrief.embedders import Embedder
from policybrief.errors import LoadError
from policybrief.loaders import LOADERS, load_document
from policybrief.store import ChromaStore, VectorStore
from policybrief.types import Chunk, DocumentInfo

# Bump when loaders or the chunker produce different text: every file is re-read, and only
# chunks whose text changed are embedded again.
CHUNK_SCHEME = 2
# Bump when the text sent to the embedder for a chunk changes form: every vector is redone.
EMBED_SCHEME = 1
EMBED_BATCH = 256  # chunks per encode call; the model batches further inside

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class CorpusFile:
    doc_id: str  # path relative to the corpus folder, with forward slashes
    path: Path
    display: str  # path shown to users (relative to the project when inside it)
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class CorpusDiff:
    """How the corpus folder differs from the catalog, judged by file metadata alone."""

    new: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()  # size or mtime moved: hash to know whether content did
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()


def diff_corpus(
    files: dict[str, tuple[int, int]], known: dict[str, FileState], *, rebuild: bool = False
) -> CorpusDiff:
    """Compare (size, mtime_ns) per document id with what the catalog recorded."""
    new, modified, unchanged = [], [], []
    for doc_id, (size, mtime_ns) in sorted(files.items()):
        state = known.get(doc_id)
        if state is None:
            new.append(doc_id)
        elif rebuild or (state.size, state.mtime_ns) != (size, mtime_ns):
            modified.append(doc_id)
        else:
            unchanged.append(doc_id)
    removed = sorted(set(known) - set(files))
    return CorpusDiff(tuple(new), tuple(modified), tuple(removed), tuple(unchanged))


def scan_corpus(corpus: Path, project_root: Path) -> tuple[list[CorpusFile], list[str]]:
    """Supported files under ``corpus`` (hidden ones skipped) and the unsupported ones seen."""
    files: list[CorpusFile] = []
    ignored: list[str] = []
    for path in sorted(_walk(corpus)):
        doc_id = path.relative_to(corpus).as_posix()
        try:
            display = path.relative_to(project_root).as_posix()
        except ValueError:
            display = str(path)
        if path.suffix.lower() not in LOADERS:
            ignored.append(display)
            continue
        stat = path.stat()
        files.append(CorpusFile(doc_id, path, display, stat.st_size, stat.st_mtime_ns))
    return files, ignored


def _walk(folder: Path) -> Iterator[Path]:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(Path(entry.path))
            elif entry.is_file():
                yield Path(entry.path)


def settings_fingerprint(model_id: str, chunking: ChunkingSettings) -> str:
    """Everything that decides what the index holds; when it changes, everything is redone."""
    return json.dumps(
        {
            "model": model_id,
            "scheme": CHUNK_SCHEME,
            "max_tokens": chunking.max_tokens,
            "overlap_tokens": chunking.overlap_tokens,
        },
        sort_keys=True,
    )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # display path → reason
    ignored: list[str] = field(default_factory=list)  # unsupported file types
    embedded: int = 0  # chunks sent to the embedder in this sync
    documents: int = 0
    chunks: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass
class IndexStatus:
    location: str
    model_id: str
    documents: int
    chunks: int
    diff: CorpusDiff
    skipped: dict[str, str]
    settings_changed: bool

    @property
    def up_to_date(self) -> bool:
        d = self.diff
        return not (d.new or d.modified or d.removed or self.settings_changed)


class Index:
    """Catalog + vector store for one project, under its index folder."""

    def __init__(
        self,
        state_dir: Path,
        embedder: Embedder,
        chunking: ChunkingSettings,
        project_root: Path,
        store_factory: Callable[[Path, str], VectorStore] = ChromaStore,
    ) -> None:
        self.state_dir = state_dir
        self.embedder = embedder
        self.chunking = chunking
        self.project_root = project_root
        self.catalog = Catalog(state_dir / "catalog.sqlite")
        self._store_factory = store_factory
        self._store: VectorStore | None = None

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        self.catalog.close()

    # -- identity of what is stored ---------------------------------------------------------

    @property
    def collection_name(self) -> str:
        """One collection per model: vectors of different models never mix."""
        return "pb_" + sha(f"{self.embedder.model_id}\x00{EMBED_SCHEME}", 16)

    @property
    def settings_key(self) -> str:
        return settings_fingerprint(self.embedder.model_id, self.chunking)

    @property
    def store(self) -> VectorStore:
        if self._store is None:
            self._store = self._store_factory(self.state_dir / "chroma", self.collection_name)
        return self._store

    # -- reading ----------------------------------------------------------------------------

    def documents(self) -> dict[str, DocumentInfo]:
        return self.catalog.documents()

    def chunks(self, chunk_ids: Sequence[str]) -> dict[str, Chunk]:
        return self.catalog.chunks(chunk_ids)

    def is_empty(self) -> bool:
        return self.catalog.counts()[1] == 0

    def mirrored_corpus(self) -> Path | None:
        """The folder the last sync mirrored, if any."""
        recorded = self.catalog.get_meta("corpus")
        return Path(recorded) if recorded else None

    def status(self, corpus: Path) -> IndexStatus:
        files, _ = scan_corpus(corpus, self.project_root) if corpus.is_dir() else ([], [])
        known = self.catalog.file_states()
        settings_changed = bool(known) and self.catalog.get_meta("settings") != self.settings_key
        diff = diff_corpus({f.doc_id: (f.size, f.mtime_ns) for f in files}, known)
        by_id = {f.doc_id: f for f in files}
        really_modified = tuple(
            d for d in diff.modified if file_sha256(by_id[d].path) != known[d].sha256
        )
        documents, chunks = self.catalog.counts()
        return IndexStatus(
            location=str(self.state_dir),
            model_id=self.catalog.get_meta("model", self.embedder.model_id),
            documents=documents,
            chunks=chunks,
            diff=CorpusDiff(diff.new, really_modified, diff.removed, diff.unchanged),
            skipped=self.catalog.skipped(),
            settings_changed=settings_changed,
        )

    # -- writing ----------------------------------------------------------------------------

    def sync(self, corpus: Path, progress: ProgressCallback | None = None) -> SyncReport:
        """Make the index mirror ``corpus``: add, update and remove what changed."""
        files, ignored = scan_corpus(corpus, self.project_root)
        by_id = {f.doc_id: f for f in files}
        known = self.catalog.file_states()
        rebuild = self.catalog.get_meta("settings") != self.settings_key
        diff = diff_corpus({f.doc_id: (f.size, f.mtime_ns) for f in files}, known, rebuild=rebuild)
        report = SyncReport(unchanged=len(diff.unchanged), ignored=ignored)

        to_load = list(diff.new)
        touched: list[tuple[str, int, int]] = []
        digests: dict[str, str] = {}
        for doc_id in diff.modified:
            file = by_id[doc_id]
            digests[doc_id] = file_sha256(file.path)
            if digests[doc_id] == known[doc_id].sha256 and not rebuild:
                touched.append((doc_id, file.size, file.mtime_ns))
                report.unchanged += 1
            else:
                to_load.append(doc_id)
        pending = self.catalog.pending_deletes()
        interrupted = self.catalog.get_meta("sync_in_progress") == "1"
        if not (to_load or diff.removed or touched or pending or interrupted or rebuild):
            report.documents, report.chunks = self.catalog.counts()
            report.skipped = self.catalog.skipped()
            return report

        store = self.store
        self.catalog.set_meta("sync_in_progress", "1")
        if interrupted:  # a previous sync died: drop vectors that no catalog entry owns
            pending = sorted(set(pending) | (store.all_ids() - self.catalog.chunk_ids()))
        if pending:
            store.delete(pending)
            self.catalog.clear_pending_deletes(pending)

        updates = [self._load(by_id[doc_id], digests.get(doc_id)) for doc_id in sorted(to_load)]
        for update in updates:
            if update.state.error:
                report.skipped[update.info.path] = update.state.error
            elif update.doc_id in known and not known[update.doc_id].error:
                report.updated.append(update.info.path)
            else:
                report.added.append(update.info.path)
        report.removed = sorted(diff.removed)
        report.embedded = self._embed_missing(updates, progress)

        new_ids = {c.chunk_id for u in updates for c in u.chunks}
        replaced = [*diff.removed, *(u.doc_id for u in updates)]
        stale = sorted(self.catalog.chunk_ids(replaced) - new_ids)
        self.catalog.publish(
            updates,
            diff.removed,
            touched,
            stale,
            {
                "settings": self.settings_key,
                "model": self.embedder.model_id,
                "collection": self.collection_name,
                "corpus": str(corpus),
                "sync_in_progress": "0",
            },
        )
        if stale:
            store.delete(stale)
            self.catalog.clear_pending_deletes(stale)
        if rebuild and isinstance(store, ChromaStore):
            store.drop_other_collections()
        report.documents, report.chunks = self.catalog.counts()
        report.skipped = self.catalog.skipped()
        return report

    def _load(self, file: CorpusFile, digest: str | None) -> DocumentUpdate:
        """Load and chunk one file; a file that fails becomes a skipped entry with its reason."""
        state = FileState(file.size, file.mtime_ns, digest or file_sha256(file.path))
        try:
            document = load_document(file.path, file.doc_id, file.display)
        except LoadError as exc:
            failed = FileState(state.size, state.mtime_ns, state.sha256, exc.reason)
            return DocumentUpdate(file.doc_id, failed, DocumentInfo(file.doc_id, file.display, ""))
        chunks = chunk_document(
            document,
            self.embedder.count_tokens,
            model_max_tokens=self.embedder.max_tokens,
            max_tokens=self.chunking.max_tokens,
            overlap_tokens=self.chunking.overlap_tokens,
        )
        return DocumentUpdate(file.doc_id, state, DocumentInfo.of(document), tuple(chunks))

    def _embed_missing(
        self, updates: Sequence[DocumentUpdate], progress: ProgressCallback | None
    ) -> int:
        """Embed and store the chunks the vector store lacks; returns how many."""
        pairs = [(u.info.title, c) for u in updates for c in u.chunks]
        present = self.store.existing([c.chunk_id for _, c in pairs])
        todo = [(title, c) for title, c in pairs if c.chunk_id not in present]
        prefixes: dict[str, str] = {}
        for start in range(0, len(todo), EMBED_BATCH):
            batch = todo[start : start + EMBED_BATCH]
            texts = []
            for title, chunk in batch:
                if title not in prefixes:
                    prefixes[title] = embedding_prefix(
                        title, self.embedder.count_tokens, self.embedder.max_tokens
                    )
                texts.append(prefixes[title] + chunk.text)
            vectors = self.embedder.embed_documents(texts)
            self.store.add([chunk for _, chunk in batch], vectors)
            if progress:
                progress(start + len(batch), len(todo))
        return len(todo)
