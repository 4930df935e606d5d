"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions API and Ollama's
/api/chat, and answers with scripted replies, so the real LangChain clients can be tested.

Replies stream in small pieces (server-sent events for OpenAI, NDJSON for Ollama). ``delay``
makes the server hang before answering; ``hold`` makes it pause after the first sentence until
the test releases it, to prove that output streams; ``cut_after`` breaks the stream off.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class ScriptedLLM(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.reply = ""
        self.replies: list[str] = []  # used in turn before ``reply``, one per request
        self.delay = 0.0
        self.hold: threading.Event | None = None
        self.cut_after = 0  # >0: drop the connection after this many streamed pieces
        self.finished = threading.Event()
        self.requests: list[dict[str, Any]] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> ScriptedLLM:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.hold is not None:
            self.hold.set()
        self.shutdown()
        self.server_close()

    def next_reply(self) -> str:
        return self.replies.pop(0) if self.replies else self.reply

    def prompt_text(self, index: int = -1) -> str:
        """Everything the client sent in one request's messages."""
        return "\n".join(str(m.get("content", "")) for m in self.requests[index]["messages"])


def _pieces(text: str) -> list[str]:
    """The reply cut into small pieces, as a model streams tokens."""
    return re.findall(r"\S+\s*|\s+", text)


class _Handler(BaseHTTPRequestHandler):
    server: ScriptedLLM

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.requests.append(body)
        self.server.finished.clear()
        if self.server.delay:
            time.sleep(self.server.delay)
        reply = self.server.next_reply()
        if self.path.endswith("/chat/completions"):
            self._openai(body, reply)
        elif self.path.endswith("/api/chat"):
            self._ollama(body, reply)
        else:
            self.send_error(404)
        self.server.finished.set()

    def _send_piece(self, data: bytes, piece: str, state: list[int]) -> None:
        """Send one piece; with ``hold`` set, pause once the second sentence has begun (the
        first is complete only then) until the test releases the server."""
        self.wfile.write(data)
        self.wfile.flush()
        if self.server.hold is None or state[0] > 1:
            return
        if state[0] == 1:
            state[0] = 2
            self.server.hold.wait(timeout=30)
        elif piece.rstrip().endswith("."):
            state[0] = 1

    def _openai(self, body: dict[str, Any], reply: str) -> None:
        model = body.get("model", "scripted")
        if not body.get("stream"):
            payload = {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        done = [0]
        for sent, piece in enumerate(_pieces(reply), start=1):
            chunk = {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
            }
            self._send_piece(f"data: {json.dumps(chunk)}\n\n".encode(), piece, done)
            if sent == self.server.cut_after:  # the model dies mid-answer
                self.close_connection = True
                self.wfile.write(b"data: {not json\n\n")
                self.wfile.flush()
                return
        last = {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
        self.wfile.write(f"data: {json.dumps(last)}\n\ndata: [DONE]\n\n".encode())
        self.wfile.flush()

    def _ollama(self, body: dict[str, Any], reply: str) -> None:
        model = body.get("model", "scripted")
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        done = [0]
        for piece in _pieces(reply):
            line = {
                "model": model,
                "created_at": "2026-01-01T00:00:00Z",
                "message": {"role": "assistant", "content": piece},
                "done": False,
            }
            self._send_piece((json.dumps(line) + "\n").encode(), piece, done)
        final = {
            "model": model,
            "created_at": "2026-01-01T00:00:00Z",
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": "stop",
            "total_duration": 1,
            "load_duration": 1,
            "prompt_eval_count": 1,
            "prompt_eval_duration": 1,
            "eval_count": 1,
            "eval_duration": 1,
        }
        self.wfile.write((json.dumps(final) + "\n").encode())
        self.wfile.flush()
