"""``brief init``: a new project folder with everything a first briefing needs."""

from __future__ import annotations

from pathlib import Path

from policybrief.config import CONFIG_FILE, commented_toml

EXAMPLE_SPEC = """\
# A briefing spec. Generate it with `brief generate example`; see `brief templates`.
title: "Example briefing"
audience: "Who will read it"
summary: >-
  One or two sentences on what this briefing is for.
template: briefing          # briefing | memo | timeline | a template of your own
formats: [md, html]         # add pdf and docx for exports
# date: 2026-01-31          # the briefing's own date, shown in its header
filters:                    # optional: limit the evidence
  since: null               # e.g. 2025-01-01 (undated documents are then left out)
  sources: []               # substrings of publishers, e.g. ["Department of Commerce"]
sections:
  - heading: Bottom line
    questions:
      - What is the most important development?
    max_statements: 3
  - heading: Background
    questions:
      - What led to this?
      - Who are the main actors?
  - heading: Outlook
    questions:
      - What is expected to happen next?
"""

TEMPLATES_README = """\
# Templates

A Jinja template here replaces the shipped one of the same name (`brief templates` lists
them): copy `briefing.md.j2` from the package, edit it, and every briefing using the
`briefing` template picks it up (`brief status` will call those briefings stale). A new name
(say `board.md.j2` and `board.html.j2`) becomes a template a spec can choose. Templates run
sandboxed; undefined variables are errors that name the file and line.
"""

GITIGNORE = ".policybrief/\nbriefings/*/history/\n"


def init_project(folder: Path) -> tuple[list[Path], list[Path]]:
    """Create the project skeleton in ``folder``; returns (created, already present)."""
    files = {
        folder / CONFIG_FILE: commented_toml(),
        folder / "briefings" / "example" / "spec.yaml": EXAMPLE_SPEC,
        folder / "templates" / "README.md": TEMPLATES_README,
        folder / ".gitignore": GITIGNORE,
    }
    created: list[Path] = []
    present: list[Path] = []
    (folder / "corpus").mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        if path.exists():
            present.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        created.append(path)
    return created, present
