"""`brief` end to end over a temporary project, with the real model and real Chroma."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import SHARED

SPEC = """
title: Test briefing
audience: Testers
sections:
  - heading: Investment
    questions: ["How much is Alibaba investing in AI infrastructure?"]
    max_statements: 2
  - heading: Nothing here
    questions: ["What is a good recipe for chocolate cake?"]
"""


@pytest.fixture
def project(make_project: Callable[..., Path], run_cli: Callable[..., Result]) -> Path:
    root = make_project(sample=True)
    (root / "briefings" / "test").mkdir()
    (root / "briefings" / "test" / "spec.yaml").write_text(SPEC, encoding="utf-8")
    result = run_cli(root, "ingest")
    assert result.exit_code == 0, result.output
    return root


def test_ingest_reports_what_it_indexed(project: Path, run_cli: Callable[..., Result]) -> None:
    result = run_cli(project, "ingest")
    assert "0 chunks and 0 sentences embedded in this run, 1 documents unchanged" in result.output


def test_status_shows_documents_model_and_location(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    (project / "corpus" / "new.md").write_text("# New\n\nFresh text.\n", encoding="utf-8")
    result = run_cli(project, "status")
    assert "documents  1 (4 chunks)" in result.output
    assert "all-MiniLM-L6-v2" in result.output
    assert str(project / ".policybrief") in result.output
    assert "new      new.md" in result.output
    data = json.loads(run_cli(project, "status", "--json").output)
    assert data["new"] == ["new.md"] and data["up_to_date"] is False


def test_ask_prints_a_cited_answer_and_its_sources(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    result = run_cli(project, "ask", "How much is Alibaba investing in AI infrastructure?")
    assert result.exit_code == 0
    assert "380 billion RMB, or around $52.7 billion" in result.output
    assert "[1]" in result.output
    assert "[1] Trump's H20 chip ban pushes China toward AI independence" in result.output


def test_ask_json_gives_statements_sources_and_scores(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    result = run_cli(project, "ask", "What did Tencent do with AI?", "--json")
    data = json.loads(result.output)
    assert data["found"] is True
    sample = (project / "corpus" / "000_2ce7d138358dc40e.txt").name
    for statement in data["statements"]:
        assert statement["sources"] == [1]
        citation = statement["citations"][0]
        assert citation["doc_id"] == sample
    assert data["sources"][0]["published"] == "2025-04-21"
    assert all(0 <= p["score"] <= 1 and p["dense_score"] > 0 for p in data["passages"])


def test_ask_says_so_when_nothing_is_relevant(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    result = run_cli(project, "ask", "What is a good recipe for chocolate cake?")
    assert result.exit_code == 0
    assert "The sources do not answer this question." in result.output
    assert "[1]" not in result.output
    data = json.loads(run_cli(project, "ask", "chocolate cake recipe", "--json").output)
    assert data["found"] is False and data["statements"] == [] and data["sources"] == []


def test_ask_filters_by_date(project: Path, run_cli: Callable[..., Result]) -> None:
    kept = run_cli(project, "ask", "Alibaba investment", "--since", "2025-01-01")
    assert "380 billion RMB" in kept.output
    bad = run_cli(project, "ask", "Alibaba", "--since", "yesterday")
    assert bad.exit_code == 2 and "not a date" in bad.output


@pytest.mark.parametrize(
    ("flags", "asked"),
    [
        (["--since", "2026-01-01"], "since 2026-01-01"),
        (["--source", "nosuchpublisher"], "source “nosuchpublisher”"),
        (["--since", "2025-01-01", "--source", "senate"], "since 2025-01-01, source “senate”"),
    ],
)
def test_a_filter_no_document_passes_is_named_with_what_the_corpus_has(
    project: Path, run_cli: Callable[..., Result], flags: list[str], asked: str
) -> None:
    result = run_cli(project, "ask", "Alibaba investment", *flags)
    assert f"No document matches the filter ({asked})" in result.output
    assert "dates 2025-04-21 to 2025-04-21" in result.output
    assert "do not answer" not in result.output
    data = json.loads(run_cli(project, "ask", "Alibaba investment", *flags, "--json").output)
    assert data["found"] is False and data["unmatched"].startswith("No document matches")


def test_generate_writes_markdown_html_and_lock(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    result = run_cli(project, "generate", "test")
    assert result.exit_code == 0, result.output
    folder = project / "briefings" / "test"
    markdown = (folder / "briefing.md").read_text("utf-8")
    assert "## Investment" in markdown and "$52.7 billion" in markdown
    assert "no evidence relevant enough" in markdown  # the cake section
    html = (folder / "briefing.html").read_text("utf-8")
    assert 'href="#src-1"' in html and 'id="src-1"' in html
    lock = json.loads((folder / "sources.json").read_text("utf-8"))
    evidence = lock["sections"][0]["evidence"]
    assert evidence and {"chunk_id", "content_hash", "doc_id"} <= set(evidence[0])
    assert lock["sections"][1]["statements"] == []


def test_errors_are_one_line_with_exit_code_1(
    make_project: Callable[..., Path], run_cli: Callable[..., Result]
) -> None:
    root = make_project(sample=True)
    result = run_cli(root, "ask", "anything")
    assert result.exit_code == 1
    assert result.output.strip() == "error: the index is empty: run `brief ingest` first"
    run_cli(root, "ingest")
    missing = run_cli(root, "generate", "nope")
    assert missing.exit_code == 1 and "no briefing spec" in missing.output
    bad_name = run_cli(root, "generate", "../etc")
    assert bad_name.exit_code == 1 and "invalid briefing name" in bad_name.output


def test_a_broken_template_names_its_file_and_line(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    templates = project / "templates"
    templates.mkdir()
    (templates / "briefing.md.j2").write_text("# {{ title }}\n\n{{ no_such_variable }}\n", "utf-8")
    result = run_cli(project, "generate", "test")
    assert result.exit_code == 1
    assert "briefing.md.j2:3" in result.output and "no_such_variable" in result.output
    (templates / "briefing.md.j2").write_text("{% for x in sections %}\n", "utf-8")
    result = run_cli(project, "generate", "test")
    assert result.exit_code == 1 and "briefing.md.j2:" in result.output
    assert not (project / "briefings" / "test" / "briefing.md").exists()


def test_ingest_of_the_policy_corpus_reads_front_matter(
    make_project: Callable[..., Path], run_cli: Callable[..., Result]
) -> None:
    root = make_project()
    result = run_cli(root, "ingest", str(SHARED / "corpus-dev"))
    assert result.exit_code == 0, result.output
    answer = json.loads(
        run_cli(root, "ask", "What did Senator Warren say about H200 chips?", "--json").output
    )
    assert answer["found"]
    assert answer["sources"][0]["published"] == "2025-12-03"
    assert "Senate" in answer["sources"][0]["source"]


def test_ingesting_another_folder_asks_before_documents_leave_the_index(
    project: Path, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "note.md").write_text("---\ntitle: Note\n---\nA note on chips.\n", "utf-8")
    refused = run_cli(project, "ingest", str(other))
    assert refused.exit_code == 1
    assert "removes 1 document(s) from the index" in refused.output and "--yes" in refused.output
    status = json.loads(run_cli(project, "status", "--json").output)
    assert status["documents"] == 1 and status["corpus"].endswith("corpus")
    switched = run_cli(project, "ingest", str(other), "--yes")
    assert switched.exit_code == 0 and "note.md" in switched.output
    assert run_cli(project, "ingest").exit_code == 0  # stays on the folder it now mirrors
    back = run_cli(project, "ingest", str(project / "corpus"), "--yes")
    assert back.exit_code == 0 and "000_2ce7d138358dc40e.txt" in back.output


def test_outside_a_project_commands_say_so_and_leave_nothing_behind(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    for command in (["status"], ["ingest"], ["ask", "What?"]):
        result = run_cli(tmp_path, *command)
        assert result.exit_code == 1
        assert "is not a policybrief project (run `brief init`)" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_index_says_so_instead_of_answering_from_what_remains(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    shutil.rmtree(project / ".policybrief" / "chroma")  # the vector store is lost
    damaged = run_cli(project, "ask", "How much is Alibaba investing in AI infrastructure?")
    assert damaged.exit_code == 1
    assert "the index is incomplete" in damaged.output and "brief doctor --repair" in damaged.output
    repaired = run_cli(project, "doctor", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "still:" not in repaired.output
    answer = run_cli(project, "ask", "How much is Alibaba investing in AI infrastructure?")
    assert answer.exit_code == 0 and "380 billion RMB" in answer.output


def test_ask_lists_a_title_ending_in_us_with_one_period(
    make_project: Callable[..., Path], run_cli: Callable[..., Result]
) -> None:
    root = make_project(
        {
            "us.md": "---\ntitle: Chip policy of the U.S.\n---\n"
            "Alibaba planned to invest 380 billion RMB in its AI infrastructure.\n"
        }
    )
    assert run_cli(root, "ingest").exit_code == 0
    result = run_cli(root, "ask", "How much is Alibaba investing in AI infrastructure?")
    assert "[1] Chip policy of the U.S. Source not stated" in result.output
