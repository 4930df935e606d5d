from __future__ import annotations

from pathlib import Path

import pytest

from policybrief.errors import TemplateRenderError
from policybrief.rendering import Renderer, md_escape, shipped_templates_dir


def test_md_escape_keeps_document_text_literal() -> None:
    assert md_escape("<script>alert(1)</script>") == "\\<script\\>alert(1)\\</script\\>"
    assert md_escape("a *b* [c](d) `e` #f") == "a \\*b\\* \\[c\\](d) \\`e\\` \\#f"
    assert md_escape("U.S.-China $52.7 billion") == "U.S.-China $52.7 billion"


def test_html_templates_autoescape(tmp_path: Path) -> None:
    (tmp_path / "page.html.j2").write_text("<p>{{ text }}</p>", "utf-8")
    out = Renderer(tmp_path).render("page.html.j2", {"text": "<script>x</script>"})
    assert out == "<p>&lt;script&gt;x&lt;/script&gt;</p>"


def test_project_templates_override_shipped_ones(tmp_path: Path) -> None:
    (tmp_path / "briefing.md.j2").write_text("mine", "utf-8")
    assert Renderer(tmp_path).template_files("briefing.md.j2") == [tmp_path / "briefing.md.j2"]
    assert Renderer(tmp_path / "none").template_files("briefing.md.j2")[0] == (
        shipped_templates_dir() / "briefing.md.j2"
    )


def test_template_files_follow_includes(tmp_path: Path) -> None:
    (tmp_path / "page.md.j2").write_text('{% include "part.md.j2" %}', "utf-8")
    (tmp_path / "part.md.j2").write_text("part", "utf-8")
    assert Renderer(tmp_path).template_files("page.md.j2") == [
        tmp_path / "page.md.j2",
        tmp_path / "part.md.j2",
    ]


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("line one\n{{ missing }}\n", 2, "'missing' is undefined"),
        ("a\nb\n{% if x %}\n", 3, "Unexpected end of template"),
        ("{{ 1 / 0 }}\n", 1, "ZeroDivisionError"),
    ],
)
def test_template_errors_name_file_and_line(
    tmp_path: Path, source: str, line: int, message: str
) -> None:
    (tmp_path / "t.md.j2").write_text(source, "utf-8")
    with pytest.raises(TemplateRenderError) as caught:
        Renderer(tmp_path).render("t.md.j2", {"x": 1})
    assert f"t.md.j2:{line}" in str(caught.value)
    assert message in str(caught.value)


def test_missing_template_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateRenderError, match=r"'nope\.md\.j2' not found"):
        Renderer(tmp_path).render("nope.md.j2", {})


def test_templates_run_sandboxed(tmp_path: Path) -> None:
    (tmp_path / "evil.md.j2").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}", "utf-8")
    with pytest.raises(TemplateRenderError, match=r"evil\.md\.j2:1.*unsafe"):
        Renderer(tmp_path).render("evil.md.j2", {})
    (tmp_path / "mutate.md.j2").write_text("{{ items.append(1) }}", "utf-8")
    with pytest.raises(TemplateRenderError, match="unsafe"):
        Renderer(tmp_path).render("mutate.md.j2", {"items": []})


def test_the_source_list_stands_apart_and_a_title_ending_in_a_period_gets_no_second(
    tmp_path: Path,
) -> None:
    (tmp_path / "page.md.j2").write_text('- last bullet\n{% include "_sources.md.j2" %}', "utf-8")
    source = {
        "number": 1,
        "title": "Chips policy of the U.S.",
        "source": "",
        "published": None,
        "path": "corpus/us.md",
        "pages": [],
        "url": "",
        "url_text": "",
    }
    out = Renderer(tmp_path).render("page.md.j2", {"sources": [source]})
    assert "- last bullet\n\n## Sources\n\n1. Chips policy of the U.S. Source not stated" in out
    assert "\n\n\n" not in out
