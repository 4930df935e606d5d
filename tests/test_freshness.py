"""The lock type and every staleness rule, from small lock fixtures (no model, no index)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from policybrief.config import RetrievalSettings, Settings
from policybrief.freshness import compare, diff_locks, replace_outputs, reusable_sections
from policybrief.index import CorpusDiff, IndexStatus
from policybrief.lockfile import (
    LOCK_FILE,
    Lock,
    LockedEvidence,
    LockedSection,
    RenderInputs,
    SectionChange,
    StatementCounts,
    content_digest,
    parse_lock,
    read_lock,
    section_key,
)
from policybrief.rendering import Renderer
from policybrief.shelf import Shelf
from policybrief.types import (
    BriefingSpec,
    Chunk,
    Citation,
    DocumentInfo,
    Filters,
    Passage,
    SectionSpec,
    Source,
    Statement,
    Verdict,
)

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = {"briefing.md.j2": "aaa", "briefing.html.j2": "bbb"}
SETTINGS = {"selection": 12}
DOCS = {d: DocumentInfo(d, f"corpus/{d}", d.upper(), None) for d in ("a.txt", "b.txt")}


def spec(**changes: object) -> BriefingSpec:
    base = BriefingSpec(
        name="b",
        title="Title",
        audience="Analysts",
        template="briefing",
        sections=(
            SectionSpec("Chips", ("What did BIS restrict?",)),
            SectionSpec("Minerals", ("Which minerals?",)),
        ),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def statement(text: str, doc_id: str) -> Statement:
    return Statement(text, (Citation("c-" + doc_id, doc_id, 0, 10),), Verdict(True, "ok"))


def lock_of(briefing: BriefingSpec, *, generated_at: str = "2026-01-01T00:00:00+00:00") -> Lock:
    """The lock a build of ``briefing`` would write: section i cites documents[i]."""
    docs = list(DOCS)
    sections = tuple(
        LockedSection(
            s.heading,
            s.questions,
            section_key(s),
            (LockedEvidence(f"chunk{i}", f"hash{i}", docs[i], 0.5),),
            (statement(f"Statement {i}.", docs[i]),),
        )
        for i, s in enumerate(briefing.sections)
    )
    return Lock(
        briefing=briefing.name,
        generated_at=generated_at,
        spec_sha256="0" * 64,
        render=RenderInputs.of(briefing, TEMPLATES),
        content_settings=SETTINGS,
        content_sha256=content_digest(SETTINGS, briefing),
        index_generation=3,
        counts=StatementCounts(2, 0, 0),
        sections=sections,
        sources=tuple(Source(n, DOCS[d]) for n, d in enumerate(docs, 1)),
        numbered={d: n for n, d in enumerate(docs, 1)},
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A briefing folder with every output present."""
    for name in ("briefing.md", "briefing.html", LOCK_FILE):
        (tmp_path / name).write_text("x", "utf-8")
    return tmp_path


def judge(
    folder: Path,
    briefing: BriefingSpec,
    lock: Lock | None,
    *,
    templates: dict[str, str] = TEMPLATES,
    settings: dict[str, int] = SETTINGS,
    fresh: dict[int, set[tuple[str, str]]] | None = None,
    documents: dict[str, DocumentInfo] = DOCS,
):  # type: ignore[no-untyped-def]
    return compare(
        briefing,
        lock,
        folder=folder,
        templates=templates,
        content_settings=settings,
        fresh_evidence=fresh or {},
        documents=documents,
    )


def test_a_briefing_built_from_unchanged_inputs_is_current(folder: Path) -> None:
    fresh = {0: {("chunk0", "hash0")}, 1: {("chunk1", "hash1")}}
    assert judge(folder, spec(), lock_of(spec()), fresh=fresh).current


def test_a_briefing_never_generated_rebuilds_every_section(folder: Path) -> None:
    state = judge(folder, spec(), None)
    assert state.reasons == ["never generated"] and state.rebuild == {0, 1}


def test_a_missing_output_rerenders_without_rebuilding(folder: Path) -> None:
    (folder / "briefing.html").unlink()
    state = judge(folder, spec(), lock_of(spec()))
    assert state.reasons == ["output missing: briefing.html"]
    assert state.rerender and not state.rebuild


def test_changed_settings_or_filters_rebuild_everything(folder: Path) -> None:
    lock = lock_of(spec())
    state = judge(folder, spec(), lock, settings={"selection": 13})
    assert state.reasons == ["settings or filters changed"] and state.rebuild == {0, 1}
    filtered = spec(filters=Filters(paths=("corpus/a.txt",)))
    assert judge(folder, filtered, lock).rebuild == {0, 1}


@pytest.mark.parametrize(
    "changes", [{"title": "New"}, {"audience": "Ministers"}, {"summary": "S"}, {"template": "t"}]
)
def test_a_change_to_how_it_looks_only_rerenders(folder: Path, changes: dict[str, str]) -> None:
    state = judge(folder, spec(**changes), lock_of(spec()))
    assert state.reasons == [f"spec changed: {next(iter(changes))}"]
    assert state.rerender and not state.rebuild


def test_a_new_output_format_only_rerenders(folder: Path) -> None:
    state = judge(folder, spec(formats=("md",)), lock_of(spec()))
    assert state.reasons == ["spec changed: formats"] and not state.rebuild


def test_a_changed_template_is_named_and_only_rerenders(folder: Path) -> None:
    templates = {**TEMPLATES, "briefing.md.j2": "ccc", "_new.md.j2": "ddd"}
    state = judge(folder, spec(), lock_of(spec()), templates=templates)
    assert state.reasons == ["template changed: _new.md.j2", "template changed: briefing.md.j2"]
    assert state.rerender and not state.rebuild


def test_reordered_sections_rerender_and_keep_their_content(folder: Path) -> None:
    swapped = spec(sections=tuple(reversed(spec().sections)))
    state = judge(folder, swapped, lock_of(spec()))
    assert state.rerender and not state.rebuild and not state.reasons


def test_a_section_whose_questions_changed_is_rebuilt_alone(folder: Path) -> None:
    chips, minerals = spec().sections
    edited = spec(sections=(chips, dataclasses.replace(minerals, questions=("Which metals?",))))
    state = judge(folder, edited, lock_of(spec()))
    # (the old section's key is gone too: it counts as removed, which only re-renders)
    assert state.reasons == [
        "spec changed: section “Minerals”",
        "spec changed: 1 section(s) removed",
    ]
    assert state.rebuild == {1}


def test_a_section_citing_a_removed_source_is_rebuilt(folder: Path) -> None:
    state = judge(folder, spec(), lock_of(spec()), documents={"a.txt": DOCS["a.txt"]})
    assert state.reasons == ["source removed: b.txt (cited in “Minerals”)"]
    assert state.rebuild == {1}


def test_a_section_whose_evidence_changed_is_rebuilt(folder: Path) -> None:
    fresh = {0: {("chunk0", "hash0")}, 1: {("chunk1", "edited")}}
    state = judge(folder, spec(), lock_of(spec()), fresh=fresh)
    assert state.reasons == ["new or changed evidence for “Minerals”"] and state.rebuild == {1}


def test_a_dropped_section_only_rerenders(folder: Path) -> None:
    shorter = spec(sections=spec().sections[:1])
    state = judge(folder, shorter, lock_of(spec()))
    assert state.reasons == ["spec changed: 1 section(s) removed"]
    assert state.rerender and not state.rebuild


def test_only_sections_the_spec_kept_are_reusable() -> None:
    chips, _ = spec().sections
    edited = spec(sections=(chips, SectionSpec("Other", ("Q?",))))
    reusable = reusable_sections(edited, lock_of(spec()))
    assert list(reusable) == [0] and reusable[0].heading == "Chips"
    assert reusable_sections(spec(), None) == {}


def test_the_demo_lock_round_trips_key_for_key() -> None:
    text = (REPO / "briefings" / "ai-independence" / LOCK_FILE).read_text("utf-8")
    lock = parse_lock(text)
    assert lock is not None
    assert lock.to_json() == text


def test_a_built_lock_round_trips_through_json() -> None:
    lock = dataclasses.replace(
        lock_of(spec()), changes=(SectionChange("Chips", ("New.",), (), ("A.TXT",), ()),)
    )
    assert parse_lock(lock.to_json()) == lock


def test_an_unreadable_or_foreign_lock_reads_as_none(tmp_path: Path) -> None:
    assert read_lock(tmp_path) is None
    for text in ("{not json", json.dumps({"format": 99}), json.dumps({"format": 1})):
        (tmp_path / LOCK_FILE).write_text(text, "utf-8")
        assert read_lock(tmp_path) is None
    (tmp_path / LOCK_FILE).write_bytes(b"\xff\xfe")
    assert read_lock(tmp_path) is None


def test_a_lock_without_numbers_takes_its_sources_numbers() -> None:
    data = lock_of(spec()).to_dict()
    del data["numbered"], data["changes"]
    lock = parse_lock(json.dumps(data))
    assert lock is not None and lock.numbered == {"a.txt": 1, "b.txt": 2}


def test_locks_that_differ_only_in_time_say_the_same() -> None:
    first = lock_of(spec())
    assert first.says_the_same(lock_of(spec(), generated_at="2027-01-01T00:00:00+00:00"))
    edited = dataclasses.replace(
        first, sections=(dataclasses.replace(first.sections[0], note="LLM failed"),)
    )
    assert not first.says_the_same(edited)


def test_a_diff_names_statements_and_sources_added_and_removed() -> None:
    old = lock_of(spec())
    chips = dataclasses.replace(old.sections[0], statements=(statement("Fresh.", "b.txt"),))
    new = dataclasses.replace(old, sections=(chips,))
    changes = diff_locks(old, new)
    assert changes[0] == SectionChange(
        "Chips", ("Fresh.",), ("Statement 0.",), ("B.TXT",), ("A.TXT",)
    )
    assert changes[1] == SectionChange("Minerals", (), ("Statement 1.",), (), ("B.TXT",))


def test_outputs_are_archived_only_when_what_they_say_changes(tmp_path: Path) -> None:
    lock = lock_of(spec())
    files = {"briefing.md": "one", LOCK_FILE: lock.to_json()}
    assert replace_outputs(tmp_path, files, None)
    later = dataclasses.replace(lock, generated_at="2027-01-01T00:00:00+00:00")
    again = {"briefing.md": "one", LOCK_FILE: later.to_json()}
    assert not replace_outputs(tmp_path, again, read_lock(tmp_path))
    assert not (tmp_path / "history").exists()
    changed = {"briefing.md": "two", LOCK_FILE: later.to_json()}
    assert replace_outputs(tmp_path, changed, read_lock(tmp_path))
    archived = list((tmp_path / "history").iterdir())
    assert len(archived) == 1 and (archived[0] / "briefing.md").read_text("utf-8") == "one"


# -- the shelf's own rules: what the index says beyond the lock (fake index and retriever) -----


class FakeIndex:
    """Documents, a generation and a corpus status, as ``Shelf.check`` reads them."""

    def __init__(
        self, generation: int, waiting: CorpusDiff | None = None, moved: bool = False
    ) -> None:
        self.generation = generation
        self.waiting = waiting or CorpusDiff()
        self.moved = moved

    def documents(self, doc_ids: object = None) -> dict[str, DocumentInfo]:
        return dict(DOCS)

    def mirrored_corpus(self) -> Path | None:
        return None

    def status(self, corpus: Path) -> IndexStatus:
        return IndexStatus("here", "model", 2, 2, self.waiting, {}, self.moved)


class FakeRetriever:
    """Returns each section's locked evidence (or ``changed`` evidence), counting its calls."""

    settings = RetrievalSettings()

    def __init__(self, changed: bool = False) -> None:
        self.changed = changed
        self.calls = 0

    def retrieve(self, question: str, **_: object) -> list[Passage]:
        self.calls += 1
        i = 0 if "BIS" in question else 1
        text = "edited" if self.changed and i == 1 else f"hash{i}"
        doc = list(DOCS)[i]
        chunk = Chunk(f"chunk{i}", doc, "text", 0, 4, None, "", text)
        return [Passage(chunk, DOCS[doc], 0.5)]

    def diverse(self, passages: list[Passage], count: int) -> list[Passage]:
        return passages[:count]


def shelf_with(tmp_path: Path, index: FakeIndex, retriever: FakeRetriever) -> Shelf:
    """A shelf holding briefing "b", current as far as its lock goes, at index generation 3."""
    folder = tmp_path / "briefings"
    (folder / "b").mkdir(parents=True)
    (folder / "b" / "spec.yaml").write_text(
        "title: Title\naudience: Analysts\nsections:\n"
        "  - heading: Chips\n    questions: ['What did BIS restrict?']\n"
        "  - heading: Minerals\n    questions: ['Which minerals?']\n",
        "utf-8",
    )
    shelf = Shelf(
        folder,
        index=index,  # type: ignore[arg-type]
        retriever=lambda: retriever,  # type: ignore[arg-type,return-value]
        drafter=lambda: None,  # type: ignore[arg-type,return-value]
        renderer=Renderer(tmp_path / "templates"),
        settings=Settings(),
        corpus_dir=tmp_path / "corpus",
    )
    briefing = spec()
    lock = dataclasses.replace(
        lock_of(briefing),
        render=RenderInputs.of(briefing, shelf._template_hashes(briefing)),
        content_sha256=content_digest(shelf.content_settings(), briefing),
    )
    for name in ("briefing.md", "briefing.html"):
        (folder / "b" / name).write_text("x", "utf-8")
    (folder / "b" / LOCK_FILE).write_text(lock.to_json(), "utf-8")
    return shelf


def test_the_shelf_retrieves_again_only_when_the_index_changed(tmp_path: Path) -> None:
    retriever = FakeRetriever()
    assert shelf_with(tmp_path, FakeIndex(generation=3), retriever).check("b").current
    assert retriever.calls == 0
    assert shelf_with(tmp_path / "2", FakeIndex(generation=4), retriever).check("b").current
    assert retriever.calls == 2  # one question per section, both unchanged


def test_the_shelf_rebuilds_a_section_whose_evidence_the_new_index_changed(
    tmp_path: Path,
) -> None:
    state = shelf_with(tmp_path, FakeIndex(generation=4), FakeRetriever(changed=True)).check("b")
    assert state.reasons == ["new or changed evidence for “Minerals”"] and state.rebuild == {1}


def test_documents_not_yet_indexed_make_every_section_possibly_stale(tmp_path: Path) -> None:
    waiting = CorpusDiff(new=("c.txt",), modified=("a.txt",))
    state = shelf_with(tmp_path, FakeIndex(3, waiting), FakeRetriever()).check("b")
    assert state.reasons == ["may be stale: 2 document(s) not yet indexed"]
    assert state.rebuild == {0, 1}
    moved = shelf_with(tmp_path / "2", FakeIndex(3, moved=True), FakeRetriever()).check("b")
    assert moved.reasons == ["may be stale: the index settings changed"]
