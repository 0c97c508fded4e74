"""llama-cpp-python's own OpenAI-compatible server (``python -m llama_cpp.server``, the
``inference-server`` extra), started on this machine's loopback on a GGUF file: for the
real-server tests and ``emrwriter bench --server local`` (the server path against the local
path on the same model). Hospitals run llama.cpp's llama-server or vLLM instead
(docs/deployment.md); the client is the same.

Its log says what the server read for each request ("prompt eval time = ... / N tokens"),
which its HTTP answers do not: :func:`evaluated_tokens` reads those figures back."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .base import EngineError

PROMPT_EVAL = re.compile(r"prompt eval time =\s*[\d.]+ ms /\s*(\d+) tokens")
PREFIX_HIT = re.compile(r"Llama\.generate: (\d+) prefix-match hit, remaining (\d+) prompt tokens to eval")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LlamaCppServer:
    """A running ``python -m llama_cpp.server``; stop() ends it (and only it)."""

    model: Path
    port: int
    log: Path
    process: subprocess.Popen | None = None
    args: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> LlamaCppServer:
        import httpx2

        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(self.model), "--host", "127.0.0.1"]
            + ["--port", str(self.port), *self.args],
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        handle.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EngineError(f"llama_cpp.server exited at start (code {self.process.returncode}); see {self.log}")
            try:
                if httpx2.get(f"{self.url}/v1/models", timeout=2, trust_env=False).status_code == 200:
                    return self
            except httpx2.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise EngineError(f"llama_cpp.server did not answer within {timeout:g} s; see {self.log}")

    def kill(self) -> None:
        """As a crash would: no goodbye to the clients."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def evaluated_tokens(self) -> list[int]:
        """Prompt tokens the server read, per request so far, from its log."""
        return [int(n) for n in PROMPT_EVAL.findall(self.log.read_text(encoding="utf-8", errors="replace"))]

    def prefix_hits(self) -> list[tuple[int, int]]:
        """(tokens reused, tokens left to read) for each request that reused a prefix."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return [(int(a), int(b)) for a, b in PREFIX_HIT.findall(text)]


def start_llama_cpp_server(
    model: Path, log: Path, *, n_ctx: int = 4096, threads: int | None = None, port: int | None = None, extra: list | None = None
) -> LlamaCppServer:
    """Start llama-cpp-python's server on loopback on ``model``; EngineError when it cannot
    (the inference-server extra missing, the model unreadable, no answer in time)."""
    try:
        import llama_cpp.server  # noqa: F401  (fastapi, uvicorn, sse-starlette: the inference-server extra)
    except ImportError as exc:
        raise EngineError(
            f"llama-cpp-python's server is not installed (pip install 'emrwriter[inference-server]'): {exc}"
        ) from None
    # Several clients queue rather than cut each other short (its default interrupts a stream
    # when another request arrives, ending it with no finish reason).
    args = ["--n_ctx", str(n_ctx), "--interrupt_requests", "false"]
    if threads:
        args += ["--n_threads", str(threads), "--n_threads_batch", str(threads)]
    server = LlamaCppServer(Path(model), port or free_port(), Path(log), args=args + list(extra or []))
    return server.start()
