"""Keeping briefings current, through the CLI, on a temporary copy of the policy corpus."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import SHARED

DEV = SHARED / "corpus-dev"
DOCS = [
    "wikipedia-chips-and-science-act.md",
    "2024-12-13_select-committee-weekly-recap-critical-minerals.md",
    "2025-04-11_senate-ricketts-letter-ai-diffusion-rule.md",
    "2025-07-31_senate-warren-rounds-ai-infrastructure-letter.md",
    "2022-10-07_bis-press-release-advanced-computing-controls-prc.md",
]
SPEC = """
title: Chips, minerals and the AI Diffusion Rule
audience: Trade staff
sections:
  - heading: CHIPS Act funding
    questions: ["How much funding does the CHIPS and Science Act provide for semiconductors?"]
    max_statements: 2
  - heading: Critical minerals
    questions: ["What is Congress doing about US dependence on China for critical minerals?"]
    max_statements: 2
  - heading: AI Diffusion Rule
    questions: ["What have senators said about the AI Diffusion Rule?"]
    max_statements: 2
"""
SECOND_SPEC = """
title: Export controls
sections:
  - heading: Controls
    questions: ["What do the October 2022 export controls restrict?"]
    max_statements: 2
"""
NEW_MINERALS = """---
title: Gallium and germanium export curbs
published: 2025-01-15
source: Test wire
---
China restricted exports of gallium and germanium, critical minerals used in chips, and the
House working group on critical mineral supply chains called for new domestic refining.
"""


@pytest.fixture
def project(tmp_path: Path, run_cli: Callable[..., Result]) -> Path:
    root = tmp_path / "project"
    (root / "corpus").mkdir(parents=True)
    for name in DOCS:
        shutil.copy(DEV / name, root / "corpus" / name)
    for name, spec in (("chips", SPEC), ("controls", SECOND_SPEC)):
        (root / "briefings" / name).mkdir(parents=True)
        (root / "briefings" / name / "spec.yaml").write_text(spec, encoding="utf-8")
    assert run_cli(root, "ingest").exit_code == 0
    for name in ("chips", "controls"):
        result = run_cli(root, "generate", name)
        assert result.exit_code == 0, result.output
    return root


def sections_of(markdown: str) -> dict[str, str]:
    """Each '## ' section of a briefing, by heading."""
    parts = re.split(r"^## ", markdown, flags=re.MULTILINE)[1:]
    return {part.split("\n", 1)[0]: part for part in parts}


def uncited(section: str) -> str:
    return re.sub(r" ?\[\d+\]", "", section)


def read(root: Path, name: str, file: str = "briefing.md") -> str:
    return (root / "briefings" / name / file).read_text("utf-8")


def mtimes(root: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in (root / "briefings").rglob("*") if p.is_file()}


def test_the_same_inputs_give_a_byte_identical_briefing(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    first = read(project, "chips")
    shutil.rmtree(project / ".policybrief")  # a fresh index from the same corpus
    assert run_cli(project, "ingest").exit_code == 0
    (project / "briefings" / "chips" / "briefing.md").unlink()
    result = run_cli(project, "generate", "chips")
    assert result.exit_code == 0
    assert read(project, "chips") == first
    lock = json.loads(read(project, "chips", "sources.json"))
    assert "generated_at" in lock and lock["generated_at"][:4] not in first


def test_an_unchanged_corpus_embeds_nothing_and_rewrites_nothing(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    before = mtimes(project)
    result = run_cli(project, "regenerate")
    assert result.exit_code == 0, result.output
    assert "0 chunks and 0 sentences embedded" in result.output
    assert "chips: current" in result.output and "controls: current" in result.output
    assert mtimes(project) == before
    status = run_cli(project, "status")
    assert "briefing   chips: current" in status.output


def test_a_new_document_rebuilds_only_the_section_it_is_evidence_for(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    before = sections_of(read(project, "chips"))
    controls_before = read(project, "controls")
    (project / "corpus" / "gallium.md").write_text(NEW_MINERALS, encoding="utf-8")

    assert run_cli(project, "ingest").exit_code == 0
    status = run_cli(project, "status").output
    assert "chips: stale (new or changed evidence for “Critical minerals”)" in status

    result = run_cli(project, "regenerate")
    assert result.exit_code == 0, result.output
    assert "chips: rebuilt sections #2" in result.output
    after = sections_of(read(project, "chips"))
    # Same statements, same source numbers.
    assert after["CHIPS Act funding"] == before["CHIPS Act funding"]
    assert after["AI Diffusion Rule"] == before["AI Diffusion Rule"]
    assert after["Critical minerals"] != before["Critical minerals"]
    assert "gallium" in after["Critical minerals"].lower()
    assert read(project, "controls") == controls_before
    assert "What changed since the last version" in read(project, "chips")

    diff = run_cli(project, "diff", "chips")
    assert diff.exit_code == 0
    assert "## Critical minerals" in diff.output
    assert "+ source: Gallium and germanium export curbs" in diff.output
    assert "CHIPS Act funding" not in diff.output
    history = list((project / "briefings" / "chips" / "history").iterdir())
    assert len(history) == 1 and (history[0] / "briefing.md").is_file()
    data = json.loads(run_cli(project, "diff", "chips", "--from", history[0].name, "--json").output)
    assert data["from"] == history[0].name
    assert data["changes"][0]["heading"] == "Critical minerals"


def test_an_edited_document_updates_the_briefings_that_cite_it(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    path = project / "corpus" / "wikipedia-chips-and-science-act.md"
    assert "$52.7 billion" in read(project, "chips")
    path.write_text(path.read_text("utf-8").replace("$52.7 billion", "$54.1 billion"), "utf-8")
    result = run_cli(project, "regenerate")
    assert result.exit_code == 0, result.output
    assert "chips: rebuilt sections #1" in result.output
    text = read(project, "chips")
    assert "$54.1 billion" in text and "$52.7 billion" not in text
    lock = json.loads(read(project, "chips", "sources.json"))
    hashes = {e["content_hash"] for s in lock["sections"] for e in s["evidence"]}
    stored = json.loads(run_cli(project, "status", "--json").output)
    assert stored["up_to_date"] and hashes


def test_a_deleted_document_is_no_longer_cited(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    gone = "2024-12-13_select-committee-weekly-recap-critical-minerals.md"
    assert gone in read(project, "chips", "sources.json")
    (project / "corpus" / gone).unlink()
    assert run_cli(project, "ingest").exit_code == 0
    assert "source removed" in run_cli(project, "status").output
    assert run_cli(project, "regenerate").exit_code == 0
    lock = json.loads(read(project, "chips", "sources.json"))
    cited = {
        c["doc_id"] for s in lock["sections"] for st in s["statements"] for c in st["citations"]
    }
    assert gone not in cited and gone not in {s["doc_id"] for s in lock["sources"]}
    markdown = sections_of(read(project, "chips"))
    assert "The Select" not in markdown["Sources"]
    assert "no longer cited: The Select" in markdown["What changed since the last version"]


def numbers_of(root: Path, name: str) -> dict[str, int]:
    lock = json.loads(read(root, name, "sources.json"))
    return {s["doc_id"]: s["number"] for s in lock["sources"]}


def test_a_published_source_number_stays_with_its_source(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    first = numbers_of(project, "chips")
    (project / "corpus" / "gallium.md").write_text(NEW_MINERALS, encoding="utf-8")
    assert run_cli(project, "regenerate").exit_code == 0
    grown = numbers_of(project, "chips")
    assert grown["gallium.md"] == max(first.values()) + 1  # a new source follows the rest
    assert {d: n for d, n in grown.items() if d != "gallium.md"}.items() <= first.items()
    gone = min(first, key=lambda doc_id: first[doc_id])  # source [1] leaves the corpus
    (project / "corpus" / gone).unlink()
    assert run_cli(project, "regenerate").exit_code == 0
    kept = numbers_of(project, "chips")
    assert gone not in kept and kept.items() <= grown.items() and len(kept) >= 2
    assert run_cli(project, "generate", "chips").exit_code == 0  # a whole rebuild, too
    assert numbers_of(project, "chips") == kept
    (project / "corpus" / gone).write_text((DEV / gone).read_text("utf-8"), "utf-8")
    assert run_cli(project, "regenerate").exit_code == 0
    assert numbers_of(project, "chips")[gone] == first[gone]  # it returns with its number


def _change(root: Path, how: str) -> None:
    corpus = root / "corpus"
    if how == "add":
        (corpus / "gallium.md").write_text(NEW_MINERALS, encoding="utf-8")
    elif how == "change":
        path = corpus / "wikipedia-chips-and-science-act.md"
        path.write_text(path.read_text("utf-8").replace("$52.7 billion", "$54.1 billion"), "utf-8")
    else:
        (corpus / "2024-12-13_select-committee-weekly-recap-critical-minerals.md").unlink()


@pytest.mark.parametrize("how", ["add", "change", "delete"])
def test_a_dry_run_never_lists_less_than_the_real_run_rebuilds(
    project: Path, run_cli: Callable[..., Result], how: str
) -> None:
    _change(project, how)
    assert "may be stale: 1 document(s) not yet indexed" in run_cli(project, "status").output
    dry = json.loads(run_cli(project, "regenerate", "--dry-run", "--json").output)
    real = json.loads(run_cli(project, "regenerate", "--json").output)
    predicted = {b["name"]: set(b["sections"]) for b in dry["briefings"] if not b["current"]}
    for briefing in real["briefings"]:
        if not briefing["current"]:
            assert set(briefing["sections"]) <= predicted.get(briefing["name"], set())


def test_a_changed_template_makes_every_briefing_using_it_stale(
    project: Path, run_cli: Callable[..., Result]
) -> None:
    from policybrief.rendering import shipped_templates_dir

    templates = project / "templates"
    templates.mkdir()
    shipped = (shipped_templates_dir() / "_sources.md.j2").read_text("utf-8")
    (templates / "_sources.md.j2").write_text(shipped.replace("## Sources", "## References"))
    status = run_cli(project, "status").output  # a partial that the template includes
    assert "chips: stale (template changed: _sources.md.j2)" in status
    assert "controls: stale (template changed: _sources.md.j2)" in status
    dry = run_cli(project, "regenerate", "--dry-run")
    assert "would rebuild sections none (re-render only)" in dry.output
    assert "## References" not in read(project, "chips")
    result = run_cli(project, "regenerate")
    assert result.exit_code == 0
    assert "## References" in read(project, "chips") and "## References" in read(
        project, "controls"
    )
    assert "0 chunks and 0 sentences embedded" in result.output


def test_regenerate_all_rebuilds_everything(project: Path, run_cli: Callable[..., Result]) -> None:
    result = run_cli(project, "regenerate", "chips", "--all")
    assert "chips: rebuilt sections #1, #2, #3; --all" in result.output
    assert "controls" not in result.output


def test_watch_regenerates_when_a_file_arrives(project: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"}
    # Ctrl-C reaches `brief watch` as from a terminal, even when this test runs in the
    # background, where the shell has the whole process tree ignore SIGINT.
    interruptible = (
        "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "sys.argv[0] = 'brief'; runpy.run_module('policybrief', run_name='__main__')"
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            interruptible,
            "--project",
            str(project),
            "watch",
            "--debounce",
            "0.5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    lines: list[str] = []

    def wait_for(needle: str, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            line = process.stdout.readline()  # type: ignore[union-attr]
            if not line and process.poll() is not None:
                break
            lines.append(line)
            if needle in line:
                return
        raise AssertionError(f"{needle!r} not seen; output:\n{''.join(lines)}")

    try:
        wait_for("watching")
        wait_for("chips: current")  # the first pass finds nothing to do
        (project / "corpus" / "broken.pdf").write_bytes(b"%PDF-1.4 half a download")
        (project / "corpus" / "gallium.md").write_text(NEW_MINERALS, encoding="utf-8")
        wait_for("chips: rebuilt sections #2")
        assert any("skipped: corpus/broken.pdf" in line for line in lines)
        assert "gallium" in read(project, "chips").lower()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack
            output, _ = process.communicate(timeout=30)
            seen = "".join(lines)
            raise AssertionError(f"watch did not stop on Ctrl-C:\n{seen}{output}") from None
    assert process.returncode == 0, output
    assert "stopped" in output
