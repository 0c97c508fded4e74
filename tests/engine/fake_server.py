"""A tiny OpenAI-compatible HTTP server for the failures a real one rarely shows on cue:
HTTP 500, garbage in the event stream, a hang before or between tokens, a wrong key.
Standard library only (http.server in a thread, on 127.0.0.1, a free port).

``mode`` decides what /v1/chat/completions does: "ok" streams ``answer`` word by word
(``token_delay`` seconds apart), "500" answers HTTP 500, "garbage" sends an event that is
not JSON, "hang_first" sends nothing until closed, "hang_after" sends two tokens then
nothing, "not_sse" answers JSON instead of a stream, "cut" ends the stream after three tokens
with [DONE] and no finish reason. ``fail_first`` answers HTTP 503 that
many times before behaving. ``key`` requires that bearer token. Requests are counted by
path, and the server notes when a client closed a stream before it ended."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "fake-model"


class FakeServer:
    def __init__(
        self,
        mode: str = "ok",
        *,
        answer: str = "The patient recovered well and went home.",
        token_delay: float = 0.0,
        key: str = "",
        fail_first: int = 0,
        context: int | None = 4096,
        tls: tuple | None = None,  # (certificate file, key file): serve https
    ):
        self.mode, self.answer, self.token_delay, self.key = mode, answer, token_delay, key
        self.fail_first, self.context = fail_first, context
        self.requests: dict[str, int] = {}
        self.bodies: list[dict] = []
        self.client_closed = threading.Event()
        self.streaming = 0  # streams open now, and the most at once
        self.most_streaming = 0
        self._count = threading.Lock()
        self.release = threading.Event()  # ends a hang
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.scheme = "http"
        if tls:
            import ssl

            context_ = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context_.load_cert_chain(*map(str, tls))
            self._server.socket = context_.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _json(self, code: int, data: dict) -> None:
                body = json.dumps(data).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _authorised(self) -> bool:
                if fake.key and self.headers.get("Authorization") != f"Bearer {fake.key}":
                    self._json(401, {"error": {"message": "Invalid API Key"}})
                    return False
                return True

            def do_GET(self) -> None:
                fake.requests[self.path] = fake.requests.get(self.path, 0) + 1
                if not self._authorised():
                    return
                if self.path == "/v1/models":
                    entry = {"id": MODEL, "object": "model"}
                    if fake.context:
                        entry["meta"] = {"n_ctx_train": fake.context}
                    self._json(200, {"object": "list", "data": [entry]})
                else:
                    self._json(404, {"detail": "Not Found"})

            def do_POST(self) -> None:
                fake.requests[self.path] = fake.requests.get(self.path, 0) + 1
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self._authorised():
                    return
                if self.path == "/tokenize":
                    self._json(200, {"tokens": list(range(len(body.get("content", "").split()) + 1))})
                    return
                if self.path != "/v1/chat/completions":
                    self._json(404, {"detail": "Not Found"})
                    return
                fake.bodies.append(body)
                if not body.get("stream"):
                    self._json(200, {"choices": [{"message": {"content": "x"}}], "usage": {"prompt_tokens": 12}})
                    return
                if fake.fail_first > 0:
                    fake.fail_first -= 1
                    self._json(503, {"error": {"message": "busy"}})
                    return
                if fake.mode == "500":
                    self._json(500, {"error": {"message": "internal failure"}})
                    return
                if fake.mode == "not_sse":
                    self._json(200, {"choices": [{"text": "hello"}]})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                with fake._count:
                    fake.streaming += 1
                    fake.most_streaming = max(fake.most_streaming, fake.streaming)
                try:
                    self._stream(body)
                except (BrokenPipeError, ConnectionResetError):
                    fake.client_closed.set()
                finally:
                    with fake._count:
                        fake.streaming -= 1

            def _event(self, data) -> None:
                text = data if isinstance(data, str) else json.dumps(data)
                self.wfile.write(f"data: {text}\n\n".encode())
                self.wfile.flush()

            def _piece(self, text: str, finish=None) -> None:
                self._event({"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}]})

            def _stream(self, body: dict) -> None:
                if fake.mode == "hang_first":
                    fake.release.wait(30)
                    return
                if fake.mode == "garbage":
                    self._piece("Hello")
                    self.wfile.write(b"data: {this is not json\n\n")
                    self.wfile.flush()
                    return
                words = fake.answer.split(" ")
                limit = body.get("max_tokens", 1000)
                if fake.mode == "cut":  # as llama-cpp-python's server when another request arrives
                    for word in words[:3]:
                        self._piece(word + " ")
                    self._event("[DONE]")
                    return
                for i, word in enumerate(words[:limit]):
                    if fake.mode == "hang_after" and i == 2:
                        fake.release.wait(30)
                        return
                    if fake.token_delay:
                        time.sleep(fake.token_delay)
                    self._piece(word if i == 0 else " " + word)
                finish = "length" if len(words) > limit else "stop"
                self._piece("", finish)
                self._event(
                    {
                        "choices": [],
                        "usage": {"prompt_tokens": 100, "completion_tokens": min(len(words), limit)},
                        "timings": {"prompt_n": 7},
                    }
                )
                self._event("[DONE]")

        return Handler
