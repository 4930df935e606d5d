from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fpdf import FPDF

from policybrief.errors import LoadError
from policybrief.loaders import load_document
from policybrief.text import parse_date
from tests.conftest import SAMPLE


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def make_pdf(path: Path, pages: list[str], title: str = "") -> Path:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    if title:
        pdf.set_title(title)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def test_sample_news_scrape_keeps_title_date_and_story_and_drops_boilerplate() -> None:
    doc = load_document(SAMPLE, SAMPLE.name)
    assert doc.title == "Trump's H20 chip ban pushes China toward AI independence"
    assert doc.published == date(2025, 4, 21)  # the earlier of the two datelines
    assert [h for _, h in doc.headings] == ["Highlights", "Story"]
    assert "Opinions" not in doc.text
    assert "reached the end" not in doc.text
    assert "Apr 24, 2025" not in doc.text
    assert doc.text.startswith("• The Trump administration's H20 chip ban")
    assert "380 billion RMB, or around $52.7 billion" in doc.text
    story = doc.text.index("In response to escalated")
    assert doc.heading_at(story) == "Story"
    assert doc.heading_at(0) == "Highlights"


def test_plain_text_takes_title_from_a_first_line_set_apart(tmp_path: Path) -> None:
    path = write(tmp_path, "note.txt", "Chip notes\n\nFirst paragraph here.\nSecond one.\n")
    doc = load_document(path, "note.txt")
    assert doc.title == "Chip notes"
    assert doc.text == "First paragraph here. Second one."  # one wrapped paragraph
    assert doc.published is None


def test_plain_text_without_a_title_line_is_named_after_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "export_rules.txt", "Just one long paragraph of text.\nAnd more.")
    doc = load_document(path, "export_rules.txt")
    assert doc.title == "export rules"
    assert doc.text.startswith("Just one long paragraph")


def test_markdown_front_matter_gives_metadata_and_headings_give_provenance(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "rule.md",
        '---\ntitle: "New Rule"\npublished: 2024-04-04\nsource: BIS\n'
        "url: https://example.org/rule\n---\n# New Rule\n\nIntro with a [link](http://x.y) "
        "and **bold** text.\n\n## Details\n\n- First item.\n- Second item.\n",
    )
    doc = load_document(path, "rule.md")
    assert (doc.title, doc.published, doc.source, doc.url) == (
        "New Rule",
        date(2024, 4, 4),
        "BIS",
        "https://example.org/rule",
    )
    assert doc.text == "Intro with a link and bold text.\nFirst item.\nSecond item."
    assert doc.heading_at(doc.text.index("First item")) == "Details"


def test_markdown_without_front_matter_takes_title_from_first_heading(tmp_path: Path) -> None:
    path = write(tmp_path, "a.md", "# The Heading\n\nBody text.\n")
    doc = load_document(path, "a.md")
    assert doc.title == "The Heading"
    assert doc.published is None


def test_markdown_with_broken_front_matter_is_a_clear_load_error(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.md", "---\ntitle: ok\nsource: [unclosed\n---\nBody\n")
    with pytest.raises(LoadError, match="front matter is not valid YAML at line 3, column 18"):
        load_document(path, "bad.md")


def test_html_keeps_main_text_and_drops_scripts_and_navigation(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "page.html",
        """<html><head><title>Page title</title>
        <meta property="article:published_time" content="2025-07-31T10:00:00Z">
        <meta property="og:site_name" content="Senate Banking">
        <script>var tracking = 1;</script><style>p {color: red}</style></head>
        <body><nav><a href="/">Home</a> | <a href="/news">News</a></nav>
        <article><h1>Letter on AI chips</h1><p>Senators wrote to Commerce.</p>
        <h2>Demands</h2><p>They asked for <b>answers</b> by August.</p></article>
        <footer>Copyright</footer></body></html>""",
    )
    doc = load_document(path, "page.html")
    assert doc.title == "Page title"
    assert doc.published == date(2025, 7, 31)
    assert doc.source == "Senate Banking"
    assert doc.text == "Senators wrote to Commerce.\nThey asked for answers by August."
    assert "tracking" not in doc.text and "Home" not in doc.text and "Copyright" not in doc.text
    assert doc.heading_at(doc.text.index("They asked")) == "Demands"


def test_pdf_keeps_text_per_page_with_page_numbers(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "report.pdf",
        ["Page one talks about export controls.", "Page two covers critical minerals."],
        title="Annual Report",
    )
    doc = load_document(path, "report.pdf")
    assert doc.title == "Annual Report"
    assert doc.page_at(doc.text.index("export controls")) == 1
    assert doc.page_at(doc.text.index("critical minerals")) == 2


def test_corrupt_pdf_is_a_clear_load_error(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.pdf", b"%PDF-1.4\nthis is not really a pdf")
    with pytest.raises(LoadError, match=r"broken\.pdf"):
        load_document(path, "broken.pdf")


def test_unsupported_suffix_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "image.png", b"\x89PNG")
    with pytest.raises(LoadError, match=r"unsupported file type \.png"):
        load_document(path, "image.png")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-04-21", date(2025, 4, 21)),
        ("2025-07-31T10:00:00Z", date(2025, 7, 31)),
        ("Apr 21, 2025, 5:33 PM", date(2025, 4, 21)),
        ("April 21, 2025", date(2025, 4, 21)),
        ("21 April 2025", date(2025, 4, 21)),
        ("Sept 3, 2025", date(2025, 9, 3)),
        ("December 03, 2025", date(2025, 12, 3)),
        ("not a date", None),
        ("Highlights", None),
        ("2025", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_wrapped_lines_join_into_paragraphs(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "wrapped.md",
        "# T\n\nA sentence that wraps\nonto a second line.\n\n"
        "- an item that\n  wraps too\n- next\n",
    )
    doc = load_document(path, "wrapped.md")
    assert doc.text == "A sentence that wraps onto a second line.\nan item that wraps too\nnext"
    text = write(tmp_path, "wrapped.txt", "Title\n\nFirst line of a\nparagraph.\n\nSecond.\n")
    assert load_document(text, "wrapped.txt").text == "First line of a paragraph.\nSecond."


def test_pdf_lines_join_and_broken_words_mend(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "wrapped.pdf",
        ["Export controls on advanced semi-\nconductors took effect in October."],
    )
    doc = load_document(path, "wrapped.pdf")
    assert "advanced semiconductors took effect in October." in doc.text


ENCODED_TEXTS = {
    ("en", "cp1252"): "The Commission’s “chip diplomacy” review – worth €4.2 billion, says Müller… "
    "It’s “final”.",
    ("de", "cp1252"): "Die Kommission prüft die „Chip-Diplomatie“ – Kosten: 4,2 Mrd. €. "
    "Größere Übernahmen sind möglich.",
    ("es", "cp1252"): "¿Qué dijo la Comisión? «La diplomacia de los chips» cuesta "
    "4,2 mil millones €.",
    ("fr", "cp1252"): "La Commission a lancé l’examen « diplomatie des puces » — coût : 4,2 "
    "milliards d’euros.",
    ("fr", "latin_1"): "La Commission a lancé l'examen « diplomatie des puces » : coût 4,2 "
    "milliards d'euros. Élève à Noël.",
    ("pl", "cp1250"): "Komisja Europejska zbada „dyplomację chipową” – koszt 4,2 mld €. "
    "Żółć, źdźbło, łódź.",
    ("ru", "cp1251"): "Экспортный контроль США ускоряет развитие китайской индустрии ИИ — "
    "«Хуавэй» представила чип.",
    ("el", "cp1253"): "Οι έλεγχοι εξαγωγών των ΗΠΑ επιταχύνουν την ανάπτυξη της κινεζικής "
    "βιομηχανίας τεχνητής νοημοσύνης.",
    ("ja", "shift_jis"): "米国の輸出規制により、中国はＡＩチップの自給自足を加速している。"
    "華為技術は新しいチップを発表した。",
    ("zh", "gb18030"): "美国对英伟达H20芯片的禁令促使中国加快人工智能自主发展。"
    "阿里巴巴计划投资3800亿元。",
    ("ko", "euc_kr"): "미국의 수출 통제로 중국은 인공지능 반도체 자립을 가속화하고 있다. "
    "화웨이는 새로운 칩을 발표했다.",
    ("en", "utf-8"): "The Commission’s “chip diplomacy” review – worth €4.2 billion.",
}


@pytest.mark.parametrize(("language", "encoding"), list(ENCODED_TEXTS))
def test_text_in_each_encoding_reads_back_with_its_punctuation(
    tmp_path: Path, language: str, encoding: str
) -> None:
    text = ENCODED_TEXTS[language, encoding]
    path = write(tmp_path, f"{language}-{encoding}.txt", text.encode(encoding))
    assert load_document(path, path.name).text.strip() == text


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.mark.skipif(not DEJAVU.is_file(), reason="needs a font with U+2010 (DejaVu Sans)")
def test_pdf_words_broken_by_typesetting_hyphens_are_mended(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(DEJAVU))
    pdf.set_font("DejaVu", size=12)
    pdf.add_page()
    pdf.multi_cell(
        0, 8, "Export compli\u2010\nance matters to Deep\u2010\nSeek and the U.S.-\nChina talks."
    )
    pdf.output(str(tmp_path / "report.pdf"))
    text = load_document(tmp_path / "report.pdf", "report.pdf").text
    assert "Export compliance matters to DeepSeek and the U.S.- China talks." in text


def test_a_page_title_loses_its_site_suffix(tmp_path: Path) -> None:
    body = " ".join(["Commerce tightened the rules on advanced chips for export to China."] * 12)
    path = write(
        tmp_path,
        "page.html",
        "<html><head><title>New chip rule | Example Trade Monitor</title>"
        '<meta property="og:site_name" content="Example Trade Monitor"></head>'
        f"<body><article><h1>New chip rule</h1><p>{body}</p></article></body></html>",
    )
    doc = load_document(path, "page.html")
    assert doc.title == "New chip rule" and doc.source == "Example Trade Monitor"


REPORT_PAGES = [
    (
        "CONGRESSIONAL DEBATE",
        "The letter asks Commerce to explain its licensing of advanced chips to China. "
        "Exporters must comply within thirty days of publication.",
        "Departments must review every licence each quarter. DeepSeek released a model "
        "that rivals American ones.1",
        "1 Source: company statement, January 2025.",
    ),
    (
        "Section 2",
        "The second part covers gallium and germanium, whose exports China restricted in 2023.",
        "Huawei ships the Ascend 910C accelerator to domestic buyers.",
        "2 Estimate by the committee staff.",
    ),
    (
        "Section 3",
        "The third part reviews the Entity List additions made in December 2024.",
        "Lawmakers asked for a briefing by March 1, 2025 on enforcement staffing.",
        "3 Federal Register, December 2024.",
    ),
]


class _AgencyReport(FPDF):
    """An agency report's layout: running header and footer, two columns, footnotes."""

    def header(self) -> None:
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, "Bureau of Industry and Security | 2024-12-02", align="R")
        self.ln(10)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.cell(90, 6, "Export Controls: Advanced Computing")
        self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="R")


def make_report(path: Path) -> Path:
    pdf = _AgencyReport()
    for heading, left, right, note in REPORT_PAGES:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 14)
        pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        top = pdf.get_y()
        pdf.multi_cell(88, 5, left)
        pdf.set_xy(110, top)
        pdf.multi_cell(88, 5, right)
        pdf.set_y(250)
        pdf.set_font("Helvetica", size=7)
        pdf.multi_cell(0, 4, note)
    pdf.output(str(path))
    return path


def test_a_report_pdf_loses_running_headers_and_footers_and_keeps_headings_apart(
    tmp_path: Path,
) -> None:
    doc = load_document(make_report(tmp_path / "report.pdf"), "report.pdf")
    assert "Bureau of Industry" not in doc.text and "Page 1 of 3" not in doc.text
    assert "Export Controls: Advanced Computing" not in doc.text
    assert [heading for _, heading in doc.headings] == [p[0] for p in REPORT_PAGES]
    paragraphs = doc.text.split("\n")
    assert paragraphs[0] == "CONGRESSIONAL DEBATE"  # a paragraph of its own, not glued on
    assert paragraphs[1].startswith(REPORT_PAGES[0][1])
    assert "1 Source: company statement, January 2025." in paragraphs  # a footnote stands apart
    for number, (heading, left, right, note) in enumerate(REPORT_PAGES, start=1):
        for text in (left, right, note):
            assert doc.page_at(doc.text.index(text[:40])) == number
        assert doc.heading_at(doc.text.index(left[:40])) == heading


def test_a_pdf_keeps_a_year_atop_a_page_and_drops_bare_page_numbers(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=12)
    for number, lines in ((7, "2024\nExport controls tightened."), (8, "Gallium exports fell.")):
        pdf.add_page()
        pdf.multi_cell(0, 8, lines)
        pdf.set_y(-20)
        pdf.cell(0, 8, str(number), align="C")
    pdf.output(str(tmp_path / "memo.pdf"))
    doc = load_document(tmp_path / "memo.pdf", "memo.pdf")
    assert doc.text == "2024 Export controls tightened.\nGallium exports fell."


def _line(pdf: FPDF, text: str, style: str = "", size: int = 11) -> None:
    pdf.set_font("Helvetica", style, size)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")


def test_a_pdf_keeps_every_word_that_looks_like_a_heading_and_spots_numbered_ones(
    tmp_path: Path,
) -> None:
    pdf = FPDF()
    pdf.add_page()
    _line(pdf, "1. Introduction", "B")
    _line(pdf, "Member states shall keep logs for at least six months.")
    for cell in ("Region", "Completions", "Change"):  # bold table cells are no heading
        _line(pdf, cell, "B")
    _line(pdf, "Why does this matter?", "B", 14)
    _line(pdf, "planning refusals in the same period", "B")  # a bold sentence on two lines
    _line(pdf, "rose in every region.", "B")
    _line(pdf, "UK GDP 2.3%")
    pdf.output(str(tmp_path / "brief.pdf"))
    doc = load_document(tmp_path / "brief.pdf", "brief.pdf")
    assert [heading for _, heading in doc.headings] == ["1. Introduction", "Why does this matter?"]
    assert doc.text.split("\n") == [
        "1. Introduction",
        "Member states shall keep logs for at least six months.",
        "Region Completions Change",
        "Why does this matter?",
        "planning refusals in the same period rose in every region.",
        "UK GDP 2.3%",
    ]


def test_running_lines_go_wherever_the_pdf_draws_them_and_per_chapter(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    chapters = [f"Chapter {n}: Part {n}" for n in (1, 1, 2, 2, 3, 3)]  # two pages each
    for number, chapter in enumerate(chapters, 1):
        pdf.add_page()
        pdf.set_xy(10, 285)  # the footer first, as layout programs draw master pages
        pdf.set_font("Helvetica", size=8)
        pdf.cell(0, 6, f"Institute for Policy Studies | {number}")
        pdf.set_xy(10, 10)
        _line(pdf, chapter)
        pdf.set_xy(10, 60)
        for line in range(4):
            _line(pdf, f"Line {line} of page {number} is about housing supply.")
    pdf.output(str(tmp_path / "chapters.pdf"))
    text = load_document(tmp_path / "chapters.pdf", "chapters.pdf").text
    assert "Chapter" not in text and "Institute" not in text
    assert text.count("is about housing supply.") == 24


def test_a_sidecar_gives_a_pdf_its_title_date_publisher_and_url(tmp_path: Path) -> None:
    path = make_report(tmp_path / "report.pdf")
    write(
        tmp_path,
        "report.pdf.yaml",
        "title: Export Controls on Advanced Computing\npublished: 2024-12-02\n"
        "source: Bureau of Industry and Security\nurl: https://example.org/report.pdf\n",
    )
    doc = load_document(path, "report.pdf")
    assert doc.title == "Export Controls on Advanced Computing"
    assert doc.published == date(2024, 12, 2)
    assert doc.source == "Bureau of Industry and Security"
    assert doc.url == "https://example.org/report.pdf"
    write(tmp_path, "report.pdf.yaml", "title: '   '\n")
    assert load_document(path, "report.pdf").title == "report"  # a blank title is no title


@pytest.mark.parametrize(
    ("sidecar", "reason"),
    [
        ("publisher: BIS\n", r"report\.pdf\.yaml: unknown key 'publisher' \(use title, published"),
        ("published: last spring\n", r"published 'last spring' is not a date"),
        ("title: [unclosed\n", r"report\.pdf\.yaml is not valid YAML at line 2, column 1"),
        ("- a list\n", r"report\.pdf\.yaml is not a mapping"),
        ("published: 2024-02-30\n", r"report\.pdf\.yaml: a date is not a real day"),
    ],
)
def test_a_bad_sidecar_is_a_clear_load_error(tmp_path: Path, sidecar: str, reason: str) -> None:
    path = make_pdf(tmp_path / "report.pdf", ["Some text about chips."])
    write(tmp_path, "report.pdf.yaml", sidecar)
    with pytest.raises(LoadError, match=reason):
        load_document(path, "report.pdf")


def test_a_byline_names_the_document_s_author(tmp_path: Path) -> None:
    page = tmp_path / "oped.md"
    page.write_text(
        "# Licences are a throttle\n\n**Opinion** | By Priya Raman | Published 12 March 2025\n\n"
        "By contrast with 2023, every shipment now needs its own licence.\n",
        encoding="utf-8",
    )
    assert load_document(page, "oped.md").source == "Priya Raman"
    plain = tmp_path / "note.txt"
    plain.write_text("By 2030 the grid will need twice the capacity.\n", encoding="utf-8")
    assert load_document(plain, "note.txt").source == ""
    holiday = tmp_path / "holiday.txt"
    holiday.write_text("By Christmas Day, every shipment will need a licence.\n", "utf-8")
    assert load_document(holiday, "holiday.txt").source == ""


def test_a_page_s_authors_stand_beside_its_publisher(tmp_path: Path) -> None:
    body = "<p>" + "Democrats weigh endorsements before the caucuses in Iowa. " * 20 + "</p>"
    page = tmp_path / "analysis.html"
    page.write_text(
        '<html><head><meta property="og:site_name" content="FiveThirtyEight">'
        '<meta name="author" content="Perry Bacon Jr.; FiveThirtyEight">'
        f"<title>Endorsements</title></head><body><article>{body}</article></body></html>",
        encoding="utf-8",
    )
    assert load_document(page, "analysis.html").source == "Perry Bacon Jr, FiveThirtyEight"


def test_a_news_page_s_standfirst_opens_its_text_once(tmp_path: Path) -> None:
    first = "The plumber fitted a faulty boiler at the home in Bath where Zoe Anderson died."
    body = "<p>" + f"{first} " * 12 + "</p>"
    standfirst = "A plumber who fitted a faulty boiler was jailed for three years on Friday."
    page = tmp_path / "story.html"
    page.write_text(
        f'<html><head><meta name="description" content="{standfirst}">'
        f"<title>Plumber jailed</title></head><body><article>{body}</article></body></html>",
        encoding="utf-8",
    )
    assert load_document(page, "story.html").text.startswith(standfirst + "\n")
    repeated = tmp_path / "repeat.html"
    repeated.write_text(page.read_text(encoding="utf-8").replace(standfirst, first), "utf-8")
    assert load_document(repeated, "repeat.html").text.count(first) == 12
    blurb = "The latest news and opinion from the Ayrshire Gazette, updated every day of the week."
    site = tmp_path / "site.html"
    site.write_text(page.read_text(encoding="utf-8").replace(standfirst, blurb), "utf-8")
    assert blurb not in load_document(site, "site.html").text


def test_a_file_name_that_opens_with_a_date_dates_an_undated_document(tmp_path: Path) -> None:
    dated = tmp_path / "2025-03-12_oped-throttle.md"
    dated.write_text("# Licences are a throttle\n\nEvery shipment needs a licence.\n", "utf-8")
    assert load_document(dated, dated.name).published == date(2025, 3, 12)
    odd = tmp_path / "2025-13-40_notes.md"
    odd.write_text("# Notes\n\nEvery shipment needs a licence.\n", "utf-8")
    assert load_document(odd, odd.name).published is None
