"""Feed policybrief bad input and kill it mid-ingest; print RELIABILITY.md's tables.

    .venv/bin/python scripts/reliability_report.py > RELIABILITY.md

1. Awkward files (tests/reliability_kit.py builds them) ingested by the real `brief ingest`
   with the packaged model: what happened to each, and whether the good files were indexed.
2. Crashes: a sync of 300 documents killed with SIGKILL at several points (and a second sync of
   a changed corpus likewise), then resumed; the resumed index is compared chunk id by chunk id
   with an uninterrupted run, and its three parts (vectors, keyword index, catalog) with each
   other.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from benchkit import REPO, brief_command, table_head

sys.path.insert(0, str(REPO))

from tests import reliability_kit as kit

DESCRIPTIONS = {
    "empty.txt": "empty text file",
    "zero-bytes.pdf": "zero-byte PDF",
    "corrupt.pdf": "corrupt PDF (half a download)",
    "encrypted.pdf": "PDF encrypted with a user password",
    "owner-password-only.pdf": "PDF encrypted with an owner password only",
    "scanned.pdf": "PDF with no text layer (a scan)",
    "binary-with-text-extension.txt": "binary data named .txt",
    "fifty-megabytes.txt": "50 MB text file",
    "cp1252.txt": "Windows-1252 text (smart quotes, €)",
    "latin1.txt": "Latin-1 text",
    "utf16-bom.txt": "UTF-16 with a byte order mark",
    "shift-jis.txt": "Shift-JIS Japanese",
    "gb18030.txt": "GB18030 Chinese",
    "no-body.html": "HTML with no body",
    "fragment.html": "HTML fragment without <body>",
    "broken-front-matter.md": "Markdown, front matter not valid YAML",
    "mis-described.pdf": "PDF whose sidecar (.pdf.yaml) has an unknown key",
    "unclosed-front-matter.md": "Markdown, front matter never closed",
    "with spaces/and ünïcödé náme.md": "path with spaces and non-ASCII",
    "отчёт о чипах.txt": "Cyrillic file name",
    "good/press-release.md": "good Markdown",
    "good/notes.txt": "good text",
    "good/report.pdf": "good PDF",
}


def bad_files(work: Path) -> list[str]:
    expectations = kit.build(work / "corpus")
    brief = brief_command(work)
    subprocess.run([*brief, "ingest"], check=True, capture_output=True)
    status = json.loads(
        subprocess.run(
            [*brief, "status", "--json"], check=True, capture_output=True, text=True
        ).stdout
    )
    rows = [table_head("file", "what it is", "expected", "outcome")]
    for name, expected in expectations.items():
        skipped = status["skipped"].get(f"corpus/{name}")
        outcome = f"skipped: {skipped}" if skipped else "indexed"
        wanted = "indexed" if isinstance(expected, kit.Loaded) else "skipped"
        ok = (skipped is None) == (wanted == "indexed")
        rows.append(
            f"| `{name}` | {DESCRIPTIONS[name]} | {wanted} | "
            f"{outcome}{'' if ok else ' **(unexpected)**'} |"
        )
    rows.append("")
    rows.append(
        f"{status['documents']} documents indexed, {len(status['skipped'])} skipped; "
        "the index was up to date afterwards: " + str(status["up_to_date"]).lower() + "."
    )
    return rows


def crashes(work: Path) -> list[str]:
    reference = work / "reference"
    kit.write_corpus(reference / "corpus", 300, seed=7)
    kit.resume(reference)
    before = kit.fingerprint(reference)
    kit.change_corpus(reference / "corpus")
    kit.resume(reference)
    after = kit.fingerprint(reference)
    scenarios = [
        ("first sync", [("embed", 0)], "before any vector was stored"),
        ("first sync", [("embed", 1)], "after one batch of 256 vectors"),
        ("first sync", [("publish", 0)], "all vectors stored, catalog not yet published"),
        ("first sync", [("embed", 1), ("publish", 0)], "after one batch, then again mid-resume"),
        ("changed corpus", [("embed", 0)], "edits embedded, nothing stored"),
        ("changed corpus", [("publish", 0)], "new vectors stored, catalog not yet published"),
        ("changed corpus", [("delete", 0)], "published, stale vectors not yet deleted"),
    ]
    rows = [
        table_head(
            "sync", "killed (SIGKILL)", "chunks", "identical to uninterrupted run", "parts agree"
        )
    ]
    for number, (phase, kills, label) in enumerate(scenarios):
        root = work / f"crash{number}"
        kit.write_corpus(root / "corpus", 300, seed=7)
        expected = before
        if phase == "changed corpus":
            kit.resume(root)
            kit.change_corpus(root / "corpus")
            expected = after
        for point, count in kills:
            killed = kit.run_driver(root, point, count)
            assert killed.returncode == -9, killed.stdout + killed.stderr
        kit.resume(root)
        found = kit.fingerprint(root)
        agree = found["store_matches_catalog"] and found["keyword_matches_catalog"]
        rows.append(
            f"| {phase} | {label} | {len(found['chunks'])} | "  # type: ignore[arg-type]
            f"{'yes' if found == expected else 'NO'} | {'yes' if agree else 'NO'} |"
        )
    return rows


ALSO = """
How a crash cannot lose anything: vectors are written first (idempotent upserts keyed by
content-hash chunk ids), then the catalog and its keyword index publish the whole sync in one
SQLite transaction, then stale vectors are deleted (their ids wait in the catalog until done).
A sync that finds the previous one interrupted drops vectors no catalog entry owns. Briefings,
locks and exports are written to a temporary file and renamed into place.

## Also tested on every run (`tests/test_reliability.py`)

| case | outcome |
|---|---|
| a skipped file is changed | retried and indexed |
| a symlink in the corpus points outside it | skipped with the reason, unless `[ingest] follow_symlinks = true` |
| random text, random bytes, random front matter (hypothesis, 200 cases) | a document, or the documented one-line `LoadError`; chunks within budget |
| a second writer while one holds the lock | waits and says for whom; with `--no-wait`, exit code 4 |
| a reader (`brief status`) while a writer holds the lock | not blocked |
| a reader in another process during a sync | sees the index before or after the sync, never half |
| vectors deleted, keyword rows missing, a lock file corrupted | `brief doctor` reports each; `--repair` fixes them |
| `<script>`, `{{ 7*7 }}`, `{% for %}` in a document | text in Markdown (escaped) and HTML (entities); never run or evaluated |
| a template touching `__class__` | refused by the sandbox, error names file and line |
| briefing names `../escape`, `/etc`, `a/b`; `[paths]` escaping the project | refused with a clear error |
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        print("# Reliability\n")
        print(
            f"Produced by `scripts/reliability_report.py` on {date.today().isoformat()}; "
            "the same cases run in `tests/test_reliability.py` on every `make test`.\n"
        )
        print("## Bad input\n")
        print("\n".join(bad_files(work / "bad")))
        print("\n## Crashes\n")
        print("\n".join(crashes(work)))
        print(ALSO)


if __name__ == "__main__":
    main()
