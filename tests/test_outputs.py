"""What readers get: HTML in a real browser, PDF and DOCX exports, templates, init, add, ask -i."""

from __future__ import annotations

import io
import json
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fpdf import FPDF

from policybrief.browser import CHROMIUM, launch_chromium
from policybrief.cli import cli
from tests.conftest import REPO, SHARED

DEV = SHARED / "corpus-dev"
DATED = [
    "2022-10-07_bis-press-release-advanced-computing-controls-prc.md",
    "2023-10-17_bis-press-release-strengthens-restrictions.md",
    "2025-07-31_senate-warren-rounds-ai-infrastructure-letter.md",
    "2025-12-03_senate-warren-h200-statement.md",
]
TIMELINE_SPEC = """
title: US chip controls over time
template: timeline
formats: [md, html]
sections:
  - heading: Controls
    questions: ["What export controls did the Commerce Department impose on chips to China?"]
  - heading: Congress
    questions: ["What did senators ask the administration about AI chips?"]
"""


@pytest.fixture
def sample(make_project: Callable[..., Path], run_cli: Callable[..., Result]) -> Path:
    root = make_project(sample=True)
    shutil.copytree(
        REPO / "briefings" / "ai-independence",
        root / "briefings" / "ai-independence",
        ignore=shutil.ignore_patterns("history", "briefing.*", "sources.json"),
    )
    assert run_cli(root, "ingest").exit_code == 0
    return root


def test_pdf_and_docx_carry_citations_and_sources(
    sample: Path, run_cli: Callable[..., Result]
) -> None:
    from docx import Document
    from pypdf import PdfReader

    result = run_cli(sample, "generate", "ai-independence", "--format", "md,html,pdf,docx")
    assert result.exit_code == 0, result.output
    folder = sample / "briefings" / "ai-independence"
    pdf_text = " ".join(p.extract_text() for p in PdfReader(folder / "briefing.pdf").pages)
    assert "Sources" in pdf_text and "[1]" in pdf_text
    assert "Trump's H20 chip ban pushes China toward AI independence" in " ".join(pdf_text.split())
    assert "380 billion RMB" in pdf_text
    document = Document(str(folder / "briefing.docx"))
    paragraphs = [p.text for p in document.paragraphs]
    headings = [
        p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings[:2] == [
        "China's push for AI independence after the US H20 chip ban",
        "Bottom line",
    ]
    assert "Sources" in headings
    assert any(t.endswith("[1]") and "380 billion RMB" in t for t in paragraphs)
    assert any(t.startswith("[1] Trump's H20 chip ban") for t in paragraphs)
    again = run_cli(sample, "generate", "ai-independence", "--format", "md,html,pdf,docx")
    assert "unchanged" in again.output  # exports are not rebuilt when nothing changed


def test_formats_can_be_chosen_in_the_spec_and_bad_ones_are_refused(
    sample: Path, run_cli: Callable[..., Result]
) -> None:
    spec = sample / "briefings" / "ai-independence" / "spec.yaml"
    spec.write_text(spec.read_text("utf-8") + "formats: [md, docx]\n", "utf-8")
    assert run_cli(sample, "generate", "ai-independence").exit_code == 0
    folder = sample / "briefings" / "ai-independence"
    assert (folder / "briefing.docx").is_file() and not (folder / "briefing.html").exists()
    bad = run_cli(sample, "generate", "ai-independence", "--format", "md,rtf")
    assert bad.exit_code == 1 and "unknown format(s) rtf" in bad.output


def test_adding_a_format_archives_no_copy_of_the_same_briefing(
    sample: Path, run_cli: Callable[..., Result]
) -> None:
    folder = sample / "briefings" / "ai-independence"
    assert run_cli(sample, "generate", "ai-independence").exit_code == 0
    for formats in ("docx", "md,docx", "md"):
        result = run_cli(sample, "generate", "ai-independence", "--format", formats)
        assert result.exit_code == 0, result.output
    history = folder / "history"
    assert not history.exists() or not any(history.iterdir())


def test_a_docx_from_an_earlier_run_is_rebuilt_with_the_briefing(
    sample: Path, run_cli: Callable[..., Result]
) -> None:
    folder = sample / "briefings" / "ai-independence"
    assert run_cli(sample, "generate", "ai-independence", "--format", "md,docx").exit_code == 0
    before = (folder / "briefing.docx").read_bytes()
    spec = folder / "spec.yaml"
    spec.write_text(spec.read_text("utf-8").replace('title: "', 'title: "Revised: ', 1), "utf-8")
    assert run_cli(sample, "generate", "ai-independence").exit_code == 0
    assert (folder / "briefing.docx").read_bytes() != before


def test_shipped_templates_are_listed_and_a_project_template_overrides(
    sample: Path, run_cli: Callable[..., Result]
) -> None:
    listed = run_cli(sample, "templates").output
    for name in ("briefing", "memo", "timeline"):
        assert name in listed
    assert "_base" not in listed and "_sources" not in listed
    (sample / "templates").mkdir()
    (sample / "templates" / "memo.md.j2").write_text("{#- My memo. -#}\n# {{ title }}\n", "utf-8")
    data = json.loads(run_cli(sample, "templates", "--json").output)
    memo = next(t for t in data if t["name"] == "memo")
    assert memo["origin"] == "project (overrides shipped)" and memo["description"] == "My memo"


def test_the_memo_puts_the_bottom_line_first(sample: Path, run_cli: Callable[..., Result]) -> None:
    spec = sample / "briefings" / "ai-independence" / "spec.yaml"
    spec.write_text(spec.read_text("utf-8").replace("template: briefing", "template: memo"))
    assert run_cli(sample, "generate", "ai-independence").exit_code == 0
    memo = (sample / "briefings" / "ai-independence" / "briefing.md").read_text("utf-8")
    assert memo.index("## Bottom line up front") < memo.index("## Key points")
    assert "**Outlook.**" in memo and "## Sources" in memo


def test_the_timeline_orders_evidence_by_date(
    make_project: Callable[..., Path], run_cli: Callable[..., Result]
) -> None:
    root = make_project({name: (DEV / name).read_text("utf-8") for name in DATED})
    (root / "briefings" / "t").mkdir()
    (root / "briefings" / "t" / "spec.yaml").write_text(TIMELINE_SPEC, "utf-8")
    assert run_cli(root, "ingest").exit_code == 0
    assert run_cli(root, "generate", "t").exit_code == 0
    lines = [
        line
        for line in (root / "briefings" / "t" / "briefing.md").read_text("utf-8").splitlines()
        if line.startswith("- **")
    ]
    from policybrief.text import parse_date

    dates = [parse_date(line[4 : line.index("**", 4)]) for line in lines]
    assert len(dates) >= 3 and None not in dates
    assert dates == sorted(dates)  # type: ignore[type-var]
    assert dates[0].year == 2022 and dates[-1].year == 2025  # type: ignore[union-attr]


def test_init_scaffolds_a_project_that_works(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "new")])
    assert result.exit_code == 0, result.output
    new = tmp_path / "new"
    assert (new / "corpus").is_dir() and (new / "templates" / "README.md").is_file()
    assert "# the packaged model" in (new / "brief.toml").read_text("utf-8")
    shutil.copy(REPO / "corpus" / "000_2ce7d138358dc40e.txt", new / "corpus")
    assert run_cli(new, "ingest").exit_code == 0
    built = run_cli(new, "generate", "example")
    assert built.exit_code == 0, built.output
    assert (new / "briefings" / "example" / "briefing.html").is_file()
    again = CliRunner().invoke(cli, ["init", str(new)])
    assert "kept" in again.output and "created" not in again.output


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[str]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "letter.html").write_text(
        """<html><head><title>Senators press Commerce on chip exports</title>
        <meta property="og:site_name" content="Senate Banking Committee">
        <meta property="article:published_time" content="2025-08-02">
        <script>track()</script></head><body><nav>Home | News</nav>
        <article><h1>Senators press Commerce on chip exports</h1>
        <p>Two senators asked the Commerce Department to stop licences for gallium refining
        equipment bound for China.</p><h2>Next steps</h2><p>The department must reply by
        September.</p></article><footer>Copyright</footer></body></html>""",
        "utf-8",
    )

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(site), **kwargs)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_missing_page_is_named_by_its_http_status(
    sample: Path, web_server: str, run_cli: Callable[..., Result]
) -> None:
    result = run_cli(sample, "add", f"{web_server}/gone.html")
    assert result.exit_code == 1 and "HTTP 404" in result.output


def test_a_broken_spec_names_the_line_and_column(
    sample: Path, run_cli: Callable[..., Result]
) -> None:
    spec = sample / "briefings" / "ai-independence" / "spec.yaml"
    spec.write_text("title: T\nsections:\n  - heading: [unclosed\n", "utf-8")
    result = run_cli(sample, "generate", "ai-independence")
    assert result.exit_code == 1 and "not valid YAML at line 4, column 1" in result.output


def test_add_fetches_a_page_and_copies_a_file(
    sample: Path, web_server: str, tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    note = tmp_path / "note.md"
    note.write_text("# Field note\n\nA field note on chips.\n", "utf-8")
    result = run_cli(sample, "add", f"{web_server}/letter.html", str(note))
    assert result.exit_code == 0, result.output
    saved = sample / "corpus" / "web" / "2025-08-02-senators-press-commerce-on-chip-exports.md"
    text = saved.read_text("utf-8")
    assert "title: Senators press Commerce on chip exports" in text
    assert "source: Senate Banking Committee" in text and "published: '2025-08-02'" in text
    assert f"url: {web_server}/letter.html" in text and "fetched:" in text
    assert "## Next steps" in text and "track()" not in text and "Copyright" not in text
    assert (sample / "corpus" / "note.md").read_text("utf-8") == note.read_text("utf-8")
    assert "added" in result.output and "3 documents" in result.output
    answer = json.loads(
        run_cli(sample, "ask", "gallium refining equipment licences", "--json").output
    )
    assert answer["sources"][0]["title"] == "Senators press Commerce on chip exports"
    again = run_cli(sample, "add", f"{web_server}/letter.html")
    assert "present" in again.output
    missing = run_cli(sample, "add", f"{web_server}/nope.html")
    assert missing.exit_code == 1 and "cannot fetch" in missing.output


def test_add_describes_a_pdf_that_does_not_describe_itself(
    sample: Path, tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "The bureau added 140 firms to the Entity List for gallium refining.")
    pdf.output(str(tmp_path / "report.pdf"))
    described = ["--published", "2024-12-02", "--source", "Bureau of Industry and Security"]
    result = run_cli(
        sample, "add", str(tmp_path / "report.pdf"), "--title", "Entity List", *described
    )
    assert result.exit_code == 0, result.output
    sidecar = sample / "corpus" / "report.pdf.yaml"
    assert "published: '2024-12-02'" in sidecar.read_text("utf-8")
    answer = json.loads(
        run_cli(sample, "ask", "Entity List gallium refining firms", "--json").output
    )
    source = answer["sources"][0]
    assert (source["title"], source["published"]) == ("Entity List", "2024-12-02")
    assert source["source"] == "Bureau of Industry and Security"

    # A file already in the corpus is described in place, and re-read.
    fix = run_cli(
        sample, "add", str(sample / "corpus" / "report.pdf"), "--url", "https://example.org/r.pdf"
    )
    assert fix.exit_code == 0 and "described" in fix.output and "updated" in fix.output
    assert "title: Entity List" in sidecar.read_text("utf-8")  # what it said before is kept
    two = run_cli(
        sample,
        "add",
        str(tmp_path / "report.pdf"),
        str(sample / "corpus" / "report.pdf"),
        "--title",
        "X",
    )
    assert two.exit_code == 1 and "a title describes one item" in two.output
    bad = run_cli(sample, "add", str(tmp_path / "report.pdf"), "--published", "spring")
    assert bad.exit_code == 2 and "is not a date" in bad.output
    sidecar.write_text("published: 2024-02-30\n", "utf-8")  # YAML's date, but no real day
    broken = run_cli(sample, "add", str(sample / "corpus" / "report.pdf"), "--source", "BIS")
    assert broken.exit_code == 1 and "report.pdf.yaml: a date is not a real day" in broken.output


def test_a_fetched_pdf_keeps_its_address(
    sample: Path, web_server: str, tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "The bureau added 140 firms to the Entity List for gallium refining.")
    pdf.output(str(tmp_path / "site" / "entity-list.pdf"))
    result = run_cli(sample, "add", f"{web_server}/entity-list.pdf")
    assert result.exit_code == 0, result.output
    sidecar = (sample / "corpus" / "web" / "entity-list.pdf.yaml").read_text("utf-8")
    assert f"url: {web_server}/entity-list.pdf" in sidecar and "fetched:" in sidecar
    two = run_cli(sample, "add", f"{web_server}/entity-list.pdf", "x.pdf", "--url", "https://a.b")
    assert two.exit_code == 1 and "a url describes one item" in two.output


def test_ask_interactive_keeps_state_between_questions(sample: Path) -> None:
    script = "\n".join(
        [
            "How much is Alibaba investing in AI infrastructure?",
            "/sources",
            "/filter since=2030-01-01",
            "How much is Alibaba investing in AI infrastructure?",
            "/filter clear",
            "/mode keyword",
            "/k 0",
            "/nonsense",
            "/quit",
        ]
    )
    result = CliRunner().invoke(cli, ["--project", str(sample), "ask", "-i"], input=script)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.count("380 billion RMB") >= 2  # the answer, then /sources quoting it
    assert "[1] Trump's H20 chip ban" in out
    assert "filters: since=2030-01-01" in out
    assert "No document matches the filter (since 2030-01-01)" in out
    assert "mode: keyword" in out and "k must be a positive whole number" in out
    assert "unknown command /nonsense" in out


def test_quiet_and_json_for_scripts(sample: Path, run_cli: Callable[..., Result]) -> None:
    quiet = run_cli(sample, "--quiet", "generate", "ai-independence")
    assert quiet.exit_code == 0 and quiet.output == ""
    data = json.loads(run_cli(sample, "generate", "ai-independence", "--json").output)
    assert data["written"] is False and data["supported"] == data["statements"] > 0
    regen = json.loads(run_cli(sample, "regenerate", "--json").output)
    assert regen["briefings"][0]["current"] is True


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"Chromium is not installed at {CHROMIUM}: `make browser` (as root) installs it",
)
def test_the_html_briefing_in_a_real_browser(
    sample: Path, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    assert run_cli(sample, "generate", "ai-independence").exit_code == 0
    html = sample / "briefings" / "ai-independence" / "briefing.html"
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.goto(html.as_uri())
        links = page.eval_on_selector_all("a.cite", "els => els.map(e => e.getAttribute('href'))")
        assert links and all(link.startswith("#src-") for link in links)
        for link in set(links):
            assert page.locator(link).count() == 1, f"{link} resolves to no source entry"
        first = page.locator("a.cite").first
        excerpt = first.locator(".pop")
        assert not excerpt.is_visible()
        first.hover()
        assert excerpt.is_visible() and len(excerpt.inner_text()) > 40
        first.click()
        assert page.evaluate("location.hash") == links[0]
        page.screenshot(path=str(tmp_path / "briefing.png"), full_page=True)
        browser.close()
    assert requests == [html.as_uri()]  # nothing but the file itself
    assert (tmp_path / "briefing.png").stat().st_size > 10_000


def test_html_output_is_one_self_contained_file(
    sample: Path, run_cli: Callable[..., Result]
) -> None:
    run_cli(sample, "generate", "ai-independence")
    html = (sample / "briefings" / "ai-independence" / "briefing.html").read_text("utf-8")
    for forbidden in ("<script", "<link", "@import", "url(", "<img"):
        assert forbidden not in html
    assert "@media print" in html and 'id="src-1"' in html


def test_a_source_url_is_a_hyperlink_in_docx_and_printed_once_in_pdf() -> None:
    import zipfile

    from policybrief.exporting import markdown_to_docx

    markdown = "## Sources\n\n1. A rule. BIS, 7 October 2022. <https://example.org/rule>\n"
    docx = zipfile.ZipFile(io.BytesIO(markdown_to_docx(markdown)))
    body = docx.read("word/document.xml").decode("utf-8")
    relations = docx.read("word/_rels/document.xml.rels").decode("utf-8")
    assert "<w:hyperlink" in body and "&lt;https://" not in body
    assert 'Target="https://example.org/rule"' in relations
    css = (REPO / "templates" / "_base.html.j2").read_text("utf-8")
    assert 'a[href^="http"]:not(.url)::after' in css  # a bare URL is not printed again


def one_question_briefing(
    root: Path, run_cli: Callable[..., Result], question: str, formats: str = "[md, html]"
) -> Result:
    """Index ``root`` and generate briefing "b": one section asking ``question``."""
    (root / "briefings" / "b").mkdir()
    (root / "briefings" / "b" / "spec.yaml").write_text(
        f"title: T\nformats: {formats}\nsections:\n  - heading: S\n    questions: [{question!r}]\n",
        "utf-8",
    )
    assert run_cli(root, "ingest").exit_code == 0
    return run_cli(root, "generate", "b")


def test_a_printed_statement_does_not_break_after_its_first_word(
    make_project: Callable[..., Path], run_cli: Callable[..., Result]
) -> None:
    from pypdf import PdfReader

    statement = (
        "On October 17, 2023, BIS released three rules updating the controls released on "
        "October 7, 2022."
    )
    root = make_project({"rules.md": f"---\ntitle: Rules\n---\n{statement}\n"})
    result = one_question_briefing(
        root, run_cli, "What did BIS release on October 17, 2023?", formats="[pdf]"
    )
    assert result.exit_code == 0, result.output
    pdf = PdfReader(root / "briefings" / "b" / "briefing.pdf")
    text = "\n".join(page.extract_text() for page in pdf.pages)
    lines = [line.strip() for line in text.splitlines()]
    assert "On" not in lines  # WeasyPrint broke a bullet's line after "On", with room to spare


def test_docx_is_a_valid_zip(sample: Path, run_cli: Callable[..., Result]) -> None:
    import zipfile

    run_cli(sample, "generate", "ai-independence", "--format", "md,docx")
    data = (sample / "briefings" / "ai-independence" / "briefing.docx").read_bytes()
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.org/rule?id=1&x=2", True),
        ("HTTP://EXAMPLE.ORG/RULE", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("  javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("java\x00script:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox(1)", False),
        ("javascript&#58;alert(1)", False),
        ('https://example.org/"onmouseover=alert(1)', False),
        ("//evil.example/x", False),
    ],
)
def test_only_web_addresses_become_links(url: str, linked: bool) -> None:
    from policybrief.rendering import safe_link

    assert (safe_link(url) == url) is linked
    assert safe_link(url) in ("", url)


def test_a_script_url_in_front_matter_is_shown_as_text_never_as_a_link(
    make_project: Callable[..., Path], run_cli: Callable[..., Result]
) -> None:
    root = make_project(
        {
            "note.md": '---\ntitle: Note\nurl: "javascript:alert(1)"\n---\n'
            "Alibaba planned to invest 380 billion RMB in its AI infrastructure in February.\n"
        }
    )
    result = one_question_briefing(
        root, run_cli, "How much is Alibaba investing in AI infrastructure?"
    )
    assert result.exit_code == 0, result.output
    html = (root / "briefings" / "b" / "briefing.html").read_text("utf-8")
    markdown = (root / "briefings" / "b" / "briefing.md").read_text("utf-8")
    assert 'href="javascript' not in html.lower() and "javascript:alert(1)" in html
    assert "<javascript:" not in markdown and "javascript:alert(1)" in markdown
