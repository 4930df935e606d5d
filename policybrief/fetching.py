"""``brief add``: bring a file or a web page into the corpus.

A page is fetched once, its main text and metadata (title, publication date, publisher) are
extracted with the same HTML loader the corpus uses, and it is saved as Markdown with front
matter (including where and when it was fetched), so the corpus keeps a stable, readable copy
that does not change when the page does. PDFs are saved as they are. What the user says about
an item (title, date, publisher, URL) goes in a sidecar beside it (``report.pdf.yaml``).
"""

from __future__ import annotations

import re
import shutil
import urllib.request
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlparse

import yaml

from policybrief import __version__
from policybrief.errors import PolicybriefError
from policybrief.fsutil import atomic_write_text
from policybrief.loaders import LOADERS, decode, parse_html, read_sidecar, sidecar_of
from policybrief.types import Document

MAX_BYTES = 50 * 1024 * 1024
WEB_FOLDER = "web"


class FetchError(PolicybriefError):
    """A page could not be fetched or read."""


def is_url(item: str) -> bool:
    return urlparse(item).scheme in ("http", "https")


def slug(text: str, limit: int = 60) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return words[:limit].rstrip("-") or "page"


def fetch(url: str, timeout: float = 30.0) -> tuple[bytes, str]:
    """The body and content type of ``url`` (at most MAX_BYTES)."""
    request = urllib.request.Request(url, headers={"User-Agent": f"policybrief/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_BYTES + 1)
            content_type = response.headers.get_content_type()
    except HTTPError as exc:  # "HTTP 404 Not Found", not the bare reason "File not found"
        raise FetchError(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}") from exc
    except (URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"cannot fetch {url}: {reason}") from exc
    if len(body) > MAX_BYTES:
        raise FetchError(f"{url} is larger than {MAX_BYTES // (1024 * 1024)} MB")
    return body, content_type


def to_markdown(document: Document, url: str, fetched: date) -> str:
    """The document as Markdown with front matter; headings are kept where they were."""
    meta = {
        "title": document.title,
        "published": document.published.isoformat() if document.published else None,
        "source": document.source or urlparse(url).hostname or "",
        "url": document.url or url,
        "fetched": fetched.isoformat(),
    }
    front = yaml.safe_dump(
        {k: v for k, v in meta.items() if v}, allow_unicode=True, sort_keys=False
    )
    headings = list(document.headings)
    blocks: list[str] = []
    offset = 0
    for paragraph in document.text.split("\n"):
        # A heading recorded anywhere up to this paragraph's start comes before it.
        while headings and headings[0][0] <= offset:
            heading = headings.pop(0)[1]
            if heading != document.title:  # the title is in the front matter already
                blocks.append(f"## {heading}")
        blocks.append(paragraph)
        offset += len(paragraph) + 1
    return f"---\n{front}---\n\n" + "\n\n".join(blocks) + "\n"


def _place(path: Path, data: bytes) -> tuple[Path, bool]:
    """Where ``data`` goes: ``path`` or a numbered variant if taken by other content; and
    whether it is new (False: that file already holds this content)."""
    candidate, number = path, 1
    while candidate.exists():
        if candidate.read_bytes() == data:
            return candidate, False
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate, True


def add_url(url: str, corpus: Path, today: date) -> tuple[Path, bool]:
    """Fetch ``url`` into ``corpus/web/``; the file and whether it is new."""
    body, content_type = fetch(url)
    folder = corpus / WEB_FOLDER
    if content_type == "application/pdf" or body.startswith(b"%PDF"):
        name = slug(Path(urlparse(url).path).stem or urlparse(url).hostname or "document")
        target, new = _place(folder / f"{name}.pdf", body)
    else:
        html = decode(body, url)
        document = parse_html(html, url, url, slug(urlparse(url).path) or "page")
        dated = f"{document.published.isoformat()}-" if document.published else ""
        body = to_markdown(document, url, today).encode("utf-8")
        target, new = _place(folder / f"{dated}{slug(document.title)}.md", body)
    if new:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    return target, new


def add_file(source: Path, corpus: Path) -> tuple[Path, bool]:
    """Copy a supported file into ``corpus``; the copy and whether it is new (a file already
    in the corpus is its own copy)."""
    if not source.is_file():
        raise FetchError(f"{source} is not a file")
    if source.suffix.lower() not in LOADERS:
        raise FetchError(
            f"{source}: unsupported file type; supported: {', '.join(sorted(LOADERS))}"
        )
    if source.resolve().is_relative_to(corpus.resolve()):
        return source, False
    target, new = _place(corpus / source.name, source.read_bytes())
    if new:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return target, new


def describe(path: Path, fields: Mapping[str, str]) -> bool:
    """Set ``fields`` (title, published, source, url) in ``path``'s sidecar, keeping the keys
    it already had; whether the sidecar changed."""
    sidecar = sidecar_of(path)
    meta = read_sidecar(path, str(path))
    wanted = {**meta, **{key: value for key, value in fields.items() if value}}
    if fields.get("published"):
        wanted.pop("date", None)  # one date, under the name front matter prefers
    if wanted == meta:
        return False
    text = yaml.safe_dump(wanted, allow_unicode=True, sort_keys=False)
    atomic_write_text(sidecar, text)
    return True
