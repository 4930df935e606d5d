"""Every command against a real Chroma server (`chroma run` on 127.0.0.1)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import REPO


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import chromadb
    from chromadb.config import Settings

    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    chroma = Path(sys.executable).with_name("chroma")
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            client = chromadb.HttpClient(
                host="127.0.0.1", port=port, settings=Settings(anonymized_telemetry=False)
            )
            client.heartbeat()
            break
        except Exception:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the Chroma server did not start") from None
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=30)


def server_counts(url: str) -> dict[str, int]:
    import chromadb
    from chromadb.config import Settings

    host, port = url.removeprefix("http://").split(":")
    client = chromadb.HttpClient(
        host=host, port=int(port), settings=Settings(anonymized_telemetry=False)
    )
    return {c.name: c.count() for c in client.list_collections()}


def test_every_command_works_against_a_chroma_server(
    chroma_server: str, make_project: Callable[..., Path], run_cli: Callable[..., Result]
) -> None:
    root = make_project(sample=True)
    (root / "brief.toml").write_text(f'[chroma]\nurl = "{chroma_server}"\n', "utf-8")
    shutil.copytree(
        REPO / "briefings" / "ai-independence",
        root / "briefings" / "ai-independence",
        ignore=shutil.ignore_patterns("history", "briefing.*", "sources.json"),
    )

    assert run_cli(root, "ingest").exit_code == 0
    assert not (root / ".policybrief" / "chroma").exists()  # vectors live on the server
    collections = server_counts(chroma_server)
    assert sum(collections.values()) == 4

    answer = json.loads(run_cli(root, "ask", "How much is Alibaba investing?", "--json").output)
    assert answer["found"] and "380 billion" in answer["statements"][0]["text"]
    generated = run_cli(root, "generate", "ai-independence")
    assert generated.exit_code == 0, generated.output
    assert "$52.7 billion" in (root / "briefings/ai-independence/briefing.md").read_text("utf-8")

    (root / "corpus" / "extra.md").write_text(
        "# Extra\n\nTencent expanded its Hunyuan models across WeChat services in 2025.\n", "utf-8"
    )
    regenerated = run_cli(root, "regenerate")
    assert regenerated.exit_code == 0, regenerated.output
    assert "1 added" in regenerated.output
    assert sum(server_counts(chroma_server).values()) == 5
    assert run_cli(root, "doctor").exit_code == 0
    assert "documents  2" in run_cli(root, "status").output


def test_the_chroma_url_flag_and_a_dead_server(
    chroma_server: str, make_project: Callable[..., Path], run_cli: Callable[..., Result]
) -> None:
    root = make_project(sample=True)
    assert run_cli(root, "--chroma-url", chroma_server, "ingest").exit_code == 0
    assert not (root / ".policybrief" / "chroma").exists()
    dead = run_cli(root, "--chroma-url", f"http://127.0.0.1:{free_port()}", "ask", "chips")
    assert dead.exit_code == 1
    assert "cannot reach the Chroma server" in dead.output
    bad = run_cli(root, "--chroma-url", "not a url", "ask", "chips")
    assert bad.exit_code == 1 and "must look like http://host:port" in bad.output


def test_projects_on_one_server_keep_separate_collections(
    chroma_server: str,
    make_project: Callable[..., Path],
    tmp_path: Path,
    run_cli: Callable[..., Result],
) -> None:
    first = make_project(sample=True)
    second = tmp_path / "second"
    shutil.copytree(first, second)
    before = set(server_counts(chroma_server))
    for root in (first, second):
        assert run_cli(root, "--chroma-url", chroma_server, "ingest").exit_code == 0
    assert len(set(server_counts(chroma_server)) - before) == 2
