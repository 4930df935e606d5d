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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policybrief.catalog import Catalog, DocumentUpdate, FileState
from policybrief.chunking import chunk_document, embedding_prefix, sha
from policybrief.config import ChromaSettings, ChunkingSettings, IngestSettings
from policybrief.embedders import Embedder
from policybrief.errors import LoadError
from policybrief.loaders import LOADERS, SIDECAR_SUFFIX, load_document, sidecar_of
from policybrief.store import ChromaStore, VectorStore
from policybrief.types import Chunk, DocumentInfo

if TYPE_CHECKING:
    import numpy as np

# Bump when loaders or the chunker produce different text: every file is re-read, and only
# chunks whose text changed are embedded again.
CHUNK_SCHEME = 5
# Bump when the text sent to the embedder for a chunk changes form: every vector is redone.
EMBED_SCHEME = 1
EMBED_BATCH = 512  # texts per encode call (the model batches further inside; progress per call)

ProgressCallback = Callable[[int, int], None]
# What an answer may quote from a chunk, given the chunk before it: the texts whose vectors a
# sync stores (``evidence.quotable_texts``).
QuotableTexts = Callable[[Chunk, "Chunk | None"], Sequence[str]]


@dataclass(frozen=True)
class CorpusFile:
    doc_id: str  # path relative to the corpus folder, with forward slashes
    path: Path
    display: str  # path shown to users (relative to the project when inside it)
    size: int
    mtime_ns: int
    problem: str = ""  # a reason not to read it at all (e.g. a symlink out of the corpus)


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


def scan_corpus(
    corpus: Path, project_root: Path, *, follow_symlinks: bool = False
) -> tuple[list[CorpusFile], list[str]]:
    """Supported files under ``corpus`` (hidden ones skipped) and the unsupported ones seen.

    A symlink whose target lies outside the corpus is listed with a problem (so it shows as
    skipped, with the reason) unless ``follow_symlinks`` allows it.
    """
    files: list[CorpusFile] = []
    ignored: list[str] = []
    walked = sorted(_walk(corpus, corpus.resolve(), follow_symlinks, set()))
    present = {path for path, _ in walked}  # sidecars are looked up here, not on disk
    for path, outside in walked:
        doc_id = path.relative_to(corpus).as_posix()
        try:
            display = path.relative_to(project_root).as_posix()
        except ValueError:
            display = str(path)
        if path.suffix.lower() not in LOADERS:
            if not _describes_a_document(path, present):
                ignored.append(display)
            continue
        try:
            stat = path.stat()
            # A sidecar is part of its document: editing it re-reads the document.
            sidecar = sidecar_of(path)
            extra = sidecar.stat() if sidecar in present else None
        except OSError:  # a dangling symlink, or a file gone since the scan
            continue
        size, mtime_ns = stat.st_size, stat.st_mtime_ns
        if extra is not None:
            size, mtime_ns = size + extra.st_size, max(mtime_ns, extra.st_mtime_ns)
        problem = ""
        if outside and not follow_symlinks:
            problem = (
                "symlink to a file outside the corpus (set [ingest] follow_symlinks = true "
                "to index it)"
            )
        files.append(CorpusFile(doc_id, path, display, size, mtime_ns, problem))
    return files, ignored


def _walk(folder: Path, root: Path, follow: bool, seen: set[Path]) -> Iterator[tuple[Path, bool]]:
    """(file, whether it resolves outside ``root``); symlinked folders only with ``follow``."""
    seen.add(folder.resolve())
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(path, root, follow, seen)
            elif entry.is_symlink():
                target = path.resolve()
                outside = not target.is_relative_to(root)
                if target.is_dir():
                    if follow and target not in seen:
                        yield from _walk(path, root, follow, seen)
                elif target.is_file():
                    yield path, outside
            elif entry.is_file():
                yield path, False


def settings_fingerprint(
    model_id: str, chunking: ChunkingSettings, ingest: IngestSettings | None = None
) -> str:
    """Everything that decides what the index holds; when it changes, every file is looked at
    again (chunks whose text is unchanged keep their vectors)."""
    ingest = ingest or IngestSettings()
    return json.dumps(
        {
            "model": model_id,
            "scheme": CHUNK_SCHEME,
            "max_tokens": chunking.max_tokens,
            "overlap_tokens": chunking.overlap_tokens,
            "max_file_mb": ingest.max_file_mb,
            "follow_symlinks": ingest.follow_symlinks,
        },
        sort_keys=True,
    )


def _describes_a_document(path: Path, present: set[Path]) -> bool:
    """Whether ``path`` is the sidecar of a supported file beside it (among ``present``)."""
    if not path.name.endswith(SIDECAR_SUFFIX):
        return False
    described = path.with_name(path.name[: -len(SIDECAR_SUFFIX)])
    return described.suffix.lower() in LOADERS and described in present


def file_sha256(path: Path) -> str:
    """The content digest of a corpus file, its sidecar included when it has one."""
    digest = hashlib.sha256()
    sidecar = sidecar_of(path)
    for part in (path, sidecar) if sidecar.is_file() else (path,):
        with part.open("rb") as handle:
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
    sentences: int = 0  # quotable sentences embedded in this sync, for answers to look up
    documents: int = 0
    chunks: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Consistency:
    """Disagreements between the vector store, the keyword index and the catalog."""

    orphan_vectors: list[str]  # in the store, in no catalog entry
    missing_vectors: list[str]  # in the catalog, not in the store
    missing_keyword_rows: int
    orphan_keyword_rows: int
    pending_deletes: int  # vectors a sync recorded for deletion and has not deleted yet
    interrupted: bool  # a sync was killed before it published

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "problems": self.problems}

    @property
    def problems(self) -> list[str]:
        found = []
        if self.orphan_vectors:
            found.append(f"{len(self.orphan_vectors)} vectors belong to no indexed chunk")
        if self.missing_vectors:
            found.append(f"{len(self.missing_vectors)} indexed chunks have no vector")
        if self.missing_keyword_rows or self.orphan_keyword_rows:
            found.append(
                f"keyword index: {self.missing_keyword_rows} chunks missing, "
                f"{self.orphan_keyword_rows} stray entries"
            )
        if self.pending_deletes:
            found.append(f"{self.pending_deletes} vectors await deletion")
        if self.interrupted:
            found.append("the last sync was interrupted")
        return found


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

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "up_to_date": self.up_to_date}


class Index:
    """Catalog + vector store for one project, under its index folder.

    The only door to both: readers (the retriever, the API) call the methods below and never
    reach into ``catalog`` or ``store``, so either can change without touching them.
    """

    def __init__(
        self,
        state_dir: Path,
        embedder: Embedder,
        chunking: ChunkingSettings,
        project_root: Path,
        ingest: IngestSettings | None = None,
        chroma: ChromaSettings | None = None,
        *,
        store: VectorStore | None = None,
        quotable: QuotableTexts | None = None,
    ) -> None:
        """``store`` replaces the Chroma collection the index would open under ``state_dir``
        (or on the [chroma] server); the index then owns it and closes it in ``close``.
        With ``quotable``, a sync also embeds each new chunk's quotable sentences, so that an
        answer looks their vectors up instead of embedding them (``sentence_vectors``)."""
        self.state_dir = state_dir
        self.embedder = embedder
        self.chunking = chunking
        self.ingest = ingest or IngestSettings()
        self.chroma = chroma or ChromaSettings()
        self.project_root = project_root
        self.catalog = Catalog(state_dir / "catalog.sqlite")
        self._given_store = store
        self._store: VectorStore | None = store
        self._store_generation = -1
        self.quotable = quotable

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        self._given_store = None
        self.catalog.close()

    # -- identity of what is stored ---------------------------------------------------------

    @property
    def collection_name(self) -> str:
        """One collection per model, so vectors of different models never mix; on a server,
        also one per project unless [chroma] collection names a shared one."""
        if self.chroma.collection:
            return self.chroma.collection
        name = "pb_" + sha(f"{self.embedder.model_id}\x00{EMBED_SCHEME}", 16)
        if self.chroma.url:
            name += "_" + sha(str(self.project_root.resolve()), 8)
        return name

    @property
    def settings_key(self) -> str:
        return settings_fingerprint(self.embedder.model_id, self.chunking, self.ingest)

    @property
    def generation(self) -> int:
        """Counts syncs that changed content: a briefing records it, and an equal number later
        means the indexed content is identical."""
        return self.catalog.generation

    @property
    def store(self) -> VectorStore:
        """The vector store, reopened when another process has published a sync since it was
        opened: Chroma keeps what it loaded in memory and would not see new vectors. A store
        given to the constructor is used as it is (the index cannot reopen it)."""
        if self._given_store is not None:
            return self._given_store
        generation = self.catalog.generation
        if self._store is not None and generation != self._store_generation:
            self._store.close()
            self._store = None
        if self._store is None:
            location = self.chroma.url or self.state_dir / "chroma"
            self._store = ChromaStore(location, self.collection_name)
            self._store_generation = generation
        return self._store

    # -- reading ----------------------------------------------------------------------------

    def documents(self, doc_ids: Iterable[str] | None = None) -> dict[str, DocumentInfo]:
        return self.catalog.documents(doc_ids)

    def chunks(self, chunk_ids: Sequence[str]) -> dict[str, Chunk]:
        return self.catalog.chunks(chunk_ids)

    def text_before(self, chunk: Chunk, limit: int) -> str:
        return self.catalog.text_before(chunk, limit)

    def opening_chunks(self, doc_ids: Iterable[str]) -> dict[str, Chunk]:
        return self.catalog.opening_chunks(doc_ids)

    def is_empty(self) -> bool:
        return self.catalog.counts()[1] == 0

    @property
    def outdated(self) -> bool:
        """Whether the catalog was made by an older policybrief and not rebuilt since."""
        return self.catalog.get_meta("outdated") == "1"

    def dense_search(
        self, vector: np.ndarray, k: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first from the vector store, optionally within
        some documents: the store may hold vectors a running sync has not published yet."""
        return self.store.search(vector, k, doc_ids)

    def keyword_search(
        self,
        query: str,
        limit: int,
        doc_ids: Sequence[str] | None = None,
        title_weight: float = 2.0,
    ) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) best first from the catalog's full-text index."""
        return self.catalog.keyword_search(query, limit, doc_ids, title_weight)

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these chunks (those the store lacks are left out), for scoring
        a chunk the dense search did not return and for telling near-duplicates apart."""
        return self.store.vectors(chunk_ids)

    def query_vector(
        self, model_id: str, query: str, embed: Callable[[str], np.ndarray]
    ) -> np.ndarray:
        """The query's embedding by ``model_id``, cached in the catalog (``embed`` runs only
        on a miss): re-checking a briefing's questions for staleness then needs no model."""
        vector = self.catalog.query_vector(model_id, query)
        if vector is None:
            vector = embed(query)
            self.catalog.save_query_vector(model_id, query, vector)
        return vector

    def sentence_vectors(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors a sync stored for these texts (sentences of indexed chunks), by text;
        texts it did not store are left out."""
        by_hash = {self._sentence_hash(text): text for text in texts}
        return {by_hash[h]: v for h, v in self.catalog.sentence_vectors(by_hash).items()}

    def _sentence_hash(self, text: str) -> str:
        return sha(f"{self.embedder.model_id}\x00{text}", 32)

    def doc_ids_of(self, chunk_ids: Sequence[str]) -> dict[str, str]:
        """Chunk id → document id for the chunks the catalog holds, without loading their text."""
        return self.catalog.doc_ids_of(chunk_ids)

    def indexed_sha256(self, doc_id: str) -> str | None:
        """The SHA-256 of a document's file when it was indexed (None if not indexed)."""
        state = self.catalog.file_states().get(doc_id)
        return state.sha256 if state is not None else None

    def mirrored_corpus(self) -> Path | None:
        """The folder the last sync mirrored, if any."""
        recorded = self.catalog.get_meta("corpus")
        return Path(recorded) if recorded else None

    def status(self, corpus: Path) -> IndexStatus:
        files, _ = (
            scan_corpus(corpus, self.project_root, follow_symlinks=self.ingest.follow_symlinks)
            if corpus.is_dir()
            else ([], [])
        )
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

    def check(self) -> Consistency:
        """Compare the vector store, the keyword index and the catalog."""
        catalog_ids = self.catalog.chunk_ids()
        stored = self.store.all_ids()
        missing_rows, orphan_rows = self.catalog.keyword_rows()
        return Consistency(
            orphan_vectors=sorted(stored - catalog_ids),
            missing_vectors=sorted(catalog_ids - stored),
            missing_keyword_rows=len(missing_rows),
            orphan_keyword_rows=len(orphan_rows),
            pending_deletes=len(self.catalog.pending_deletes()),
            interrupted=self.catalog.get_meta("sync_in_progress") == "1",
        )

    def repair(self) -> Consistency:
        """Make store and keyword index agree with the catalog; returns what was wrong."""
        found = self.check()
        if found.orphan_vectors:
            self.store.delete(found.orphan_vectors)
        if found.missing_vectors:
            chunks = self.catalog.chunks(found.missing_vectors)
            documents = self.catalog.documents(c.doc_id for c in chunks.values())
            titles = {doc_id: info.title for doc_id, info in documents.items()}
            self._embed_chunks([(titles.get(c.doc_id, ""), c) for c in chunks.values()], None)
        missing_rows, orphan_rows = self.catalog.keyword_rows()
        if missing_rows or orphan_rows:
            self.catalog.repair_keyword_rows(missing_rows, orphan_rows)
        pending = self.catalog.pending_deletes()
        if pending:
            self.store.delete(pending)
            self.catalog.clear_pending_deletes(pending)
        if found.interrupted:
            self.catalog.drop_unused_sentence_vectors()
        self.catalog.set_meta("sync_in_progress", "0")
        return found

    # -- writing ----------------------------------------------------------------------------

    def sync(self, corpus: Path, progress: ProgressCallback | None = None) -> SyncReport:
        """Make the index mirror ``corpus``: add, update and remove what changed."""
        files, ignored = scan_corpus(
            corpus, self.project_root, follow_symlinks=self.ingest.follow_symlinks
        )
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
        sentences, quoted = self._quotable_sentences(updates)
        todo = self._chunks_to_embed(updates)
        report.embedded = self._embed_chunks(todo, progress, then=len(sentences))
        self._embed_sentences(sentences, progress, before=report.embedded)
        report.sentences = len(sentences)

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
                "outdated": "0",
            },
            quoted,
            # (a killed sync's, and those a rebuilt catalog kept but no chunk uses any more)
            drop_unused=interrupted or rebuild,
        )
        self._store_generation = self.catalog.generation  # our own publish: no need to reopen
        if stale:
            store.delete(stale)
            self.catalog.clear_pending_deletes(stale)
        # Only in the Chroma folder the index opened itself: never on a server, where others
        # keep theirs, nor in a store it was given.
        own_folder = not self.chroma.url and self._given_store is None
        if rebuild and own_folder and isinstance(store, ChromaStore):
            store.drop_other_collections()
        report.documents, report.chunks = self.catalog.counts()
        report.skipped = self.catalog.skipped()
        return report

    def _load(self, file: CorpusFile, digest: str | None) -> DocumentUpdate:
        """Load and chunk one file; a file that fails becomes a skipped entry with its reason."""
        limit = self.ingest.max_file_mb * 1024 * 1024
        problem = file.problem
        if not problem and file.size > limit:
            problem = (
                f"{file.size / 1024 / 1024:.1f} MB, over the {self.ingest.max_file_mb:g} MB "
                "limit ([ingest] max_file_mb)"
            )
        if problem:  # not read at all, so identified by size and time instead of content
            state = FileState(file.size, file.mtime_ns, f"unread:{file.size}:{file.mtime_ns}")
        else:
            state = FileState(file.size, file.mtime_ns, digest or file_sha256(file.path))
        try:
            if problem:
                raise LoadError(file.display, problem)
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
            count_many=self.embedder.count_tokens_batch,
        )
        return DocumentUpdate(file.doc_id, state, DocumentInfo.of(document), tuple(chunks))

    def _chunks_to_embed(self, updates: Sequence[DocumentUpdate]) -> list[tuple[str, Chunk]]:
        """(title, chunk) of the chunks the vector store lacks and no copy can lend a vector."""
        pairs = [(u.info.title, c) for u in updates for c in u.chunks]
        present = self.store.existing([c.chunk_id for _, c in pairs])
        todo = [(title, c) for title, c in pairs if c.chunk_id not in present]
        return self._reuse_vectors(todo)

    def _reuse_vectors(self, todo: Sequence[tuple[str, Chunk]]) -> list[tuple[str, Chunk]]:
        """Store vectors for chunks whose exact embedded text is already indexed (copies,
        renamed or moved files); return the chunks that still need embedding."""
        donors = self.catalog.chunks_embedded_as([c.embed_hash for _, c in todo])
        vectors = self.store.vectors(sorted(set(donors.values()))) if donors else {}
        reused = [c for _, c in todo if donors.get(c.embed_hash) in vectors]
        if reused:
            import numpy as np

            self.store.add(reused, np.stack([vectors[donors[c.embed_hash]] for c in reused]))
        return [(title, c) for title, c in todo if donors.get(c.embed_hash) not in vectors]

    def _embed_chunks(
        self, todo: Sequence[tuple[str, Chunk]], progress: ProgressCallback | None, then: int = 0
    ) -> int:
        """Embed (title prefix + text) and store each chunk, in batches; chunks with the same
        embedded text are embedded once. Returns how many texts were embedded. ``then``: how
        many texts the sync embeds after these (for the progress total)."""
        prefixes: dict[str, str] = {}
        groups: dict[str, list[Chunk]] = {}
        texts: dict[str, str] = {}
        for title, chunk in todo:
            if title not in prefixes:
                prefixes[title] = embedding_prefix(
                    title, self.embedder.count_tokens, self.embedder.max_tokens
                )
            groups.setdefault(chunk.embed_hash, []).append(chunk)
            texts.setdefault(chunk.embed_hash, prefixes[title] + chunk.text)
        # Longest first, across the whole sync: batches of similar length waste little padding
        # (the model would only sort within each call), and the estimate of time left is safe.
        keys = sorted(groups, key=lambda k: -len(texts[k]))
        for start in range(0, len(keys), EMBED_BATCH):
            batch = keys[start : start + EMBED_BATCH]
            vectors = self.embedder.embed_documents([texts[k] for k in batch])
            chunks = [c for k in batch for c in groups[k]]
            rows = [row for row, k in enumerate(batch) for _ in groups[k]]
            self.store.add(chunks, vectors[rows])
            if progress:
                progress(start + len(batch), len(keys) + then)
        return len(keys)

    def _quotable_sentences(
        self, updates: Sequence[DocumentUpdate]
    ) -> tuple[dict[str, str], dict[str, list[str]]]:
        """The quotable sentences of the new chunks that are not stored yet (hash → text), and
        each chunk's sentence hashes; nothing without ``quotable``."""
        if self.quotable is None:
            return {}, {}
        texts: dict[str, str] = {}
        quoted: dict[str, list[str]] = {}
        for update in updates:
            # (a document's chunks start strictly later one after another, so the one before
            # is the one the catalog finds for a retrieved passage: ``Catalog.text_before``)
            for previous, chunk in zip((None, *update.chunks), update.chunks, strict=False):
                hashes = quoted.setdefault(chunk.chunk_id, [])
                for text in self.quotable(chunk, previous):
                    hashes.append(self._sentence_hash(text))
                    texts.setdefault(hashes[-1], text)
        stored = self.catalog.stored_sentences(texts)
        return {h: t for h, t in texts.items() if h not in stored}, quoted

    def _embed_sentences(
        self, sentences: Mapping[str, str], progress: ProgressCallback | None, before: int
    ) -> None:
        """Embed and store the sentences (hash → text), longest first as chunks are, in batches;
        ``before``: how many texts this sync embedded already (for the progress count)."""
        hashes = sorted(sentences, key=lambda h: -len(sentences[h]))
        for start in range(0, len(hashes), EMBED_BATCH):
            batch = hashes[start : start + EMBED_BATCH]
            vectors = self.embedder.embed_documents([sentences[h] for h in batch])
            self.catalog.save_sentence_vectors(dict(zip(batch, vectors, strict=True)))
            if progress:
                progress(before + start + len(batch), before + len(hashes))
