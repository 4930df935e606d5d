"""``brief serve``: one warm process for a web page, a JSON API and MCP.

The model and the index stay loaded between requests, so an answer costs retrieval and
selection, not a cold start. The API mirrors the library: every JSON body is a result's
``to_dict()``, the shape ``--json`` prints. Reads go through one project and writes
(regenerate) through another that shares its embedder, so a read during a regenerate sees the
index before or after the sync (the catalog publishes each sync in one transaction), never
half of one, and waits for nothing but its own turn.

Safe by default: it binds 127.0.0.1 and answers only to loopback host names; another host
needs the token printed at start for every request, and writes need it always
(``Authorization: Bearer <token>``). No cookies are set; a browser's cross-site requests are
refused, POST bodies must be JSON (which another site cannot send unasked), and the page may
not be framed. Request bodies and questions are bounded, bad JSON is a 400 with one line, and
briefing names are checked before they touch a path.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from policybrief.errors import Busy, PolicybriefError, SpecError
from policybrief.mcp_tools import MAX_QUESTION
from policybrief.text import parse_date

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

    from policybrief.api import Project
    from policybrief.config import Settings
    from policybrief.embedders import Embedder
    from policybrief.lockfile import Lock

T = TypeVar("T")
LOOPBACK = frozenset({"127.0.0.1", "localhost"})
MAX_BODY = 64 * 1024  # bytes of a request body
REQUEST_SECONDS = 120.0  # a request that takes longer is answered 504
MAX_K = 50
MAX_FILTERS = 10  # sources or path patterns in one question


@dataclass
class Access:
    """Who may do what: the token, and whether reads need it too (any host but loopback)."""

    token: str
    reads_need_token: bool

    def allows(self, header: str) -> bool:
        given = header.removeprefix("Bearer ").strip().encode("utf-8", "replace")
        return bool(given) and hmac.compare_digest(given, self.token.encode())


def access_for(host: str, token: str | None = None) -> Access:
    return Access(token or secrets.token_urlsafe(24), host not in LOOPBACK)


class Service:
    """The warm parts: a project for reads and one for writes, each used from a thread of its
    own (an index connection serves the thread that opened it), sharing one embedder."""

    def __init__(self, root: Path, settings: Settings, embedder: Embedder) -> None:
        from policybrief.api import Project

        self.reader = Project(root, settings, embedder)
        self.writer = Project(root, settings, embedder)
        self._reading = ThreadPoolExecutor(1, thread_name_prefix="brief-read")
        self._writing = ThreadPoolExecutor(1, thread_name_prefix="brief-write")

    async def read(self, job: Callable[[Project], T]) -> T:
        return await asyncio.wrap_future(self._reading.submit(job, self.reader))

    def read_now(self, job: Callable[[Project], T]) -> T:
        """``read`` for a caller that is itself on another thread (a stream's producer)."""
        return self._reading.submit(job, self.reader).result()

    async def write(self, job: Callable[[Project], T]) -> T:
        return await asyncio.to_thread(self.write_now, job)

    def write_now(self, job: Callable[[Project], T]) -> T:
        try:
            return self._writing.submit(job, self.writer).result()
        finally:  # reopened as the write left the index (a sync may have published and failed)
            self.read_now(lambda reader: reader.close())

    async def briefings(self) -> list[dict[str, Any]]:
        return await self.read(lambda project: project.shelf.states())

    def close(self) -> None:
        for project, pool in ((self.reader, self._reading), (self.writer, self._writing)):
            pool.submit(project.close).result()
            pool.shutdown()


class BadRequest(Exception):
    """A request this service refuses, with the status and the one-line reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def _question(body: dict[str, Any]) -> dict[str, Any]:
    """The arguments of ``Project.ask`` from a JSON body, checked."""
    from policybrief.types import Filters

    question = body.get("question")
    if not isinstance(question, str) or not question.strip():
        raise BadRequest(400, "'question' must be a non-empty string")
    if len(question) > MAX_QUESTION:
        raise BadRequest(400, f"'question' is longer than {MAX_QUESTION} characters")
    k = body.get("k")
    if isinstance(k, str) and k.isdigit():  # (from a query string)
        k = int(k)
    if k is not None and (not isinstance(k, int) or not 1 <= k <= MAX_K):
        raise BadRequest(400, f"'k' must be a whole number from 1 to {MAX_K}")
    dates: dict[str, date | None] = {}
    for key in ("since", "until"):
        value = body.get(key)
        dates[key] = parse_date(value) if value else None
        if value and dates[key] is None:
            raise BadRequest(400, f"'{key}' must be a date like 2025-01-31")
    named = {key: _strings(body, key) for key in ("source", "path")}
    filters = Filters(dates["since"], dates["until"], named["source"], named["path"])
    return {"question": question, "k": k, "filters": None if filters.is_empty() else filters}


def _strings(body: dict[str, Any], key: str) -> tuple[str, ...]:
    """A filter given once or as a list (``source``: a publisher's name or part of it;
    ``path``: a glob over document paths in the corpus)."""
    value = body.get(key)
    values = [] if value is None else [value] if isinstance(value, str) else value
    if (
        not isinstance(values, list)
        or len(values) > MAX_FILTERS
        or not all(isinstance(v, str) and v.strip() and len(v) <= 200 for v in values)
    ):
        raise BadRequest(
            400,
            f"'{key}' must be a string or a list of up to {MAX_FILTERS}, none blank or over "
            "200 characters",
        )
    return tuple(v.strip() for v in values)


def _lock_and_markdown(folder: Path) -> tuple[Lock | None, str]:
    """A briefing's lock and its Markdown, from the same write. A write replaces the lock last,
    so for a moment the new Markdown stands beside the old lock: read again until neither file
    changed while they were read and the lock is no older than the Markdown (a Markdown edited
    by hand, newer than its lock for good, is read as it is after a quarter of a second)."""
    import time

    from policybrief.lockfile import LOCK_FILE, read_lock

    lock_path, markdown_path = folder / LOCK_FILE, folder / "briefing.md"

    def stamp(path: Path) -> tuple[int, int] | None:
        try:
            info = path.stat()
        except FileNotFoundError:
            return None
        return info.st_ino, info.st_mtime_ns

    deadline = time.monotonic() + 0.25  # (a write's files land milliseconds apart)
    while True:
        stamps = stamp(lock_path), stamp(markdown_path)
        lock = read_lock(folder)
        markdown = markdown_path.read_text("utf-8") if stamps[1] is not None else ""
        steady = (stamp(lock_path), stamp(markdown_path)) == stamps
        ordered = None in stamps or stamps[0][1] >= stamps[1][1]  # type: ignore[index]
        if (steady and ordered) or time.monotonic() > deadline:
            return lock, markdown
        time.sleep(0.02)


def _name(request: Request) -> str:
    from policybrief.briefings import check_name

    try:
        return check_name(request.path_params["name"])
    except SpecError as exc:
        raise BadRequest(400, str(exc)) from None


def create_app(service: Service, access: Access) -> Starlette:
    """The ASGI app: the page at ``/``, the JSON API under ``/api``."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, JSONResponse, StreamingResponse
    from starlette.routing import Mount, Route

    async def guarded(
        request: Request, handler: Callable[[], Awaitable[Response]], *, write: bool = False
    ) -> Response:
        if request.headers.get("sec-fetch-site") == "cross-site":
            return JSONResponse({"error": "cross-site requests are refused"}, status_code=403)
        if (write or access.reads_need_token) and not access.allows(
            request.headers.get("authorization", "")
        ):
            return JSONResponse({"error": "a valid token is required"}, status_code=401)
        try:
            return await asyncio.wait_for(handler(), REQUEST_SECONDS)
        except BadRequest as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        except Busy as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        except PolicybriefError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        except TimeoutError:
            return JSONResponse({"error": "the request took too long"}, status_code=504)

    async def body_of(request: Request) -> dict[str, Any]:
        # (a form or text/plain POST is what another site can send without asking: refused)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise BadRequest(415, "the body must be sent as application/json")
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            raise BadRequest(413, f"the body is larger than {MAX_BODY} bytes")
        raw = b""
        async for part in request.stream():
            raw += part
            if len(raw) > MAX_BODY:
                raise BadRequest(413, f"the body is larger than {MAX_BODY} bytes")
        try:
            data = json.loads(raw or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise BadRequest(400, f"the body is not JSON: {reason}") from None
        if not isinstance(data, dict):
            raise BadRequest(400, "the body must be a JSON object")
        return data

    async def page(request: Request) -> Response:
        # (open to all who reach it: it holds the token only on loopback, where it asks for it
        # otherwise; no other site may frame it)
        from policybrief.page import render_page

        token = "" if access.reads_need_token else access.token
        page = render_page(token, access.reads_need_token)
        return HTMLResponse(page, headers={**_NO_STORE, **_UNFRAMED})

    async def status(request: Request) -> Response:
        async def show() -> Response:
            state = await service.read(lambda p: p.status().to_dict())
            state["briefings"] = await service.briefings()
            return JSONResponse(state)

        return await guarded(request, show)

    async def briefings(request: Request) -> Response:
        async def show() -> Response:
            return JSONResponse({"briefings": await service.briefings()})

        return await guarded(request, show)

    async def briefing(request: Request) -> Response:
        async def show() -> Response:
            name = _name(request)

            def load(project: Project) -> dict[str, Any]:
                folder = project.briefings_dir / name
                lock, markdown = _lock_and_markdown(folder)
                if lock is None:
                    raise BadRequest(404, f"briefing {name!r} has not been generated")
                return {"name": name, "lock": lock.to_dict(), "markdown": markdown}

            return JSONResponse(await service.read(load))

        return await guarded(request, show)

    async def briefing_html(request: Request) -> Response:
        async def show() -> Response:
            name = _name(request)

            def load(project: Project) -> str:
                path = project.briefings_dir / name / "briefing.html"
                if not path.is_file():
                    raise BadRequest(404, f"briefing {name!r} has no HTML output")
                return path.read_text("utf-8")

            html = await service.read(load)
            return HTMLResponse(html, headers={**_NO_STORE, **_SANDBOXED})

        return await guarded(request, show)

    async def diff(request: Request) -> Response:
        async def show() -> Response:
            from policybrief.freshness import changes_view

            name = _name(request)
            since = request.query_params.get("from") or None
            until = request.query_params.get("to") or None
            version, changes = await service.read(lambda p: p.diff(name, since, until))
            return JSONResponse(
                {"from": version, "to": until or "current", "changes": changes_view(changes)}
            )

        return await guarded(request, show)

    async def history(request: Request) -> Response:
        async def show() -> Response:
            name = _name(request)
            found = await service.read(lambda p: p.shelf.versions(name))
            return JSONResponse({"name": name, "versions": found})

        return await guarded(request, show)

    async def documents(request: Request) -> Response:
        async def show() -> Response:
            found = await service.read(lambda p: [info.to_dict() for info in p.documents()])
            return JSONResponse({"documents": found})

        return await guarded(request, show)

    async def document(request: Request) -> Response:
        async def show() -> Response:
            doc_id = request.path_params["doc_id"]
            info, text = await service.read(lambda p: p.source_text(doc_id))
            return JSONResponse({"document": info.to_dict(), "text": text})

        return await guarded(request, show)

    async def ask(request: Request) -> Response:
        async def show() -> Response:
            arguments = _question(await body_of(request))
            answer = await service.read(lambda p: p.ask(**arguments))
            return JSONResponse(answer.to_dict())

        return await guarded(request, show)

    async def ask_stream(request: Request) -> Response:
        async def show() -> Response:
            query = request.query_params
            named = {key: query.getlist(key) for key in ("source", "path")}
            arguments = _question({**dict(query), **named})
            events = _events(service, arguments)
            return StreamingResponse(events, media_type="text/event-stream", headers=_NO_STORE)

        return await guarded(request, show)

    async def regenerate(request: Request) -> Response:
        async def run() -> Response:
            body = await body_of(request)
            names = body.get("names") or []
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise BadRequest(400, "'names' must be a list of briefing names")
            from policybrief.briefings import check_name

            try:
                checked = [check_name(n) for n in names]
            except SpecError as exc:
                raise BadRequest(400, str(exc)) from None
            if "text/event-stream" in request.headers.get("accept", ""):
                events = _regenerate_events(service, checked)
                return StreamingResponse(events, media_type="text/event-stream", headers=_NO_STORE)
            report = await service.write(lambda p: p.regenerate(checked))
            return JSONResponse(report.to_dict())

        return await guarded(request, run, write=True)

    routes: list[Route | Mount] = [
        Route("/", page),
        Route("/api/status", status),
        Route("/api/briefings", briefings),
        Route("/api/briefings/{name}", briefing),
        Route("/api/briefings/{name}/html", briefing_html),
        Route("/api/briefings/{name}/diff", diff),
        Route("/api/briefings/{name}/versions", history),
        Route("/api/documents", documents),
        Route("/api/documents/{doc_id:path}", document),
        Route("/api/ask", ask, methods=["POST"]),
        Route("/api/ask/stream", ask_stream),
        Route("/api/regenerate", regenerate, methods=["POST"]),
    ]
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    from policybrief.mcp_tools import create_server

    # The same MCP tools at /mcp (streamable HTTP), run on the API's reading thread. (The SDK
    # checks host names itself when told the service is on loopback.)
    mcp = create_server(service.read)
    mcp_app = mcp.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=True,
        host="0.0.0.0" if access.reads_need_token else "127.0.0.1",
    )
    routes.append(Mount("/", app=_McpGate(mcp_app, access)))  # (last: it answers /mcp)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with mcp.session_manager.run():
            yield

    # Bound to loopback, only loopback names may reach it: a page that rebinds its own host
    # name to 127.0.0.1 cannot read the token from ours.
    hosts = ["*"] if access.reads_need_token else sorted(LOOPBACK)
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=hosts)]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


class _McpGate:
    """The MCP app behind the token when reads need it (its tools only read), and with the
    API's bound on request bodies (read whole, up to MAX_BODY, then handed on)."""

    def __init__(self, app: Any, access: Access) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        from starlette.responses import JSONResponse

        given = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
        needed = scope["type"] in ("http", "websocket") and self.access.reads_need_token
        if needed and not self.access.allows(given) and scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if needed and not self.access.allows(given):
            refused = JSONResponse({"error": "a valid token is required"}, status_code=401)
            await refused(scope, receive, send)
            return
        if scope["type"] == "http" and scope["method"] == "POST":
            body = b""
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client left
                body += message.get("body", b"")
                if len(body) > MAX_BODY:
                    reason = f"the body is larger than {MAX_BODY} bytes"
                    await JSONResponse({"error": reason}, status_code=413)(scope, receive, send)
                    return
                if not message.get("more_body"):
                    break
            receive = _replay(body, receive)
        await self.app(scope, receive, send)


def _replay(body: bytes, receive: Any) -> Any:
    """An ASGI ``receive`` that gives ``body`` once, then waits on the real one (a disconnect)."""
    given = False

    async def again() -> dict[str, Any]:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        message: dict[str, Any] = await receive()
        return message

    return again


# Pages and answers are not cached; a briefing's HTML runs no script of its own origin's.
_NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
_UNFRAMED = {"X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'"}
_SANDBOXED = {"Content-Security-Policy": "sandbox allow-popups; default-src 'self' 'unsafe-inline'"}


async def _events(service: Service, arguments: dict[str, Any]) -> AsyncIterator[str]:
    """Server-sent events: each statement as it is verified, notices, then the answer."""
    from policybrief.drafting import Notice
    from policybrief.types import Answer

    queue: asyncio.Queue[Any] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    done = object()
    abandoned = threading.Event()  # the reader left or the time is up: stop between statements

    def produce() -> None:
        def stream(project: Project) -> None:
            for item in project.ask_stream(**arguments):
                if abandoned.is_set():
                    return
                loop.call_soon_threadsafe(queue.put_nowait, item)

        try:
            service.read_now(stream)
        except Exception as exc:  # (any failure ends the stream with its reason)
            loop.call_soon_threadsafe(queue.put_nowait, exc)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, done)

    worker = asyncio.create_task(asyncio.to_thread(produce))
    try:
        async for item in _drain(queue, done):
            if isinstance(item, Exception):
                yield _event("error", {"error": _reason(item)})
            elif isinstance(item, Notice):
                yield _event("notice", {"text": item.text})
            elif isinstance(item, Answer):
                yield _event("answer", item.to_dict())
            else:
                yield _event("statement", item.to_dict())
    finally:
        abandoned.set()
    if worker.done():
        await worker


async def _regenerate_events(service: Service, names: list[str]) -> AsyncIterator[str]:
    """Server-sent events of a regenerate: ``progress`` (done, total: documents embedded, then
    each briefing's sections), then the ``report``."""
    queue: asyncio.Queue[tuple[str, dict[str, Any]] | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def put(item: tuple[str, dict[str, Any]] | None) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, item)

    def produce() -> None:
        def progress(done: int, total: int) -> None:
            put(("progress", {"done": done, "total": total}))

        try:
            report = service.write_now(lambda p: p.regenerate(names, progress=progress))
            put(("report", report.to_dict()))
        except Exception as exc:  # (any failure ends the stream with its reason)
            put(("error", {"error": _reason(exc)}))
        finally:
            put(None)

    worker = asyncio.create_task(asyncio.to_thread(produce))
    async for item in _drain(queue, None, idle=True):  # (progress keeps it alive)
        if isinstance(item, Exception):
            yield _event("error", {"error": _reason(item)})
        else:
            yield _event(*item)
    if worker.done():
        await worker


async def _drain(
    queue: asyncio.Queue[Any], end: object, *, idle: bool = False
) -> AsyncIterator[Any]:
    """The queue's items until ``end``; a ``TimeoutError`` as the last once the request's time
    is up, or with ``idle`` once that long has passed without an item (the job itself runs
    on: a thread cannot be stopped, and a write must not be)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + REQUEST_SECONDS
    while True:
        try:
            item = await asyncio.wait_for(queue.get(), max(deadline - loop.time(), 0.0))
        except TimeoutError:
            yield TimeoutError("the request took too long")
            return
        if item is end:
            return
        if idle:
            deadline = loop.time() + REQUEST_SECONDS
        yield item


def _reason(exc: BaseException) -> str:
    """What a failed stream tells its reader: a domain error's message, else its kind."""
    if isinstance(exc, PolicybriefError | TimeoutError):
        return str(exc)
    return f"the service failed ({type(exc).__name__})"


def _event(kind: str, data: dict[str, Any]) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def open_service(project: Project) -> Service:
    """A service over ``project``'s folder and settings, sharing its loaded embedder."""
    service = Service(project.root, project.settings, project.embedder)
    service.writer.wait = project.wait  # (--no-wait: a regenerate meets a busy project with 409)
    return service


@contextmanager
def running(app: Starlette) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port, in a thread (for tests, benchmarks
    and screenshots): its base URL, until the block ends."""
    import socket
    import threading

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        thread.join(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def serve(project: Project, host: str, port: int, say: Callable[[str], None]) -> None:
    """Run the service until interrupted."""
    import uvicorn

    access = access_for(host)
    service = open_service(project)
    project.embedder.embed_query("warm up")  # load the model before the first request
    app = create_app(service, access)
    where = f"http://{host}:{port}/"
    say(f"serving {project.root} at {where} (Ctrl-C stops)")
    say(f"token for writes{' and reads' if access.reads_need_token else ''}: {access.token}")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        service.close()
