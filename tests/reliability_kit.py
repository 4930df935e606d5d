"""Awkward files and crash scenarios, shared by tests/test_reliability.py and
scripts/reliability_report.py.

``build`` writes a corpus of awkward files; each entry says what must happen to it:
``Loaded(text)`` (the text comes through intact) or ``Skipped(reason)``. ``write_corpus``,
``change_corpus``, ``run_driver`` and ``fingerprint`` set up, kill and compare syncs.
"""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from policybrief.api import Project
from policybrief.testing import FakeEmbedder

DRIVER = Path(__file__).with_name("crash_driver.py")

CP1252 = "Smart quotes “like these” cost €5 — the naïve café’s œuvre, ‰ and • bullets."
LATIN1 = "Le café était très agréable à Montréal, près de la rivière où l'été dure."
JAPANESE = "半導体の輸出規制は中国のAI開発に大きな影響を与えている。政府は新しい規則を発表した。"
CHINESE = "美国对华为芯片的出口管制加速了中国人工智能自主创新。阿里巴巴宣布加大投资。"
UTF16 = "UTF-16 text with a byte order mark: export controls on ünïcödé chips."


@dataclass(frozen=True)
class Loaded:
    text: str  # must appear in the loaded document


@dataclass(frozen=True)
class Skipped:
    reason: str  # must appear in the one-line reason


def _pdf(
    path: Path, text: str | None, *, user_password: str | None = None, owner_only: bool = False
) -> None:
    pdf = FPDF()
    pdf.add_page()
    if text is None:
        pdf.rect(20, 20, 100, 60, style="F")  # a "scan": drawing, no text layer
    else:
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 8, text)
    if user_password is not None or owner_only:
        pdf.set_encryption(owner_password="owner", user_password=user_password or "")
    pdf.output(str(path))


def build(corpus: Path, *, big_mb: int = 50) -> dict[str, Loaded | Skipped]:
    """Write the awkward files (and a few good ones) into ``corpus``; returns expectations."""
    corpus.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {
        "empty.txt": b"",
        "zero-bytes.pdf": b"",
        "corrupt.pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nhalf a download",
        "binary-with-text-extension.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
        + bytes(range(256)),
        "cp1252.txt": f"Windows text\n\n{CP1252}\n".encode("cp1252"),
        "latin1.txt": f"Latin-1 text\n\n{LATIN1}\n".encode("latin-1"),
        "utf16-bom.txt": ("\ufeff" + f"UTF-16 text\n\n{UTF16}\n").encode("utf-16-le"),
        "shift-jis.txt": f"日本語\n\n{JAPANESE}\n".encode("shift_jis"),
        "gb18030.txt": f"中文\n\n{CHINESE}\n".encode("gb18030"),
        "no-body.html": b"<html><head><title>Nothing here</title></head></html>",
        "fragment.html": b"<p>A fragment of HTML with no body element, about chips.</p>",
        "broken-front-matter.md": b"---\ntitle: [unclosed\npublished: 2025-01-01\n---\nBody.\n",
        "unclosed-front-matter.md": b"---\ntitle: Never closed\nBody without an end.\n",
        "with spaces/and ünïcödé náme.md": b"# Spaces\n\nA file in a folder with spaces.\n",
        "отчёт о чипах.txt": "Отчёт\n\nДокумент о чипах и экспортном контроле.\n".encode(),
        "good/press-release.md": (
            b"---\ntitle: Good release\npublished: 2024-04-04\n---\n"
            b"Commerce clarified its export controls on advanced computing items.\n"
        ),
        "good/notes.txt": b"Notes\n\nExport controls restrict advanced chips and tools.\n",
    }
    for name, data in files.items():
        path = corpus / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    _pdf(corpus / "scanned.pdf", None)
    _pdf(corpus / "encrypted.pdf", "Secret text.", user_password="secret")
    _pdf(
        corpus / "owner-password-only.pdf",
        "Readable although encrypted for printing.",
        owner_only=True,
    )
    _pdf(corpus / "good/report.pdf", "Page one of a good report about gallium exports.")
    _pdf(corpus / "mis-described.pdf", "A report whose sidecar has a typo.")
    (corpus / "mis-described.pdf.yaml").write_text("publisher: BIS\n", "utf-8")
    with (corpus / "fifty-megabytes.txt").open("w", encoding="utf-8") as handle:
        line = "A very large file that is mostly repetition about export controls. " * 14 + "\n"
        for _ in range(big_mb * 1024 * 1024 // len(line) + 1):
            handle.write(line)
    return {
        "empty.txt": Skipped("no text found"),
        "zero-bytes.pdf": Skipped("unreadable PDF"),
        "corrupt.pdf": Skipped("PDF"),
        "binary-with-text-extension.txt": Skipped("binary data, not text"),
        "cp1252.txt": Loaded(CP1252),
        "latin1.txt": Loaded(LATIN1),
        "utf16-bom.txt": Loaded(UTF16),
        "shift-jis.txt": Loaded(JAPANESE),
        "gb18030.txt": Loaded(CHINESE),
        "no-body.html": Skipped("no text found"),
        "fragment.html": Loaded("A fragment of HTML with no body element"),
        "broken-front-matter.md": Skipped("front matter is not valid YAML"),
        "unclosed-front-matter.md": Skipped("front matter opened with --- but never closed"),
        "with spaces/and ünïcödé náme.md": Loaded("A file in a folder with spaces."),
        "отчёт о чипах.txt": Loaded("Документ о чипах и экспортном контроле."),
        "good/press-release.md": Loaded("Commerce clarified its export controls"),
        "good/notes.txt": Loaded("Export controls restrict advanced chips and tools."),
        "scanned.pdf": Skipped("no text layer"),
        "encrypted.pdf": Skipped("needs a password"),
        "owner-password-only.pdf": Loaded("Readable although encrypted for printing."),
        "good/report.pdf": Loaded("Page one of a good report about gallium exports."),
        "mis-described.pdf": Skipped("unknown key 'publisher'"),
        "fifty-megabytes.txt": Skipped("over the 20 MB limit"),
    }


WORDS = (
    "export controls advanced computing chips semiconductor equipment licence entity list "
    "China Commerce Department rule supercomputer gallium germanium minerals allies Netherlands "
    "Japan Nvidia accelerators bandwidth threshold performance density data centre cloud"
).split()


def write_corpus(corpus: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    corpus.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."
            for _ in range(rng.randint(6, 18))
        ]
        body = "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))
        (corpus / f"doc{number:04d}.md").write_text(
            f"---\ntitle: Document {number}\n---\n{body}\n", "utf-8"
        )


def change_corpus(corpus: Path) -> None:
    """Edit 20 documents, delete 10, add 10: a sync with every kind of change."""
    for number in range(0, 40, 2):
        path = corpus / f"doc{number:04d}.md"
        path.write_text(path.read_text("utf-8") + "\nAn added closing sentence.\n", "utf-8")
    for number in range(100, 110):
        (corpus / f"doc{number:04d}.md").unlink()
    write_corpus(corpus / "new", 10, seed=99)


def fingerprint(root: Path) -> dict[str, object]:
    """The index, chunk id by chunk id, with checks that its three parts agree."""
    project = Project.open(root, embedder=FakeEmbedder())
    index = project.index
    chunk_ids = index.catalog.chunk_ids()
    stored = index.store.all_ids()
    missing_rows, orphan_rows = index.catalog.keyword_rows()
    state = {
        "chunks": sorted(chunk_ids),
        "documents": sorted(
            (doc_id, s.size, s.sha256, s.error) for doc_id, s in index.catalog.file_states().items()
        ),
        "store_matches_catalog": stored == chunk_ids,
        "keyword_matches_catalog": not (missing_rows or orphan_rows),
        "pending_deletes": index.catalog.pending_deletes(),
        "problems": index.check().problems,
    }
    project.close()
    return state


def run_driver(root: Path, point: str, count: int) -> subprocess.CompletedProcess[str]:
    """Sync ``root`` in a new process that SIGKILLs itself at ``point`` (see crash_driver)."""
    return subprocess.run(
        [sys.executable, str(DRIVER), str(root), point, str(count)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def resume(root: Path) -> None:
    project = Project.open(root, embedder=FakeEmbedder())
    project.ingest()
    project.close()
