"""Files → ``Document``: one loader per suffix, each keeping what the file says about itself.

Every loader returns cleaned plain text (one paragraph per line) plus title, publication date,
source, URL, page starts and section headings. A file that cannot be read raises ``LoadError``
with a one-line reason; nothing else escapes.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

import yaml

from policybrief.errors import LoadError
from policybrief.text import content_words, parse_date, yaml_problem
from policybrief.types import Document

# pypdf logs every oddity of a malformed file; the one-line skip reason is what users need.
logging.getLogger("pypdf").setLevel(logging.ERROR)

_SCRAPE_TAIL = re.compile(r"^(?:Opinions|You've reached the end|You’ve reached the end)\b")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Emphasis only between word boundaries, as in CommonMark: "IL_6 and TNF_a" stays as it is.
_MD_EMPHASIS = re.compile(r"(?<!\w)(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
# A file's own description, for files that cannot carry one (PDFs without metadata): the keys
# of Markdown front matter, in a YAML file named after it.
SIDECAR_SUFFIX = ".yaml"
SIDECAR_KEYS = ("title", "published", "date", "source", "url", "fetched")
DESCRIBED_KEYS = ("title", "published", "source", "url")  # what `brief add` lets a user set
# PDF layout: a running header or footer stands in a page's top or bottom margin (this share of
# its height; the first or last lines when positions are unknown) on several pages; a heading
# is short, and set this much larger than the body, in bold or in capitals.
MARGIN_SHARE = 0.12
EDGE_LINES = 3
MAX_HEADING_WORDS = 12
HEADING_SCALE = 1.15
_PAGE_NUMBER = re.compile(
    r"(?i)page\s+\d+(?:\s*(?:of|/)\s*\d+)?|[-–—]?\s*\d{1,3}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,3})?"
)
_BOLD_FONT = re.compile(r"(?i)bold|black|heavy|semibold")


# Share of control characters above which "text" is really binary data.
MAX_CONTROL_SHARE = 0.02


def _control_share(text: str) -> float:
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    return controls / max(1, len(sample))


# When detection scores several encodings the same, Western European text is the likeliest.
_PREFERRED = ("cp1252", "latin_1", "iso8859_15")


def _detected(data: bytes, path: str) -> str:
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise LoadError(path, "not text in any known encoding")
    best = matches[0]
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    tied.sort(key=lambda m: _PREFERRED.index(m.encoding) if m.encoding in _PREFERRED else 99)
    return str(tied[0])


# Windows code pages of Western and Central European text, tried in this order when bytes
# 0x80-0x9F (curly quotes, dashes, € in Windows-1252) rule out Latin-1 and the detector might
# take them for a DOS code page.
_WESTERN = ("cp1252", "cp1250")
# Punctuation that may touch a word in Western text: "Commission’s", "„Chip“", "€4.2".
_WORD_PUNCTUATION = frozenset("’‘“”„«»‹›–—…€•™°§©®·¿¡²")
MAX_FOREIGN_LETTERS = 0.25  # share of letters outside ASCII in any Western language


def _western(data: bytes) -> str:
    """The text in a Western Windows code page if it reads as such, else ""."""
    if not any(0x80 <= byte <= 0x9F for byte in data):
        return ""
    for encoding in _WESTERN:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _reads_western(text):
            return text
    return ""


def _reads_western(text: str) -> bool:
    """Whether decoded text looks like a Western language: few letters outside ASCII, and no
    symbol inside a word ("dyplomacj\u00ea chipow\u00b9" is Polish read as Windows-1252)."""
    letters = [ch for ch in text if ch.isalpha()]
    foreign = sum(not ch.isascii() for ch in letters)
    if not letters or foreign > MAX_FOREIGN_LETTERS * len(letters):
        return False
    for i, ch in enumerate(text):
        if ch.isascii() or ch.isalpha() or ch in _WORD_PUNCTUATION or ch.isspace():
            continue
        before, after = text[i - 1 : i], text[i + 1 : i + 2]
        if before.isalpha() or after.isalpha():
            return False
    return True


def decode(data: bytes, path: str) -> str:
    """Text from bytes: UTF-16 with a BOM, UTF-8 (with or without BOM), Windows-1252 or -1250
    when the text reads as a Western language, else the encoding charset-normalizer detects
    (Latin-1, Shift-JIS, GB18030, …). Binary data is refused rather than decoded into nonsense."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LoadError(path, "invalid UTF-16 text") from exc
    if b"\x00" in data[:8192]:
        raise LoadError(path, "binary data, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _western(data) or _detected(data, path)
    if _control_share(text) > MAX_CONTROL_SHARE:
        raise LoadError(path, "binary data, not text")
    return text


class _Builder:
    """Accumulates paragraphs and headings, keeping character offsets right."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.headings: list[tuple[int, str]] = []
        self.page_starts: list[int] = []

    def heading(self, text: str) -> None:
        text = " ".join(text.split())
        if text:
            self.headings.append((self.length, text))

    def page(self) -> None:
        self.page_starts.append(self.length)

    def paragraph(self, text: str) -> None:
        text = " ".join(text.split())
        if not text:
            return
        if self.parts:
            self.parts.append("\n")
            self.length += 1
        self.parts.append(text)
        self.length += len(text)

    def text(self) -> str:
        return "".join(self.parts)


_LIST_ITEM = re.compile(r"^\s*(?:[-*+•◦▪‣]|\d+[.)])\s+")


# Hyphens that only typesetting puts at a line's end (U+2010 hyphen, U+2011 non-breaking, soft
# hyphen): a word broken there is one word, whatever the case of the next letter.
_BREAK_HYPHENS = ("\u2010", "\u2011", "\u00ad")
_BROKEN_WORD = re.compile(r"(?<=\w)[\u2010\u2011\u00ad]\s+(?=\w)")


class _Paragraphs:
    """Joins wrapped lines into paragraphs: a blank line or a list item starts a new one."""

    def __init__(self, builder: _Builder, *, dehyphenate: bool = False) -> None:
        self.builder = builder
        self.dehyphenate = dehyphenate
        self.lines: list[str] = []

    def line(self, raw: str, *, item: bool = False) -> None:
        """Add a line; ``item`` marks a list item whose marker was already removed."""
        text = raw.strip()
        if not text or item or _LIST_ITEM.match(raw):
            self.end()
        if text:
            self.lines.append(text)

    def end(self) -> None:
        if not self.lines:
            return
        joined = self.lines[0]
        for nxt in self.lines[1:]:
            if self.dehyphenate and joined.endswith("-") and nxt[:1].islower():
                joined = joined[:-1] + nxt  # a word broken across lines
            elif self.dehyphenate and joined.endswith(_BREAK_HYPHENS):
                joined = joined[:-1] + nxt  # a typesetter's hyphen: always a broken word
            else:
                joined = f"{joined} {nxt}"
        if self.dehyphenate:  # "compli‐ ance", "Deep‐ Seek": breaks the text layer kept
            joined = _BROKEN_WORD.sub("", joined).replace("\u00ad", "")
        self.builder.paragraph(joined)
        self.lines = []


MAX_AUTHOR = 60  # characters: a longer "author" is a blurb
MAX_AUTHORS = 3
BYLINE_REACH = 1500  # characters from the top of a document where its byline stands
# "By Priya Raman", "**Opinion** | By Priya Raman | Published…", not "By 2030" or "By contrast"
# (on a line of its own or between "|" marks: "By Christmas Day, every shipment…" is no byline)
_BYLINE = re.compile(
    r"(?:^|\|)[ \t*_]*By[ \t]+"
    r"([A-Z][\w'’.-]+(?:[ \t]+(?:[A-Z][\w'’.-]+|de|van|von|da|di|bin|and)){1,6})[ \t*_]*(?=$|\|)",
    re.MULTILINE,
)


def _date_in_name(stem: str) -> date | None:
    """The date a file's name opens with ("2025-03-12_oped"), if it is a real date."""
    found = re.match(r"((?:19|20)\d\d)-(\d\d)-(\d\d)(?:[_ .-]|$)", stem)
    if found is None:
        return None
    try:
        return date(*map(int, found.groups()))
    except ValueError:
        return None


def byline(text: str) -> str:
    """The author a document's byline names, or ""."""
    found = _BYLINE.search(text)
    return found.group(1).strip() if found else ""


def _document(stem: str, doc_id: str, display: str, builder: _Builder, **meta: Any) -> Document:
    text = builder.text()
    if not text.strip():
        raise LoadError(display, "no text found")
    title = meta.pop("title", "") or stem.replace("_", " ").replace("-", " ")
    if not meta.get("source"):  # an opinion piece is its author's: "What does Raman argue?"
        meta["source"] = byline(text[:BYLINE_REACH])
    if not meta.get("published"):  # "2025-03-12_oped-throttle.md"
        meta["published"] = _date_in_name(stem)
    return Document(
        doc_id=doc_id,
        path=display,
        title=" ".join(str(title).split()),
        text=text,
        page_starts=tuple(builder.page_starts),
        headings=tuple(builder.headings),
        **meta,
    )


def load_text(path: Path, doc_id: str, display: str) -> Document:
    """Plain text, recognising the news-scrape layout (datelines, title, Highlights, Story)."""
    lines = decode(path.read_bytes(), display).splitlines()
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    dates: list[date] = []
    while index < len(lines):
        line = lines[index].strip()
        found = parse_date(line) if line else None
        if line and found is None:
            break
        if found:
            dates.append(found)
        index += 1
    body = lines[index:]
    title = ""
    if body and (dates or (len(body) > 1 and not body[1].strip())) and len(body[0]) <= 200:
        title, body = body[0].strip(), body[1:]
    builder = _Builder()
    paragraphs = _Paragraphs(builder)
    for line in body:
        stripped = line.strip()
        if dates and _SCRAPE_TAIL.match(stripped):
            break
        if dates and stripped in {"Highlights", "Story"}:
            paragraphs.end()
            builder.heading(stripped)
        else:
            paragraphs.line(line)
    paragraphs.end()
    return _document(
        path.stem, doc_id, display, builder, title=title, published=min(dates, default=None)
    )


def split_front_matter(text: str, display: str) -> tuple[dict[str, Any], str]:
    """YAML front matter (between leading ``---`` lines) and the rest of the text."""
    if not text.startswith("---"):
        return {}, text
    match = re.match(r"---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|$)", text, re.DOTALL)
    if not match:
        raise LoadError(display, "front matter opened with --- but never closed")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:  # the front matter starts on the file's second line
        reason = yaml_problem(exc, first_line=2)
        raise LoadError(display, f"front matter is not valid YAML at {reason}") from exc
    if not isinstance(meta, dict):
        raise LoadError(display, "front matter is not a mapping of keys to values")
    return meta, text[match.end() :]


def _markdown_inline(line: str) -> str:
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_EMPHASIS.sub(r"\2", line)
    return line.replace("`", "")


def load_markdown(path: Path, doc_id: str, display: str) -> Document:
    """Markdown with optional front matter (title, published, source, url)."""
    meta, body = split_front_matter(decode(path.read_bytes(), display), display)
    builder = _Builder()
    paragraphs = _Paragraphs(builder)
    first_heading = ""
    for raw in body.splitlines():
        heading = _MD_HEADING.match(raw.strip())
        if heading or re.fullmatch(r"\s*(?:-{3,}|\*{3,}|_{3,})\s*", raw):
            paragraphs.end()
        if heading:
            text = _markdown_inline(heading.group(2))
            first_heading = first_heading or text
            builder.heading(text)
        elif not re.fullmatch(r"\s*(?:-{3,}|\*{3,}|_{3,})\s*", raw):
            item = _LIST_ITEM.match(raw) is not None
            paragraphs.line(_markdown_inline(_MD_LIST.sub("", raw)), item=item)
    paragraphs.end()
    return _document(path.stem, doc_id, display, builder, **_described(meta, first_heading))


def _described(meta: dict[str, Any], title: str = "") -> dict[str, Any]:
    """Document fields from front matter or a sidecar (``date`` is read as ``published``)."""
    return {
        "title": str(meta.get("title") or title),
        "published": parse_date(meta.get("published") or meta.get("date")),
        "source": str(meta.get("source") or ""),
        "url": str(meta.get("url") or ""),
    }


def sidecar_of(path: Path) -> Path:
    """Where a file's own description lives: ``report.pdf.yaml`` beside ``report.pdf``."""
    return path.with_name(path.name + SIDECAR_SUFFIX)


def read_sidecar(path: Path, display: str) -> dict[str, Any]:
    """The keys a sidecar sets (those of Markdown front matter); {} when there is none."""
    sidecar = sidecar_of(path)
    if not sidecar.is_file():
        return {}
    name = f"sidecar {sidecar.name}"
    try:
        meta = yaml.safe_load(decode(sidecar.read_bytes(), name)) or {}
    except yaml.YAMLError as exc:
        raise LoadError(display, f"{name} is not valid YAML at {yaml_problem(exc)}") from exc
    except ValueError as exc:  # a date YAML reads as one but cannot be: 2024-02-30
        raise LoadError(display, f"{name}: a date is not a real day ({exc})") from exc
    if not isinstance(meta, dict):
        raise LoadError(display, f"{name} is not a mapping of keys to values")
    unknown = sorted(str(key) for key in meta if key not in SIDECAR_KEYS)
    if unknown:
        keys = ", ".join(SIDECAR_KEYS)
        raise LoadError(display, f"{name}: unknown key {unknown[0]!r} (use {keys})")
    for key in ("published", "date"):
        if meta.get(key) and parse_date(meta[key]) is None:
            given = meta[key]
            raise LoadError(display, f"{name}: {key} {given!r} is not a date (use YYYY-MM-DD)")
    return {key: value for key, value in meta.items() if str(value or "").strip()}


_HTML_DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "svg")
_HTML_BLOCKS = ("p", "li", "blockquote", "pre", "td", "th", "dd", "dt", "figcaption")
_HTML_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _meta_content(soup: Any, *names: str) -> str:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if tag and tag.get("content"):
            return str(tag["content"]).strip()
    return ""


def load_html(path: Path, doc_id: str, display: str) -> Document:
    """An HTML page's main text: article or main element, without scripts or navigation."""
    return parse_html(decode(path.read_bytes(), display), doc_id, display, path.stem)


# Main text shorter than this gives trafilatura too little to tell content from boilerplate.
SHORT_PAGE = 500


def parse_html(html: str, doc_id: str, display: str, stem: str) -> Document:
    """An HTML page (from a file or fetched) as a document: main text and its metadata.

    trafilatura finds the main text (it beats the block extractor on 150 real pages: see
    BENCHMARKS.md); a page it cannot read goes to ``parse_html_by_blocks``. Metadata in the
    page's own tags (og:title, article:published_time…) comes first, trafilatura's after."""
    import trafilatura

    try:
        blocks: Document | None = parse_html_by_blocks(html, doc_id, display, stem)
    except LoadError:
        blocks = None
    builder = _Builder()
    text = trafilatura.extract(html) or ""
    if blocks is not None and len(text) < SHORT_PAGE and _marks_main(html):
        return blocks  # too little for trafilatura's statistics; the page marks its article
    headings = _headings(trafilatura.extract(html, output_format="xml"))
    metadata = trafilatura.extract_metadata(html)
    standfirst = _standfirst((metadata.description if metadata is not None else "") or "", text)
    builder.paragraph(standfirst)
    for line in text.splitlines():
        if " ".join(line.split()) in headings:
            builder.heading(line)
        else:
            builder.paragraph(line)
    if builder.length <= len(standfirst):  # nothing beyond the standfirst
        if blocks is None:
            raise LoadError(display, "no text found")
        return blocks
    default_title = stem.replace("_", " ").replace("-", " ")
    title = blocks.title if blocks and blocks.title != default_title else ""
    published = blocks.published if blocks else None
    source = blocks.source if blocks else ""
    url = blocks.url if blocks else ""
    if metadata is not None:
        title = title or _without_site(metadata.title or "", metadata.sitename or "")
        published = published or parse_date(metadata.date or "")
        source = source or metadata.sitename or ""
        url = url or metadata.url or ""
    site = source or (metadata.sitename if metadata is not None else "") or ""
    title = _without_site(title, site)  # "Rule on chips | Example Trade Monitor"
    if metadata is not None and metadata.author:  # an analysis is its author's
        source = _with_authors(source, metadata.author)
    return _document(
        stem, doc_id, display, builder, title=title, published=published, source=source, url=url
    )


STANDFIRST_WORDS = 8  # a description shorter than this is a tagline, not a summary
STANDFIRST_SHARED = 4  # content words a standfirst shares with the story it stands over


def _standfirst(description: str, text: str) -> str:
    """The summary a news page gives in its description ("A plumber who killed … was jailed
    for three years."), when it is whole sentences the main text does not already open with."""
    description = " ".join(description.split())
    if len(description.split()) < STANDFIRST_WORDS or not re.search(r"[.!?][”\"’']?$", description):
        return ""
    if description[:60] in " ".join(text.split()) or description.endswith(("...", "…")):
        return ""
    # (a site's own blurb, "The latest defence news, updated every day", is about no story)
    shared = set(content_words(description)) & set(content_words(text))
    return description if len(shared) >= STANDFIRST_SHARED else ""


def _with_authors(source: str, authors: str) -> str:
    """ "Jana Koller, Pieter Van Acker, Meridian" from the page's authors ("Jana Koller; Pieter
    Van Acker; Meridian") and its publisher; a long list of staff is left out."""
    names = [" ".join(a.split()) for a in authors.split(";")]
    names = [n for n in dict.fromkeys(names) if n and n.casefold() not in source.casefold()]
    if not names or len(names) > MAX_AUTHORS or any(len(n) > MAX_AUTHOR for n in names):
        return source
    return ", ".join([*names, source] if source else names)


def _marks_main(html: str) -> bool:
    """Whether the page marks its main text with one <article> or <main> element."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    return any(len(soup.find_all(name)) == 1 for name in ("article", "main"))


def _headings(xml: str | None) -> set[str]:
    """The headings of trafilatura's XML output, white space normalised."""
    found = re.findall(r"<head\b[^>]*>(.*?)</head>", xml or "", re.DOTALL)
    return {" ".join(unescape(text).split()) for text in found if "<" not in text}


def _without_site(title: str, site: str) -> str:
    """A page title without its site suffix ("… | Example Trade Monitor")."""
    parts = re.split(r"\s+[|–—-]\s+", title)
    if len(parts) > 1 and site and parts[-1].casefold().strip() in site.casefold():
        return " – ".join(parts[:-1])
    return title


def parse_html_by_blocks(html: str, doc_id: str, display: str, stem: str) -> Document:
    """An HTML page's metadata, and the text of its article (or main, or body) block by block:
    the fallback for pages trafilatura cannot read."""
    import warnings

    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

    with warnings.catch_warnings():  # text that looks like a file name or URL is still text
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "html.parser")
    title = _meta_content(soup, "og:title") or (soup.title.get_text() if soup.title else "")
    published = parse_date(
        _meta_content(soup, "article:published_time", "date", "dc.date", "DC.date.issued")
    )
    time_tag = soup.find("time", attrs={"datetime": True})
    if published is None and time_tag is not None:
        published = parse_date(str(time_tag["datetime"]))
    source = _meta_content(soup, "og:site_name", "publisher", "author")
    url = _meta_content(soup, "og:url")
    canonical = soup.find("link", rel="canonical")
    if not url and canonical is not None and canonical.get("href"):
        url = str(canonical["href"])
    for tag in soup(_HTML_DROP):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    builder = _Builder()
    for element in root.find_all([*_HTML_HEADINGS, *_HTML_BLOCKS]):
        if element.find_parent(_HTML_BLOCKS) is not None:
            continue  # its text is part of an enclosing block already taken
        text = element.get_text(" ")
        if element.name in _HTML_HEADINGS:
            title = title or text
            builder.heading(text)
        else:
            builder.paragraph(text)
    if not builder.parts:
        for tag in root(("head", "title")):
            tag.decompose()
        for line in root.get_text("\n").splitlines():
            builder.paragraph(line)
    return _document(
        stem, doc_id, display, builder, title=title, published=published, source=source, url=url
    )


@dataclass(frozen=True)
class _PdfLine:
    """One line of a page's text layer: the size and weight most of its letters are set in,
    and how far down the page it starts (0 top, 1 bottom; None when unknown)."""

    text: str
    size: float = 0.0
    bold: bool = False
    depth: float | None = None

    @property
    def style(self) -> tuple[float, bool]:
        """Size (to half a point) and weight: what a change of paragraph or heading shows."""
        return round(self.size * 2) / 2, self.bold


def _pdf_lines(page: Any) -> list[_PdfLine]:
    """The page's lines as pypdf extracts them, each with its type size and position.

    pypdf hands every piece of text it outputs to the visitor, so the pieces add up to the
    extracted text and each line's letters can be weighed by the size they were set in.
    """
    pieces: list[tuple[str, float, bool, float]] = []
    box = page.mediabox
    top, height = float(box.top), float(box.height) or 1.0

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
        name = str(font.get("/BaseFont", "")) if font else ""
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        depth = min(1.0, max(0.0, (top - y) / height))
        pieces.append((text, round(size * scale, 1), bool(_BOLD_FONT.search(name)), depth))

    text = page.extract_text(visitor_text=visit) or ""
    if "".join(piece[0] for piece in pieces) != text:  # no sizes to trust: text alone
        return [_PdfLine(line) for line in text.splitlines()]
    lines: list[_PdfLine] = []
    parts: list[str] = []
    weights: Counter[tuple[float, bool]] = Counter()
    depths: list[float] = []
    for piece, size, bold, depth in pieces:
        for number, part in enumerate(piece.split("\n")):
            if number:
                lines.append(_pdf_line(parts, weights, depths))
                parts, weights, depths = [], Counter(), []
            parts.append(part)
            if part.strip():
                weights[size, bold] += len(part.strip())
                depths.append(depth)
    lines.append(_pdf_line(parts, weights, depths))
    return lines


def _pdf_line(
    parts: list[str], weights: Counter[tuple[float, bool]], depths: list[float]
) -> _PdfLine:
    if not weights:
        return _PdfLine("".join(parts))
    (size, bold), _ = weights.most_common(1)[0]
    return _PdfLine("".join(parts), size, bold, depths[0])


def _edge_zones(lines: list[_PdfLine]) -> list[tuple[str, _PdfLine]]:
    """The lines that could be a running header ("top") or footer ("bottom"): those in the
    page's top or bottom margin, wherever the PDF draws them; without positions, the first and
    last few lines."""
    texts = [line for line in lines if line.text.strip()]
    if texts and all(line.depth is not None for line in texts):
        return [
            ("top" if (line.depth or 0.0) <= MARGIN_SHARE else "bottom", line)
            for line in texts
            if not MARGIN_SHARE < (line.depth or 0.0) < 1 - MARGIN_SHARE
        ]
    tail = texts[-EDGE_LINES:] if len(texts) > EDGE_LINES else []
    return [("top", line) for line in texts[:EDGE_LINES]] + [("bottom", line) for line in tail]


def _set_apart(style: tuple[float, bool], body_size: float) -> bool:
    """Whether a line's type marks it out from the body: bold, or this much larger."""
    size, bold = style
    return bold or (body_size > 0 and size >= body_size * HEADING_SCALE)


def _edge_keys(line: _PdfLine, body_size: float) -> tuple[str, ...]:
    """How a running header or footer may repeat a line: as it is ("Chapter 2: Demand" on
    each of its pages), or with other numbers ("Page 3 of 9"), unless it is set larger or in
    bold, as headings are ("Section 2", "Section 3")."""
    text = " ".join(line.text.split()).casefold()
    if _set_apart(line.style, body_size):
        return (f"={text}",)
    return f"={text}", re.sub(r"\d+", "#", text)


def _tracks_pages(seen: list[tuple[int, tuple[int, ...]]]) -> bool:
    """Whether the numbers of a repeated line are fixed or count the pages ("Page 3 of 9",
    "Report 2024 | 17"), not figures that merely differ ("Table 2: …, 2021")."""
    pages = [page for page, _ in seen]
    return all(
        len(set(values)) == 1 or len({v - page for v, page in zip(values, pages, strict=True)}) == 1
        for values in zip(*(numbers for _, numbers in seen), strict=True)
    )


def _body_size(pages: list[list[_PdfLine]]) -> float:
    """The type size most of the letters are set in (0 when the sizes are unknown)."""
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _without_running_lines(pages: list[list[_PdfLine]], body_size: float) -> list[list[_PdfLine]]:
    """Pages without their running headers and footers: a line in the same margin of two pages
    in a row, of three, or of half of a short document, whose numbers, if any, count the pages
    ("Chapter 2: Demand" heads its own pages); and bare page numbers there."""
    zoned = [
        [(zone, line, _edge_keys(line, body_size)) for zone, line in _edge_zones(lines)]
        for lines in pages
    ]
    seen: dict[tuple[str, str], list[tuple[int, tuple[int, ...]]]] = {}
    for number, edges in enumerate(zoned):
        for zone, line, keys in edges:
            for key in keys:
                found = seen.setdefault((zone, key), [])
                if not found or found[-1][0] != number:
                    digits = () if key.startswith("=") else re.findall(r"\d+", line.text)
                    found.append((number, tuple(int(d) for d in digits)))
    repeated = {
        key
        for key, found in seen.items()
        if len(found) >= 2
        and (len(found) >= 3 or len(found) * 2 >= len(pages) or found[1][0] == found[0][0] + 1)
        and _tracks_pages(found)
    }
    kept: list[list[_PdfLine]] = []
    for lines, edges in zip(pages, zoned, strict=True):
        dropped = {
            id(line)
            for zone, line, keys in edges
            if _PAGE_NUMBER.fullmatch(line.text.strip())
            or any((zone, key) in repeated for key in keys)
        }
        kept.append([line for line in lines if line.text.strip() and id(line) not in dropped])
    return kept


def _heading_like(text: str) -> bool:
    """Short, with letters, and no closing punctuation ("Why …?" and "1. Introduction" aside)."""
    text = text.strip()
    if len(text.split()) > MAX_HEADING_WORDS or not re.search(r"[^\W\d_]{2}", text):
        return False
    if text.endswith("?") or (_LIST_ITEM.match(text) and text[0].isdigit()):
        return True
    return text[-1] not in '.,;:!"”’)' and not _LIST_ITEM.match(text)


def _capitals(text: str) -> bool:
    """A heading in the body's own type: "CONGRESSIONAL DEBATE" (no figures: "GDP 2.3%")."""
    letters = re.sub(r"[^\w]", "", text)
    return len(letters) >= 4 and letters.isalpha() and letters.upper() == letters


def _page_blocks(lines: list[_PdfLine], body_size: float) -> Iterator[tuple[str, str]]:
    """A page as ("heading", text), ("line", text) and ("break", "") in reading order.

    Lines in one size and weight form a run. A run set larger or in bold of one or two short
    lines without closing punctuation is a heading; a longer run is a paragraph in that type (a
    bold sentence, table cells). In the body's own type, a line in capitals that starts a run
    or follows a finished sentence is a heading. A new run starts a paragraph (a footnote).
    """
    runs = [list(run) for _, run in itertools.groupby(lines, key=lambda line: line.style)]
    for run in runs:
        yield "break", ""
        short = len(run) <= 2 and all(_heading_like(line.text) for line in run)
        if short and _set_apart(run[0].style, body_size):
            yield "heading", " ".join(line.text.strip() for line in run)
            continue
        after_sentence = True
        for line in run:
            text = line.text.strip()
            if after_sentence and _heading_like(text) and _capitals(text):
                yield "heading", text
            else:
                yield "line", line.text
            after_sentence = text.endswith((".", "!", "?", ":")) or _capitals(text)


def load_pdf(path: Path, doc_id: str, display: str) -> Document:
    """A PDF's text layer, page by page; page numbers are kept for citations.

    Running headers and footers are dropped; headings (larger, bold or capitals) are recorded
    as headings and kept apart from the paragraph below; a change of type size or weight (a
    footnote, a caption) starts a new paragraph.
    """
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

    try:
        reader = PdfReader(path)
        # Many PDFs are "encrypted" with an empty password only to restrict printing.
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError(display, "PDF is encrypted and needs a password")
        pages = [_pdf_lines(page) for page in reader.pages]
        body_size = _body_size(pages)
        builder = _Builder()
        paragraphs = _Paragraphs(builder, dehyphenate=True)
        for lines in _without_running_lines(pages, body_size):
            paragraphs.end()
            builder.page()
            for kind, text in _page_blocks(lines, body_size):
                if kind == "line":
                    paragraphs.line(text)
                    continue
                paragraphs.end()
                if kind == "heading":  # its words stay in the text, as a paragraph of their own
                    builder.heading(text)
                    paragraphs.line(text)
                    paragraphs.end()
        paragraphs.end()
        info = reader.metadata
        title = str(info.title) if info and info.title else ""
        source = str(info.author) if info and info.author else ""
    except LoadError:
        raise
    except DependencyError as exc:
        raise LoadError(display, "PDF is encrypted with AES: pip install cryptography") from exc
    except PdfReadError as exc:
        raise LoadError(display, f"unreadable PDF ({exc})") from exc
    if not builder.text().strip():
        raise LoadError(display, "PDF has no text layer (scanned?)")
    return _document(path.stem, doc_id, display, builder, title=title, source=source)


LOADERS: dict[str, Callable[[Path, str, str], Document]] = {
    ".txt": load_text,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
}


def load_document(path: Path, doc_id: str, display: str | None = None) -> Document:
    """Load any supported file; ``display`` is the path shown to users (default: ``path``)."""
    display = display or str(path)
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise LoadError(display, f"unsupported file type {path.suffix or '(none)'}")
    try:
        document = loader(path, doc_id, display)
        described = read_sidecar(path, display)
    except LoadError:
        raise
    except OSError as exc:
        raise LoadError(display, f"cannot read file ({exc.strerror or exc})") from exc
    except Exception as exc:  # a malformed file a parser chokes on: skip it, say why
        detail = " ".join(str(exc).split())[:160]
        raise LoadError(display, f"could not be read ({type(exc).__name__}: {detail})") from exc
    if not described:
        return document
    fields = {k: v for k, v in _described(described).items() if str(v or "").strip()}
    if "title" in fields:
        fields["title"] = " ".join(fields["title"].split())
    return replace(document, **fields)
