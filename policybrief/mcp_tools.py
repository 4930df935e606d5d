"""``brief mcp``: the project's answers as MCP tools, for an assistant that must cite.

Four tools: ``ask`` (a cited answer), ``search`` (passages), ``list_briefings`` and
``get_briefing``. Every statement comes with its citations, each naming the document, its
date, the character span and the excerpt it points at, so an assistant can quote the source
rather than paraphrase it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from policybrief.api import Project
    from policybrief.types import Answer, Citation, DocumentInfo, Passage

EXCERPT_CHARS = 600
MAX_QUESTION = 2000  # characters of a question (the HTTP API's bound too)


def _document(info: DocumentInfo) -> dict[str, Any]:
    return {
        "doc_id": info.doc_id,
        "title": info.title,
        "published": info.published.isoformat() if info.published else None,
        "source": info.source,
        "path": info.path,
    }


def cited_answer(answer: Answer) -> dict[str, Any]:
    """An answer whose every citation carries its document, date, span and excerpt."""
    chunks = {p.chunk.chunk_id: p for p in answer.passages}

    def citation(c: Citation) -> dict[str, Any]:
        passage = chunks.get(c.chunk_id)
        excerpt = ""
        if passage is not None:
            chunk = passage.chunk
            excerpt = chunk.text[max(c.start - chunk.start, 0) : c.end - chunk.start]
        info = passage.document if passage is not None else None
        return {
            **(_document(info) if info is not None else {"doc_id": c.doc_id}),
            "start": c.start,
            "end": c.end,
            "page": c.page,
            "excerpt": excerpt[:EXCERPT_CHARS],
        }

    return {
        "question": answer.question,
        "found": answer.found,
        "statements": [
            {"text": s.text, "citations": [citation(c) for c in s.citations]}
            for s in answer.statements
        ],
        "not_answered": [gap.to_dict() for gap in answer.missing],
        "note": answer.unmatched or answer.note,
    }


def _passage(p: Passage) -> dict[str, Any]:
    excerpt = p.chunk.text[:EXCERPT_CHARS]
    return {
        **_document(p.document),
        "start": p.chunk.start,
        "end": p.chunk.start + len(excerpt),  # (the span of the excerpt given)
        "page": p.chunk.page,
        "score": round(p.score, 4),
        "excerpt": excerpt,
    }


# Runs a job on the project: directly on stdio, on the service's reading thread under serve.
Run = Callable[[Callable[["Project"], Any]], Awaitable[Any]]


def create_server(run: Run) -> MCPServer[Any]:
    """The MCP server; ``run`` gives each tool the project (model and index stay loaded)."""
    from mcp.server.mcpserver import MCPServer

    from policybrief.briefings import check_name
    from policybrief.lockfile import read_lock

    server: MCPServer[Any] = MCPServer(
        "policybrief",
        instructions=(
            "Answers from the project's source documents only. Quote statements with their "
            "citations; when 'found' is false, the sources do not answer the question."
        ),
    )

    @server.tool()
    async def ask(question: str, k: int = 8) -> dict[str, Any]:
        """A cited answer to a question, from the project's sources only."""
        if len(question) > MAX_QUESTION:
            return {"error": f"the question is longer than {MAX_QUESTION} characters"}
        k = max(1, min(k, 50))
        return dict(await run(lambda project: cited_answer(project.ask(question, k=k))))

    @server.tool()
    async def search(query: str, k: int = 8) -> list[dict[str, Any]]:
        """The passages that match a query best, with their documents and spans."""
        k = max(1, min(k, 50))
        return list(
            await run(lambda project: [_passage(p) for p in project.retriever.retrieve(query, k=k)])
        )

    @server.tool()
    async def list_briefings() -> list[dict[str, Any]]:
        """The project's briefings, each current or stale (and why)."""
        return list(await run(lambda project: project.shelf.states()))

    @server.tool()
    async def get_briefing(name: str) -> dict[str, Any]:
        """A briefing's Markdown and its numbered sources."""

        def load(project: Project) -> dict[str, Any]:
            folder = project.briefings_dir / check_name(name)
            lock = read_lock(folder)
            markdown = folder / "briefing.md"
            if lock is None or not markdown.is_file():
                return {"name": name, "error": "not generated yet"}
            return {
                "name": name,
                "markdown": markdown.read_text("utf-8"),
                "sources": [s.to_dict() for s in lock.sources],
            }

        return dict(await run(load))

    return server


def run_stdio(project: Project) -> None:
    import anyio

    async def run(job: Callable[[Project], Any]) -> Any:
        return job(project)

    anyio.run(create_server(run).run_stdio_async)
