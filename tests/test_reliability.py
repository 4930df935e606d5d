"""Nothing lost, nothing injected: bad input, crashes, concurrency and hostile documents."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policybrief.api import Project
from policybrief.chunking import chunk_document
from policybrief.errors import LoadError
from policybrief.loaders import load_document
from policybrief.testing import FakeEmbedder
from policybrief.types import Document
from tests import reliability_kit as kit
from tests.conftest import REPO
from tests.reliability_kit import change_corpus, fingerprint, resume, run_driver, write_corpus

# -- bad files ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    root = tmp_path_factory.mktemp("bad") / "project"
    expectations = kit.build(root / "corpus")
    return root, expectations  # type: ignore[return-value]


def test_every_bad_file_is_loaded_correctly_or_skipped_with_a_reason(
    bad_corpus: tuple[Path, dict[str, object]], run_cli: Callable[..., Result]
) -> None:
    root, expectations = bad_corpus
    result = run_cli(root, "ingest")
    assert result.exit_code == 0, result.output
    status = json.loads(run_cli(root, "status", "--json").output)
    project = Project.open(root, embedder=FakeEmbedder())
    documents = project.index.documents()
    for name, expected in expectations.items():
        display = f"corpus/{name}"
        if isinstance(expected, kit.Skipped):
            line = next((line for line in result.output.splitlines() if display in line), "")
            assert "skipped" in line and expected.reason in line, (name, result.output)
            assert expected.reason in status["skipped"][display]
            assert name not in documents
        else:
            assert isinstance(expected, kit.Loaded)
            assert name in documents, (name, status["skipped"].get(display))
            chunks = project.index.chunks(sorted(project.index.catalog.chunk_ids([name])))
            text = " ".join(c.text for c in chunks.values())
            assert expected.text in " ".join(text.split()), name
    project.close()


def test_a_skipped_file_is_retried_when_it_changes(
    bad_corpus: tuple[Path, dict[str, object]], run_cli: Callable[..., Result]
) -> None:
    root, _ = bad_corpus
    run_cli(root, "ingest")
    unchanged = run_cli(root, "ingest")
    assert "skipped" in unchanged.output and "added" not in unchanged.output
    (root / "corpus" / "empty.txt").write_text("Empty no more\n\nNow it has text.\n", "utf-8")
    fixed = run_cli(root, "ingest")
    assert "added  corpus/empty.txt" in fixed.output
    assert "corpus/empty.txt" not in json.loads(run_cli(root, "status", "--json").output)["skipped"]


def test_a_symlink_out_of_the_corpus_is_not_followed_unless_configured(
    make_project: Callable[..., Path], tmp_path: Path
) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text("# Secret\n\nPrivate notes outside the corpus.\n", "utf-8")
    root = make_project({"inside.md": "# Inside\n\nA normal document.\n"})
    (root / "corpus" / "link.md").symlink_to(outside)
    (root / "corpus" / "linked-folder").symlink_to(tmp_path, target_is_directory=True)
    project = Project.open(root, embedder=FakeEmbedder())
    report = project.ingest()
    assert set(project.index.documents()) == {"inside.md"}
    assert "outside the corpus" in report.skipped["corpus/link.md"]
    project.close()
    (root / "brief.toml").write_text("[ingest]\nfollow_symlinks = true\n", "utf-8")
    project = Project.open(root, embedder=FakeEmbedder())
    project.ingest()
    assert {"inside.md", "link.md", "linked-folder/secret.md"} <= set(project.index.documents())
    project.close()


@given(text=st.text(max_size=3000), suffix=st.sampled_from([".txt", ".md", ".html"]))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_random_text_never_crashes_a_loader_or_the_chunker(
    tmp_path: Path, text: str, suffix: str
) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _load_and_chunk(path)


@given(data=st.binary(max_size=4000), suffix=st.sampled_from([".txt", ".md", ".html", ".pdf"]))
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_random_bytes_never_crash_a_loader(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes((b"%PDF-1.4\n" if suffix == ".pdf" else b"") + data)
    _load_and_chunk(path)


@given(
    front=st.dictionaries(
        st.text(min_size=1, max_size=12),
        st.one_of(
            st.text(max_size=40),
            st.integers(),
            st.dates(),
            st.none(),
            st.lists(st.text(max_size=10), max_size=3),
        ),
        max_size=6,
    ),
    raw=st.text(max_size=200),
    body=st.text(max_size=500),
)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_random_front_matter_never_crashes_the_markdown_loader(
    tmp_path: Path, front: dict[str, object], raw: str, body: str
) -> None:
    import yaml

    path = tmp_path / "random.md"
    header = yaml.safe_dump(front, allow_unicode=True) if front else raw
    path.write_text(f"---\n{header}\n---\n{body}", encoding="utf-8", errors="surrogatepass")
    _load_and_chunk(path)


def _load_and_chunk(path: Path) -> None:
    """Loading gives a document or the documented LoadError; chunks stay within the budget."""
    try:
        document = load_document(path, path.name)
    except LoadError:
        return
    assert isinstance(document, Document) and document.text.strip()
    embedder = FakeEmbedder(max_tokens=64)
    for chunk in chunk_document(
        document, embedder.count_tokens, model_max_tokens=64, max_tokens=40, overlap_tokens=8
    ):
        assert chunk.text == document.text[chunk.start : chunk.end]
        assert embedder.count_tokens(chunk.text) <= 62


# -- crashes -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Uninterrupted syncs of the corpus before and after the change."""
    root = tmp_path_factory.mktemp("reference")
    write_corpus(root / "corpus", 300, seed=7)
    resume(root)
    before = fingerprint(root)
    change_corpus(root / "corpus")
    resume(root)
    return {"before": before, "after": fingerprint(root)}


# The first sync of 300 documents embeds in two batches; the incremental one in one.
@pytest.mark.parametrize(
    "kills",
    [[("embed", 0)], [("embed", 1)], [("publish", 0)], [("embed", 1), ("publish", 0)]],
    ids=["before-any-vector", "after-one-batch", "before-publishing", "twice"],
)
def test_a_killed_first_ingest_resumes_to_the_same_index(
    tmp_path: Path, reference: dict[str, dict[str, object]], kills: list[tuple[str, int]]
) -> None:
    write_corpus(tmp_path / "corpus", 300, seed=7)
    for point, count in kills:  # "twice": killed again while resuming
        killed = run_driver(tmp_path, point, count)
        assert killed.returncode == -9, killed.stdout + killed.stderr
    resume(tmp_path)
    assert fingerprint(tmp_path) == reference["before"]


@pytest.mark.parametrize(
    ("point", "count"),
    [("embed", 0), ("publish", 0), ("delete", 0)],
    ids=["before-any-vector", "before-publishing", "before-deleting-stale-vectors"],
)
def test_a_killed_incremental_ingest_resumes_to_the_same_index(
    tmp_path: Path, reference: dict[str, dict[str, object]], point: str, count: int
) -> None:
    write_corpus(tmp_path / "corpus", 300, seed=7)
    resume(tmp_path)
    change_corpus(tmp_path / "corpus")
    killed = run_driver(tmp_path, point, count)
    assert killed.returncode == -9, killed.stdout + killed.stderr
    resume(tmp_path)
    after = fingerprint(tmp_path)
    assert after == reference["after"]
    assert after["store_matches_catalog"] and after["keyword_matches_catalog"]
    assert after["problems"] == []


def test_doctor_finds_and_repairs_disagreements(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    write_corpus(tmp_path / "corpus", 30, seed=3)
    project = Project.open(tmp_path, embedder=FakeEmbedder())
    project.ingest()
    index = project.index
    ids = sorted(index.catalog.chunk_ids())
    index.store.delete(ids[:3])  # vectors lost
    index.catalog._db.execute("DELETE FROM chunk_text WHERE rowid IN (SELECT MIN(row) FROM chunks)")
    found = index.check().problems
    assert "3 indexed chunks have no vector" in found
    assert any("keyword index: 1 chunks missing" in p for p in found)
    (tmp_path / "briefings" / "b").mkdir(parents=True)
    (tmp_path / "briefings" / "b" / "spec.yaml").write_text("title: T\nsections: []\n", "utf-8")
    (tmp_path / "briefings" / "b" / "sources.json").write_text("{half a lock", "utf-8")
    report = project.doctor(repair=False)
    assert "briefing b: sources.json unreadable" in report.problems
    project.doctor(repair=True)
    assert project.doctor().problems == []
    assert index.store.all_ids() == set(ids)
    project.close()


# -- concurrency ---------------------------------------------------------------------------------

HOLD = """
import sys, time
from pathlib import Path
from policybrief.locking import write_lock
with write_lock(Path(sys.argv[1]), what="the test's holder"):
    print("locked", flush=True)
    release = Path(sys.argv[2])
    while not release.exists():
        time.sleep(0.05)
"""


def test_a_second_writer_waits_or_fails_and_readers_are_not_blocked(
    make_project: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_project(sample=True)
    brief = [sys.executable, "-m", "policybrief", "--project", str(root)]
    assert subprocess.run([*brief, "ingest"], capture_output=True).returncode == 0
    release = tmp_path / "release"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root / ".policybrief"), str(release)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        refused = subprocess.run([*brief, "--no-wait", "ingest"], capture_output=True, text=True)
        assert refused.returncode == 4
        assert "the test's holder" in refused.stderr and "try again later" in refused.stderr
        reader = subprocess.run([*brief, "status"], capture_output=True, text=True, timeout=60)
        assert reader.returncode == 0 and "documents  1" in reader.stdout
        waiting = subprocess.Popen(
            [*brief, "ingest"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        time.sleep(3)
        assert waiting.poll() is None  # still waiting for the lock
        release.touch()
        _, err = waiting.communicate(timeout=120)
        assert waiting.returncode == 0, err
        assert "waiting for the test's holder" in err
    finally:
        release.touch()
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()


READER = """
import sys, json
from pathlib import Path
from policybrief.api import Project
from policybrief.testing import FakeEmbedder
project = Project.open(Path(sys.argv[1]), embedder=FakeEmbedder())
seen = set()
done = Path(sys.argv[2])
while not done.exists():
    passages = project.retriever.retrieve("export controls chips", min_score=-1)
    documents = project.index.documents()  # read after: the sync only adds documents
    assert all(p.document.doc_id in documents for p in passages)
    seen.add(len(documents))
print(json.dumps(sorted(seen)))
"""


def test_readers_see_the_index_before_or_after_a_sync_never_half(tmp_path: Path) -> None:
    write_corpus(tmp_path / "corpus", 200, seed=5)
    resume(tmp_path)
    write_corpus(tmp_path / "corpus" / "more", 150, seed=6)
    done = tmp_path / "done"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(tmp_path), str(done)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        time.sleep(2)
        resume(tmp_path)
        time.sleep(1)
    finally:
        done.touch()
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    assert set(json.loads(out)) <= {200, 350} and 350 in json.loads(out)


# -- hostile content -----------------------------------------------------------------------------

HOSTILE = """---
title: "Notes <script>alert('title')</script>"
published: 2025-03-01
---
The export rule <script>alert(1)</script> covers advanced chips sold to China.
Officials wrote {{ 7*7 }} and {% for x in y %} beside the export rule for advanced chips.
"""
SPEC = """
title: Hostile test
sections:
  - heading: Rule
    questions: ["What does the export rule cover for advanced chips?"]
"""


def test_hostile_text_stays_text_and_templates_cannot_escape_the_sandbox(
    make_project: Callable[..., Path], run_cli: Callable[..., Result]
) -> None:
    root = make_project({"hostile.md": HOSTILE})
    (root / "briefings" / "h").mkdir()
    (root / "briefings" / "h" / "spec.yaml").write_text(SPEC, "utf-8")
    assert run_cli(root, "ingest").exit_code == 0
    assert run_cli(root, "generate", "h").exit_code == 0
    markdown = (root / "briefings" / "h" / "briefing.md").read_text("utf-8")
    html = (root / "briefings" / "h" / "briefing.html").read_text("utf-8")
    assert "\\<script\\>alert(1)\\</script\\>" in markdown
    assert "{{ 7\\*7 }}" in markdown and "{% for x in y %}" in markdown and "49" not in markdown
    assert "<script>" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html and "{% for x in y %}" in html and ">49<" not in html
    (root / "templates").mkdir()
    (root / "templates" / "briefing.md.j2").write_text(
        "{{ title.__class__.__mro__[1].__subclasses__() }}", "utf-8"
    )
    refused = run_cli(root, "generate", "h")
    assert refused.exit_code == 1 and "briefing.md.j2:1" in refused.output
    assert "unsafe" in refused.output


@pytest.mark.parametrize("name", ["../escape", "/etc", "a/b", "..", ".hidden/../x"])
def test_briefing_names_that_are_paths_are_refused(
    make_project: Callable[..., Path], run_cli: Callable[..., Result], name: str
) -> None:
    root = make_project(sample=True)
    run_cli(root, "ingest")
    result = run_cli(root, "generate", name)
    assert result.exit_code == 1 and "invalid briefing name" in result.output


def test_project_paths_may_not_escape_the_project(
    make_project: Callable[..., Path], run_cli: Callable[..., Result]
) -> None:
    root = make_project(sample=True)
    (root / "brief.toml").write_text('[paths]\nbriefings = "../../etc"\n', "utf-8")
    result = run_cli(root, "status")
    assert result.exit_code == 1 and "outside the project" in result.output
    shutil.rmtree(root / "corpus")
