"""PDF and DOCX exports of a rendered briefing.

The PDF is the HTML briefing printed by WeasyPrint (same template, same citations and source
list). The DOCX is built from the Markdown briefing, so it follows whichever template rendered
it: headings, bullets, numbered sources, notes, bold and code runs. Each needs an optional
extra, imported only when that format is asked for.
"""

from __future__ import annotations

import io
import re
from typing import Any

from policybrief.errors import ConfigError

_INLINE = re.compile(r"(\*\*.+?\*\*|`[^`]+`|<https?://[^>\s]+>)")
_ESCAPED = re.compile(r"\\([\\`*_\[\]<>#|])")
_NUMBERED = re.compile(r"^(\d+)\.\s+(.*)$")


def html_to_pdf(html: str) -> bytes:
    try:
        import weasyprint
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ConfigError(
            "PDF output needs an optional extra: pip install 'policybrief[pdf]'"
        ) from exc
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


def _runs(paragraph: object, text: str) -> None:
    """Add ``text`` to a python-docx paragraph, honouring **bold** and `code` spans."""
    for part in _INLINE.split(text):
        if not part:
            continue
        if part.startswith("<http") and part.endswith(">"):  # a Markdown autolink
            _hyperlink(paragraph, part[1:-1])
        elif part.startswith("**") and part.endswith("**"):
            run = paragraph.add_run(_ESCAPED.sub(r"\1", part[2:-2]))  # type: ignore[attr-defined]
            run.bold = True
        elif part.startswith("`") and part.endswith("`"):
            run = paragraph.add_run(part[1:-1])  # type: ignore[attr-defined]
            run.font.name = "Courier New"
        else:
            paragraph.add_run(_ESCAPED.sub(r"\1", part))  # type: ignore[attr-defined]


def _hyperlink(paragraph: Any, url: str) -> None:
    """A clickable link in a python-docx paragraph (python-docx has no API for one)."""
    from docx.enum.dml import MSO_THEME_COLOR
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    relation = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relation)
    run = paragraph.add_run(url)
    run.font.color.theme_color = MSO_THEME_COLOR.HYPERLINK
    run.font.underline = True
    link.append(run._r)
    paragraph._p.append(link)


def markdown_to_docx(markdown: str) -> bytes:
    """A Word document from the briefing's Markdown (the subset our templates write)."""
    try:
        from docx import Document
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ConfigError(
            "DOCX output needs an optional extra: pip install 'policybrief[docx]'"
        ) from exc
    document = Document()
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        if line.startswith("# "):
            document.add_heading(_ESCAPED.sub(r"\1", line[2:]), level=0)
        elif line.startswith("## "):
            document.add_heading(_ESCAPED.sub(r"\1", line[3:]), level=1)
        elif line.startswith("- "):
            _runs(document.add_paragraph(style="List Bullet"), line[2:])
        elif line.startswith("> "):
            _runs(document.add_paragraph(style="Intense Quote"), line[2:])
        elif line.startswith("_") and line.endswith("_"):
            document.add_paragraph().add_run(_ESCAPED.sub(r"\1", line[1:-1])).italic = True
        elif match := _NUMBERED.match(line):
            paragraph = document.add_paragraph()
            paragraph.add_run(f"[{match.group(1)}] ").bold = True
            _runs(paragraph, match.group(2))
        else:
            _runs(document.add_paragraph(), line.removesuffix("  "))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
