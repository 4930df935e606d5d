"""`brief serve` and `brief mcp`: the HTTP API through an HTTP client, the refusals it must make,
and the MCP tools through the official MCP client, all over a real project (packaged model,
Chroma on disk)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from policybrief.api import Project
from policybrief.browser import CHROMIUM, launch_chromium
from policybrief.embedders import Embedder
from policybrief.serving import MAX_BODY, access_for, create_app, open_service, running

SPEC = (
    "title: H20\nsections:\n"
    "  - heading: Investment\n    questions: ['How much is Alibaba investing in AI?']\n"
)
ANSWERABLE = "How much is Alibaba investing in AI?"
UNANSWERABLE = "What did Nvidia say about the ban?"
LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder) -> Iterator[Project]:
    """The sample article, indexed, with one briefing generated."""
    from tests.conftest import SAMPLE

    root = tmp_path_factory.mktemp("served")
    (root / "corpus").mkdir()
    (root / "corpus" / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    (root / "briefings" / "h20").mkdir(parents=True)
    (root / "briefings" / "h20" / "spec.yaml").write_text(SPEC, "utf-8")
    project = Project.open(root, embedder=real_embedder)
    project.ingest()
    project.generate("h20")
    yield project
    project.close()


@contextmanager
def served(project: Project, host: str) -> Iterator[TestClient]:
    """A client of the service bound to ``host``, token "secret"."""
    service = open_service(project)
    app = create_app(service, access_for(host, "secret"))
    base = LOCAL if host == "127.0.0.1" else "http://example.test"
    try:
        with TestClient(app, base_url=base) as client:
            yield client
    finally:
        service.close()


@pytest.fixture(scope="module")
def local(project: Project) -> Iterator[TestClient]:
    with served(project, "127.0.0.1") as client:
        yield client


def test_an_answer_through_the_api_is_the_library_answer(
    local: TestClient, project: Project
) -> None:
    response = local.post("/api/ask", json={"question": ANSWERABLE})
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(project.ask(ANSWERABLE).to_dict()))
    assert "380 billion RMB" in response.json()["statements"][0]["text"]


def test_a_question_the_sources_cannot_answer_is_said_to_be_unanswered(
    local: TestClient,
) -> None:
    answer = local.post("/api/ask", json={"question": UNANSWERABLE}).json()
    assert answer["found"] is False and answer["statements"] == []


def test_statements_stream_as_server_sent_events_ending_with_the_answer(
    local: TestClient,
) -> None:
    with local.stream("GET", "/api/ask/stream", params={"question": ANSWERABLE}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        kinds = [line[7:] for line in response.iter_lines() if line.startswith("event: ")]
    assert kinds[0] == "statement" and kinds[-1] == "answer"


def test_briefings_are_listed_and_shown_with_their_lock(local: TestClient) -> None:
    (listed,) = local.get("/api/briefings").json()["briefings"]
    assert listed["name"] == "h20" and listed["current"] is True
    shown = local.get("/api/briefings/h20").json()
    assert shown["lock"]["briefing"] == "h20" and "380 billion RMB" in shown["markdown"]
    page = local.get("/api/briefings/h20/html")
    assert "sandbox" in page.headers["content-security-policy"]
    status = local.get("/api/status").json()
    assert status["documents"] == 1 and status["briefings"][0]["name"] == "h20"


def test_the_page_is_self_contained_and_carries_the_token_only_on_loopback(
    local: TestClient, project: Project
) -> None:
    page = local.get("/").text
    assert '"secret"' in page
    assert "src=" not in page and "<link" not in page  # no external assets
    with served(project, "0.0.0.0") as client:
        page = client.get("/")  # (it holds no token there, and asks for one)
        assert page.status_code == 200 and '"secret"' not in page.text


@pytest.mark.parametrize(
    "path",
    ["/api/briefings/%2E%2E/html", "/api/briefings/..%2F..%2Fetc/html", "/api/briefings/a b"],
)
def test_a_briefing_name_that_leaves_its_folder_is_refused(local: TestClient, path: str) -> None:
    # (a name with a separator matches no route at all; a bad name is a 400 naming the rule)
    assert local.get(path).status_code in (400, 404)
    assert local.get("/api/briefings/%2E%2E").json()["error"].startswith("invalid briefing name")


def test_bad_or_oversized_requests_get_one_line_reasons(local: TestClient) -> None:
    bad = local.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 400 and bad.json()["error"].startswith("the body is not JSON")
    assert "\n" not in bad.json()["error"]
    empty = local.post("/api/ask", json={"question": " "})
    assert empty.status_code == 400
    as_json = {"content-type": "application/json"}
    huge = local.post("/api/ask", content=b"x" * (MAX_BODY + 1), headers=as_json)
    assert huge.status_code == 413
    deep = local.post("/api/ask", content=b"[" * 60_000, headers=as_json)
    assert deep.status_code == 400 and "nested too deeply" in deep.json()["error"]
    assert local.post("/api/ask", json={"question": "q", "k": 10_000}).status_code == 400


def test_what_another_site_could_send_unasked_is_refused(local: TestClient) -> None:
    # a form or text/plain POST needs no permission from the browser; a JSON one does
    plain = local.post(
        "/api/ask", content=b'{"question": "q"}', headers={"content-type": "text/plain"}
    )
    assert plain.status_code == 415
    cross = local.get("/api/briefings", headers={"sec-fetch-site": "cross-site"})
    assert cross.status_code == 403
    assert "frame-ancestors 'none'" in local.get("/").headers["content-security-policy"]


def test_a_token_in_other_characters_is_refused_not_an_error(local: TestClient) -> None:
    odd_header = {"Authorization": "Bearer \xe9t\xe9".encode("latin-1")}
    odd = local.post("/api/regenerate", json={}, headers=odd_header)
    assert odd.status_code == 401


def test_a_document_is_shown_only_as_it_was_indexed(local: TestClient, project: Project) -> None:
    shown = local.get("/api/documents/000_2ce7d138358dc40e.txt").json()
    assert "380 billion RMB" in shown["text"] and shown["document"]["title"]
    assert local.get("/api/documents/not-indexed.txt").status_code == 422
    path = project.corpus_dir / "000_2ce7d138358dc40e.txt"
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"\nAn edit after indexing.")
        edited = local.get("/api/documents/000_2ce7d138358dc40e.txt")
        assert (
            edited.status_code == 422 and "changed since it was indexed" in edited.json()["error"]
        )
    finally:
        path.write_bytes(original)


def test_the_stream_takes_its_options_from_the_query(local: TestClient) -> None:
    params = {"question": ANSWERABLE, "k": "3"}
    with local.stream("GET", "/api/ask/stream", params=params) as response:
        assert response.status_code == 200


def test_writes_need_the_token_even_on_loopback(local: TestClient) -> None:
    assert local.post("/api/regenerate", json={}).status_code == 401
    wrong = local.post("/api/regenerate", json={}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    done = local.post("/api/regenerate", json={}, headers={"Authorization": "Bearer secret"})
    assert done.status_code == 200
    assert done.json()["briefings"][0]["name"] == "h20"


def test_a_regenerate_can_stream_its_progress_then_its_report(local: TestClient) -> None:
    headers = {"Authorization": "Bearer secret", "Accept": "text/event-stream"}
    with local.stream("POST", "/api/regenerate", json={}, headers=headers) as response:
        lines = list(response.iter_lines())
    kinds = [line[7:] for line in lines if line.startswith("event: ")]
    assert kinds[-1] == "report" and set(kinds[:-1]) <= {"progress"}
    report = json.loads(lines[lines.index("event: report") + 1][6:])
    assert report["briefings"][0]["name"] == "h20"


def test_on_another_host_reads_need_the_token_too(project: Project) -> None:
    with served(project, "0.0.0.0") as client:
        assert client.get("/api/briefings").status_code == 401
        ok = client.get("/api/briefings", headers={"Authorization": "Bearer secret"})
        assert ok.status_code == 200


def test_on_loopback_a_request_for_another_host_name_is_refused(local: TestClient) -> None:
    # (DNS rebinding: a page whose name now points at 127.0.0.1 must not read the token)
    assert local.get("/", headers={"host": "attacker.example"}).status_code == 400


def test_the_mcp_tools_answer_with_citations_through_the_official_client(
    project: Project,
) -> None:
    import anyio
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "policybrief", "--project", str(project.root), "mcp"],
    )

    async def talk() -> tuple[set[str], dict[str, object], dict[str, object]]:
        async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            tools = {tool.name for tool in (await session.list_tools()).tools}
            asked = await session.call_tool("ask", {"question": ANSWERABLE})
            missing = await session.call_tool("ask", {"question": UNANSWERABLE})
            return tools, structured(asked), structured(missing)

    tools, answer, unanswered = anyio.run(talk)
    assert tools == {"ask", "search", "list_briefings", "get_briefing"}
    (citation,) = answer["statements"][0]["citations"]  # type: ignore[index]
    assert citation["title"] and citation["published"] == "2025-04-21"
    assert "380 billion RMB" in citation["excerpt"]
    assert unanswered["found"] is False


def structured(result: object) -> dict[str, object]:
    """A tool result's JSON: its structured content, else its first text block."""
    content = getattr(result, "structured_content", None) or getattr(
        result, "structuredContent", None
    )
    if isinstance(content, dict):
        return content.get("result", content) if set(content) == {"result"} else content
    blocks: list[object] = getattr(result, "content", [])
    text: Callable[[object], str] = lambda block: getattr(block, "text", "")  # noqa: E731
    parsed: dict[str, object] = json.loads(text(blocks[0]))
    return parsed


@pytest.fixture(scope="module")
def live(project: Project) -> Iterator[str]:
    """The service on a real port (uvicorn in a thread): its base URL."""
    service = open_service(project)
    try:
        with running(create_app(service, access_for("127.0.0.1", "secret"))) as url:
            yield url
    finally:
        service.close()


def test_the_same_mcp_tools_are_served_over_http(live: str) -> None:
    import anyio
    from mcp.client.session import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async def talk() -> tuple[set[str], dict[str, object]]:
        async with (
            streamable_http_client(live + "/mcp") as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            tools = {tool.name for tool in (await session.list_tools()).tools}
            return tools, structured(await session.call_tool("ask", {"question": ANSWERABLE}))

    tools, answer = anyio.run(talk)
    assert tools == {"ask", "search", "list_briefings", "get_briefing"}
    assert "380 billion RMB" in answer["statements"][0]["citations"][0]["excerpt"]  # type: ignore[index]


def test_reads_answer_while_a_regenerate_syncs_and_rebuilds(live: str, project: Project) -> None:
    import threading

    import httpx

    (project.corpus_dir / "gallium.md").write_text(
        "---\ntitle: Gallium curbs\npublished: 2025-05-01\n---\n"
        "Alibaba said it would invest 380 billion RMB in AI infrastructure over three years. "
        "China restricted exports of gallium and germanium, officials said.\n",
        encoding="utf-8",
    )
    reports: list[httpx.Response] = []

    def regenerate() -> None:
        reports.append(
            httpx.post(
                live + "/api/regenerate",
                json={},
                headers={"Authorization": "Bearer secret"},
                timeout=120,
            )
        )

    writer = threading.Thread(target=regenerate)
    writer.start()
    answers = []
    while writer.is_alive() or len(answers) < 3:
        answers.append(httpx.post(live + "/api/ask", json={"question": ANSWERABLE}, timeout=60))
    writer.join()
    assert [r.status_code for r in answers] == [200] * len(answers)
    assert all("380 billion RMB" in r.json()["statements"][0]["text"] for r in answers)
    assert reports[0].status_code == 200 and reports[0].json()["index"]["added"] == [
        "corpus/gallium.md"
    ]
    after = httpx.post(live + "/api/ask", json={"question": "Which metals did China restrict?"})
    assert any(s["doc_id"] == "gallium.md" for s in after.json()["sources"])


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"Chromium is not installed at {CHROMIUM}: `make browser` (as root) installs it",
)
def test_the_page_in_a_real_browser_asks_opens_a_source_and_compares_versions(
    live: str, tmp_path: Path
) -> None:
    """(After the regenerate test above, which leaves the briefing a version to compare.)"""
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone's width
        page.on("request", lambda request: requests.append(request.url))
        page.goto(live + "/")
        page.get_by_text("h20").first.wait_for()
        page.fill("#question", ANSWERABLE)
        page.click("#ask button[type=submit]")
        page.locator("#answer button.cite").first.wait_for()
        assert "380 billion RMB" in page.inner_text("#answer")
        page.locator("#answer button.cite").first.click()
        page.locator("#source-text mark").wait_for()
        assert "380 billion RMB" in page.inner_text("#source-text mark")
        page.fill("#question", UNANSWERABLE)
        page.click("#ask button[type=submit]")
        page.get_by_text("The sources do not answer this question.").wait_for()
        page.fill("#question", ANSWERABLE)
        page.fill("#filter-path", "reports/*")
        page.click("#ask button[type=submit]")
        page.get_by_text("No document matches the filter (path “reports/*”)").wait_for()
        page.fill("#filter-path", "")
        page.locator("li.briefing").first.click()
        frame = page.frame_locator("#view")
        frame.locator("h1").first.wait_for()
        frame.locator("a.cite").first.hover()  # the briefing's own hover excerpts
        assert frame.locator("a.cite .pop").first.is_visible()
        page.locator("#history").wait_for()
        page.click("#compare")
        page.locator("#changes li").first.wait_for()  # (the rebuild moved its "as of" date:
        assert page.inner_text("#changes") == "no changes"  # a version, saying the same)
        page.evaluate("document.querySelector('#source-text').replaceChildren()")
        page.locator("#cited-list button.cite").first.click()  # a briefing's citation, opened
        page.locator("#source-text mark").wait_for()
        assert "380 billion RMB" in page.inner_text("#source-text mark")
        page.evaluate("window.scrollTo(0, 0)")
        page.click("#regenerate")
        page.wait_for_function("document.querySelector('#progress').textContent.includes('h20:')")
        page.set_viewport_size({"width": 1280, "height": 900})  # and a laptop's
        page.screenshot(path=str(tmp_path / "serve.png"), full_page=True)
        browser.close()
    # no external assets: the service's own URLs and the briefing's blob: made from one
    assert all(url.startswith((live, "blob:" + live)) for url in requests)


def test_a_long_running_service_remembers_a_bounded_number_of_sentence_vectors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import numpy as np

    from policybrief.embedders import SentenceVectors

    class Counting:
        calls = 0

        def embed_documents(self, texts: list[str]) -> list[np.ndarray]:
            Counting.calls += 1
            return [np.full(3, float(len(t))) for t in texts]

    monkeypatch.setattr(SentenceVectors, "MAX_REMEMBERED", 3)
    vectors = SentenceVectors(Counting())  # type: ignore[arg-type]
    assert vectors(["a", "bb", "a"])[:, 0].tolist() == [1.0, 2.0, 1.0]
    vectors(["ccc", "dddd"])
    vectors(["bb"])  # (remembered, and now the most recent)
    assert Counting.calls == 2
    vectors(["eeeee"])
    assert len(vectors._vectors) == 3 and "bb" in vectors._vectors and "a" not in vectors._vectors


def test_a_stream_that_runs_out_of_time_ends_with_an_error_event(
    local: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    import policybrief.serving

    def slow(self: Project, question: str, **_: object) -> Iterator[object]:
        time.sleep(1.0)
        yield from ()

    monkeypatch.setattr(policybrief.serving, "REQUEST_SECONDS", 0.3)
    monkeypatch.setattr(Project, "ask_stream", slow)
    with local.stream("GET", "/api/ask/stream", params={"question": ANSWERABLE}) as response:
        lines = list(response.iter_lines())
    assert lines[0] == "event: error" and "took too long" in lines[1]


def test_questions_can_be_limited_to_a_source_or_a_path(local: TestClient) -> None:
    documents = local.get("/api/documents").json()["documents"]
    assert "000_2ce7d138358dc40e.txt" in [d["doc_id"] for d in documents]
    inside = local.post("/api/ask", json={"question": ANSWERABLE, "path": "000_*"}).json()
    assert "380 billion RMB" in inside["statements"][0]["text"]
    outside = local.post("/api/ask", json={"question": ANSWERABLE, "path": ["reports/*"]}).json()
    assert outside["found"] is False and "path “reports/*”" in outside["unmatched"]
    publisher = local.post("/api/ask", json={"question": ANSWERABLE, "source": "Reuters"}).json()
    assert publisher["found"] is False and "source “Reuters”" in publisher["unmatched"]
    too_many = local.post("/api/ask", json={"question": ANSWERABLE, "source": ["a"] * 11})
    assert too_many.status_code == 400 and "'source'" in too_many.json()["error"]
    for blank in (" ", [""], 0, False, {}):
        refused = local.post("/api/ask", json={"question": ANSWERABLE, "path": blank})
        assert refused.status_code == 400, blank
    params = [("question", ANSWERABLE), ("path", "reports/*"), ("path", "000_*")]
    with local.stream("GET", "/api/ask/stream", params=params) as response:
        lines = list(response.iter_lines())
    answer = json.loads(lines[lines.index("event: answer") + 1][6:])
    assert "380 billion RMB" in answer["statements"][0]["text"]  # (either pattern may match)


def test_the_mcp_endpoint_bounds_request_bodies_as_the_api_does(local: TestClient) -> None:
    headers = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
    huge = local.post("/mcp", content=b" " * (MAX_BODY + 1), headers=headers)
    assert huge.status_code == 413 and "larger than" in huge.json()["error"]


def test_a_briefing_is_read_with_the_lock_written_with_it(project: Project, tmp_path: Path) -> None:
    import os
    import shutil
    import threading
    import time

    from policybrief.serving import _lock_and_markdown

    folder = tmp_path / "h20"
    shutil.copytree(project.briefings_dir / "h20", folder)
    lock, markdown = folder / "sources.json", folder / "briefing.md"
    # mid-write: the new Markdown is in place, the lock that vouches for it not yet
    markdown.write_text("# New version\n", "utf-8")
    old = time.time_ns() - 10**9
    os.utime(lock, ns=(old, old))
    new_lock = lock.read_text("utf-8").replace('"generated_at": "', '"generated_at": "9')

    def finish_the_write() -> None:
        time.sleep(0.2)
        lock.write_text(new_lock, "utf-8")

    writer = threading.Thread(target=finish_the_write)
    writer.start()
    read, text = _lock_and_markdown(folder)
    writer.join()
    assert text == "# New version\n" and read is not None
    assert read.generated_at.startswith("9")


def test_an_abandoned_answer_stream_stops_its_work(
    local: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    import policybrief.serving
    from policybrief.types import Statement

    produced: list[int] = []

    def slow(self: Project, question: str, **_: object) -> Iterator[object]:
        for n in range(40):
            time.sleep(0.05)
            produced.append(n)
            yield Statement(f"Statement {n}.", ())

    monkeypatch.setattr(policybrief.serving, "REQUEST_SECONDS", 0.3)
    monkeypatch.setattr(Project, "ask_stream", slow)
    with local.stream("GET", "/api/ask/stream", params={"question": ANSWERABLE}) as response:
        lines = list(response.iter_lines())
    assert "event: error" in lines
    time.sleep(0.5)  # (had it gone on, it would now be 15 statements further)
    stopped_at = len(produced)
    time.sleep(0.5)
    assert len(produced) == stopped_at < 40
