"""The server engine: a shared inference server speaking the OpenAI-compatible HTTP API
(llama.cpp's ``llama-server``, vLLM, llama-cpp-python's ``python -m llama_cpp.server``).

We are the client; the server owns the model, its context, its prefix cache and its
batching. What the drafter needs from it, over HTTP (httpx2, already a dependency of the
default model's package, with SSE built in and the system's trust store):

- the prompts as chat messages: the system text, then a user message that starts with
  the record, byte-identical for every section (the pipeline builds them so), so the
  server's prefix cache reads the record once (llama.cpp: ``cache_prompt``; vLLM:
  automatic prefix caching; llama-cpp-python: its one slot keeps the longest prefix);
- streaming over server-sent events with the same progress phases as the local engine:
  WAITING (the server reads, or queues us) until the first token, then WRITING;
- Stop that really stops: the connection is shut down, the server sees it and frees the
  slot; the text written so far is kept;
- timeouts: connecting, the first token, and between two tokens (a watchdog shuts the
  connection down when one passes);
- retries with backoff only while nothing was generated (connection refused, 5xx, 429);
- an API key (``Authorization: Bearer``), TLS with the system's trust store or a site CA
  bundle, and no plain http to another machine unless allowed (a warning then);
- the model list from ``/v1/models`` and the context size where the server says it
  (llama.cpp's ``/props``, ``meta.n_ctx_train`` or vLLM's ``max_model_len``);
- token counts from the server's own tokenizer (``/tokenize`` or llama-cpp-python's
  ``/extras/tokenize/count``), cached, plus the chat template's overhead measured once.

A server failure after some text was written (the server killed, the connection lost)
does not lose that text: the section keeps it with stop_reason "error" and the message
in ``Generation.error``; the engine then answers every later section at once with the
same error, so a draft ends quickly with its sections marked. Nothing here runs unless a
server is configured: the local path never imports this module.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from .base import WAITING, WRITING, Cancel, Engine, EngineError, Generation, Progress, ProgressCallback, TokenCallback

log = logging.getLogger(__name__)

DEFAULT_CONTEXT = 2048  # when the server does not say its context size (llama-cpp-python's own default)
CHAT_OVERHEAD_GUESS = 32  # template tokens around two messages, until measured
RETRY_STATUSES = {429, 500, 502, 503, 504}
WATCH_INTERVAL = 0.1
API_KEY_ENV = "EMRWRITER_API_KEY"  # the key's variable when the site config names none


@dataclass(frozen=True)
class ServerSettings:
    """Where the server is and how to talk to it. ``model``: the name the server knows
    ("" for its only model). ``api_key``: sent as a bearer token. ``ca_bundle``: a PEM file
    of the hospital's CA (else the system's trust store). ``context``: the context size
    when the server does not say it (0: ask the server, else 2048)."""

    url: str
    model: str = ""
    api_key: str = ""
    ca_bundle: Path | None = None
    allow_plain_http: bool = False
    connect_timeout: float = 10.0
    first_token_timeout: float = 600.0  # the server may read a long record, or queue us behind others
    token_timeout: float = 60.0
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    context: int = 0
    temperature: float = 0.2
    seed: int = 1234

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", normalise_url(self.url))

    @classmethod
    def from_config(cls, server, *, url: str = "", model: str = "", api_key: str | None = None) -> ServerSettings:
        """From the site config's ``[server]`` (emrwriter.config.ServerConfig), the command
        line's ``url``/``model`` winning over it. The key is read from the environment
        variable the config names (never from the file itself)."""
        import os

        if api_key is None:  # the variable the config names, else EMRWRITER_API_KEY
            api_key = os.environ.get(server.api_key_env or API_KEY_ENV, "")
        timeouts = {}
        if server.timeout_seconds:
            timeouts = {"first_token_timeout": server.timeout_seconds, "token_timeout": min(60.0, server.timeout_seconds)}
        return cls(
            url=url or server.url,
            model=model or (server.model if not url or url == server.url else ""),
            api_key=api_key,
            ca_bundle=server.ca_bundle,
            allow_plain_http=server.allow_plain_http,
            **timeouts,
        )

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc


def normalise_url(url: str) -> str:
    """``host:port`` or ``http://host:port/v1`` -> ``http://host:port`` (the API's root)."""
    url = (url or "").strip()
    if not url:
        raise EngineError("no server address given")
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EngineError(f"{url}: not a server address (use http://host:port or https://host)")
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):
        path = path[: -len("/v1")]
    return f"{parts.scheme}://{parts.netloc}{path}"


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_http_warning(settings: ServerSettings) -> str:
    """The warning shown while patient data goes over plain http to another machine ("" if not)."""
    if settings.url.startswith("http://") and not is_loopback(settings.url):
        return f"patient data goes to {settings.host} over plain http, unencrypted (allowed by the setting allow_plain_http)"
    return ""


def check_transport(settings: ServerSettings) -> None:
    """Plain http to anything but this machine needs the explicit setting."""
    if settings.url.startswith("http://") and not is_loopback(settings.url) and not settings.allow_plain_http:
        raise EngineError(
            f"{settings.url}: plain http to another machine would send patient data unencrypted; "
            "use https, or set allow_plain_http in the [server] section of the site config"
        )


class ChatPrompt(str):
    """A prompt for a server: the text (system, blank line, user, then any answer begun) as a
    str for counting and comparing, carrying its messages, which are what the server is sent.
    ``prompt + text`` (the drafting's guard continuing an answer from a sentence it kept) is
    the same prompt with ``text`` added to the answer begun: sent as a final assistant message
    for the server to continue."""

    system: str
    user: str
    assistant: str

    def __new__(cls, system: str, user: str, assistant: str = "") -> ChatPrompt:
        prompt = super().__new__(cls, f"{system}\n\n{user}{assistant}")
        prompt.system, prompt.user, prompt.assistant = system, user, assistant
        return prompt

    def __add__(self, other):
        if not isinstance(other, str):
            return NotImplemented
        return self if not other else ChatPrompt(self.system, self.user, self.assistant + other)


@dataclass
class ServerInfo:
    """What the server told us about itself."""

    models: list[str] = field(default_factory=list)
    model: str = ""  # the one we use
    context: int = 0  # 0: the server did not say
    context_source: str = ""  # "props" | "models" | "setting" | "assumed"
    tokenizer: str = ""  # the endpoint that counts tokens, "" for an estimate
    kind: str = ""  # "llama.cpp" | "vllm" | "llama-cpp-python" | "" (unknown)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class ServerCounters:
    """For tests and the benchmark: what the server did for us."""

    requests: int = 0
    retries: int = 0
    tokenize_calls: int = 0
    reported_evaluated: list = field(default_factory=list)  # per generate: prompt tokens the server said it read
    first_token_seconds: list = field(default_factory=list)


class ServerEngine(Engine):
    """An Engine on an OpenAI-compatible server. Thread-safe for separate generate() calls
    (the batch's jobs each use their own engine all the same, for their own figures)."""

    def __init__(self, settings: ServerSettings, *, transport=None):
        check_transport(settings)
        self.settings_ = settings
        self.warning = plain_http_warning(settings)
        if self.warning:
            log.warning("%s", self.warning)
        self.counters = ServerCounters()
        self.last_prefix = None
        self.read_seconds = None
        self._info: ServerInfo | None = None
        self._counts: dict[str, int] = {}
        self._chat_overhead: int | None = None
        self._failure = ""  # set when the server failed mid-draft: later sections fail at once
        self._guard = threading.Lock()
        self._transport = transport
        self._client = self._new_client(keepalive=True)

    # -- the HTTP client ----------------------------------------------------------------

    def _ssl_context(self) -> ssl.SSLContext | bool:
        if not self.settings_.url.startswith("https://"):
            return True
        if self.settings_.ca_bundle:
            path = Path(self.settings_.ca_bundle)
            try:
                return ssl.create_default_context(cafile=str(path))
            except (OSError, ssl.SSLError) as exc:
                raise EngineError(f"{path}: the CA bundle cannot be read ({exc})") from None
        import httpx2

        return httpx2.create_ssl_context(trust_env=False)  # the system's trust store

    def _new_client(self, *, keepalive: bool):
        import httpx2

        s = self.settings_
        headers = {"Accept": "application/json"}
        if s.api_key:
            headers["Authorization"] = f"Bearer {s.api_key}"
        limits = httpx2.Limits(max_keepalive_connections=None if keepalive else 0, max_connections=None)
        return httpx2.Client(
            base_url=s.url,
            headers=headers,
            verify=self._ssl_context(),
            timeout=httpx2.Timeout(connect=s.connect_timeout, read=s.first_token_timeout + 5, write=30.0, pool=None),
            limits=limits,
            trust_env=False,  # no proxy from the environment: patient data goes to the configured host only
            follow_redirects=False,
            transport=self._transport,
        )

    def close(self) -> None:
        """Close the kept-alive connection (the batch closes each job's engine at the end)."""
        self._client.close()

    def __enter__(self) -> ServerEngine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _request(self, method: str, path: str, *, json_body: dict | None = None, retry: bool = True, what: str = ""):
        """One request (not streamed), retried with backoff while the server is not there
        or says it is busy. Returns the response (any status; the caller decides)."""
        import httpx2

        s = self.settings_
        attempts = s.retries + 1 if retry else 1
        for attempt in range(attempts):
            try:
                response = self._client.request(method, path, json=json_body)
            except (httpx2.ConnectError, httpx2.ConnectTimeout) as exc:
                if attempt + 1 >= attempts:
                    raise EngineError(f"{s.url}: cannot reach the server ({_reason(exc)})") from None
            except httpx2.TimeoutException:
                raise EngineError(f"{s.url}: the server did not answer {what or path} in time") from None
            except httpx2.HTTPError as exc:
                if attempt + 1 >= attempts:
                    raise EngineError(f"{s.url}: {what or path} failed ({_reason(exc)})") from None
            else:
                if response.status_code not in RETRY_STATUSES or attempt + 1 >= attempts:
                    return response
            self.counters.retries += 1
            time.sleep(s.backoff * 2**attempt)
        raise AssertionError("unreachable")

    # -- what the server says about itself --------------------------------------------------

    def connect(self) -> ServerInfo:
        """Ask the server for its models and context size (once); EngineError, one line,
        when it cannot be used."""
        with self._guard:
            if self._info is None:
                self._info = self._discover()
        return self._info

    def _discover(self) -> ServerInfo:
        s = self.settings_
        entries = self._model_entries()
        info = ServerInfo(models=[m["id"] for m in entries])
        if s.model:
            chosen = next((m for m in entries if m["id"] == s.model or display_name(m["id"]) == s.model), None)
            if chosen is None:
                raise EngineError(f"{s.url}: the server has no model {s.model!r}; it has: {', '.join(info.models)}")
        elif len(entries) == 1:
            chosen = entries[0]
        else:
            raise EngineError(f"{s.url}: the server has several models; choose one ({', '.join(info.models)})")
        info.model = chosen["id"]
        meta = chosen.get("meta") if isinstance(chosen.get("meta"), dict) else {}
        if isinstance(chosen.get("max_model_len"), int):
            info.context, info.context_source, info.kind = chosen["max_model_len"], "models", "vllm"
        props = self._request("GET", "/props", what="the server's settings")
        if props.status_code == 200:
            body = _json(props, s, "the server's settings")
            settings = body.get("default_generation_settings", {}) if isinstance(body, dict) else {}
            n_ctx = settings.get("n_ctx") or (body.get("n_ctx") if isinstance(body, dict) else None)
            if isinstance(n_ctx, int) and n_ctx > 0:
                info.context, info.context_source, info.kind = n_ctx, "props", "llama.cpp"
        if not info.context and isinstance(meta.get("n_ctx_train"), int):
            info.context, info.context_source = meta["n_ctx_train"], "models"
        if s.context:
            info.context, info.context_source = s.context, "setting"
        if not info.context:
            info.context, info.context_source = DEFAULT_CONTEXT, "assumed"
            log.info("%s does not say its context size: assuming %d tokens", s.url, DEFAULT_CONTEXT)
        info.tokenizer = self._find_tokenizer()
        if info.tokenizer == "/extras/tokenize/count":
            info.kind = info.kind or "llama-cpp-python"
        return info

    def _find_tokenizer(self) -> str:
        for path in ("/tokenize", "/extras/tokenize/count"):
            try:
                self._tokenize_at(path, "a")
            except _NoTokenizer:
                continue
            return path
        log.warning("%s has no tokenize endpoint: token counts are estimated from the text's length", self.settings_.url)
        return ""

    def _tokenize_at(self, path: str, text: str) -> int:
        self.counters.tokenize_calls += 1
        if path == "/extras/tokenize/count":
            body = {"input": text}
        else:
            body = {"content": text, "add_special": False}
            if self._info is not None and self._info.kind == "vllm":
                body = {"model": self._info.model, "prompt": text, "add_special_tokens": False}
        response = self._request("POST", path, json_body=body, what="counting tokens")
        if response.status_code in (404, 405, 422, 400) and path == "/tokenize" and "content" in body:
            if response.status_code != 404:  # vLLM's /tokenize wants its own fields
                vllm = {"model": self._info.model if self._info else "", "prompt": text, "add_special_tokens": False}
                response = self._request("POST", path, json_body=vllm, what="counting tokens")
        if response.status_code in (404, 405):
            raise _NoTokenizer
        _raise_for_status(response, self.settings_, "counting tokens")
        data = _json(response, self.settings_, "counting tokens")
        if isinstance(data, dict):
            if isinstance(data.get("count"), int):
                return data["count"]
            if isinstance(data.get("tokens"), list):
                return len(data["tokens"])
        raise _NoTokenizer

    def _model_entries(self) -> list[dict]:
        s = self.settings_
        response = self._request("GET", "/v1/models", what="the model list")
        _raise_for_status(response, s, "the model list")
        data = _json(response, s, "the model list")
        entries = [m for m in data.get("data", []) if isinstance(m, dict) and m.get("id")] if isinstance(data, dict) else []
        if not entries:
            raise EngineError(f"{s.url}: the server lists no model")
        return entries

    def list_models(self) -> list[str]:
        """The models the server offers (/v1/models), whether or not one is chosen."""
        if self._info is not None:
            return list(self._info.models)
        return [m["id"] for m in self._model_entries()]

    # -- the Engine protocol ------------------------------------------------------------------

    @property
    def name(self) -> str:  # type: ignore[override]
        """The model and the server, as the draft's footer and the status bar name them."""
        if self._info is None:
            try:
                self.connect()
            except EngineError:
                pass  # named as configured; the failure shows where the server is used
        model = self._info.model if self._info else self.settings_.model
        return f"{display_name(model) or '?'} @ {self.settings_.url}"

    @property
    def context_limit(self) -> int:
        return self.connect().context

    def count_tokens(self, text: str) -> int:
        if isinstance(text, ChatPrompt):
            begun = self.count_tokens(text.assistant) if text.assistant else 0
            return self.count_tokens(text.system) + self.count_tokens(text.user) + self._overhead() + begun
        cached = self._counts.get(text)
        if cached is not None:
            return cached
        info = self.connect()
        if not text:
            count = 0
        elif info.tokenizer:
            try:
                count = self._tokenize_at(info.tokenizer, text)
            except _NoTokenizer:
                raise EngineError(f"{self.settings_.url}: the server stopped counting tokens") from None
        else:
            count = len(text.encode("utf-8")) // 2 + 1  # a generous estimate: 2 bytes a token
        self._counts[text] = count
        return count

    def _overhead(self) -> int:
        """The chat template's tokens around the two messages, measured once with a
        one-token answer to a tiny prompt (usage.prompt_tokens minus the messages)."""
        if self._chat_overhead is None:
            overhead = CHAT_OVERHEAD_GUESS
            try:
                response = self._request(
                    "POST",
                    "/v1/chat/completions",
                    json_body={**self._body(ChatPrompt("a", "b"), 1), "stream": False},
                    what="measuring the chat template",
                )
                usage = _json(response, self.settings_, "a completion").get("usage") if response.status_code == 200 else None
                if isinstance(usage, dict) and isinstance(usage.get("prompt_tokens"), int):
                    overhead = max(0, usage["prompt_tokens"] - self.count_tokens("a") - self.count_tokens("b")) + 1
            except (EngineError, AttributeError):
                pass
            self._chat_overhead = overhead
        return self._chat_overhead

    def reserve(self, tokens: int, on_progress: ProgressCallback | None = None) -> None:
        limit = self.context_limit
        if tokens > limit:
            raise EngineError(
                f"the prompt needs {tokens} tokens but {self.name} holds at most {limit}; use a server model with a longer context"
            )

    def chat_prompt(self, system: str, user: str) -> str:
        return ChatPrompt(system, user)

    def settings(self) -> dict:
        info = self._info.as_dict() if self._info else {}
        s = self.settings_
        return {
            "server": s.url,
            "model": info.get("model", s.model),
            "context": info.get("context"),
            "context_source": info.get("context_source"),
            "tokenizer": info.get("tokenizer"),
            "server_kind": info.get("kind"),
            "chat_overhead": self._chat_overhead,
            "timeouts": {"connect": s.connect_timeout, "first_token": s.first_token_timeout, "between_tokens": s.token_timeout},
            "ca_bundle": str(s.ca_bundle) if s.ca_bundle else None,
            "api_key": bool(s.api_key),
        }

    def _body(self, prompt: str, max_tokens: int) -> dict:
        s = self.settings_
        body = {
            "model": self._info.model if self._info else s.model,
            "max_tokens": max_tokens,
            "temperature": s.temperature,
            "top_p": 0.9,
            "top_k": 40,
            "min_p": 0.05,
            "repeat_penalty": 1.1,  # llama.cpp and llama-cpp-python (the local engine's sampling)
            "seed": s.seed,
            "cache_prompt": True,  # llama.cpp: keep the prompt in the slot, so the next section reuses the record
        }
        if isinstance(prompt, ChatPrompt):
            body["messages"] = [{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}]
            if prompt.assistant:  # continue the answer begun (llama-server continues a final assistant message)
                body["messages"].append({"role": "assistant", "content": prompt.assistant})
                if self._info is not None and self._info.kind == "vllm":
                    body.update(continue_final_message=True, add_generation_prompt=False)
        else:
            body["prompt"] = str(prompt)
        return body

    def generate(
        self,
        prompt: str,
        max_tokens: int,
        *,
        label: str = "",
        on_progress: ProgressCallback | None = None,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
        avoid: Collection[str] = (),  # a ban that changes as the answer streams cannot be sent: ignored
    ) -> Generation:
        cancel = cancel or threading.Event()
        if self._failure:
            return Generation("", 0, 0, 0, 0.0, 0.0, "error", error=self._failure)
        try:
            prompt_tokens = self.count_tokens(prompt)  # counted while the prompts were fitted: cached
        except EngineError as exc:
            self._failure = str(exc)
            return Generation("", 0, 0, 0, 0.0, 0.0, "error", error=self._failure)
        started = time.monotonic()
        if on_progress:
            on_progress(Progress(WAITING, 0, prompt_tokens, label=label))
        path = "/v1/chat/completions" if isinstance(prompt, ChatPrompt) else "/v1/completions"
        body = {**self._body(prompt, max_tokens), "stream": True, "stream_options": {"include_usage": True}}
        s = self.settings_
        attempt = 0
        while True:
            stream = _Stream(self, path, body, cancel, label, prompt_tokens, max_tokens, on_progress, on_token, started)
            result = stream.run()
            if stream.retryable and not stream.pieces and attempt < s.retries and not cancel.is_set():
                attempt += 1
                self.counters.retries += 1
                if cancel.wait(s.backoff * 2 ** (attempt - 1)):
                    return Generation("", prompt_tokens, 0, 0, time.monotonic() - started, 0.0, "cancelled")
                continue
            break
        if result.stop_reason == "error" and not stream.cut:
            self._failure = result.error  # the later sections of this draft fail at once, with this line
        return result

    def read_shared_prefix(self, prompts, *, label="", on_progress=None, cancel=None):
        """A new draft begins: forget an earlier failure (the server may be back). The
        server's prefix cache, not we, keeps the record: None, every prompt is sent whole."""
        self._failure = ""
        return None


class _NoTokenizer(Exception):
    pass


class _Stream:
    """One streamed completion: the request, the watchdog, the events."""

    def __init__(self, engine, path, body, cancel, label, prompt_tokens, max_tokens, on_progress, on_token, started):
        self.engine, self.path, self.body, self.cancel = engine, path, body, cancel
        self.label, self.prompt_tokens, self.max_tokens = label, prompt_tokens, max_tokens
        self.on_progress, self.on_token, self.started = on_progress, on_token, started
        self.pieces: list[str] = []
        self.produced = 0
        self.first_token_at: float | None = None
        self.last_event_at = started
        self.stopped_by = ""  # "cancelled" | "first_token" | "between_tokens"
        self.retryable = False
        self.cut = False  # ended without a finish reason (the server is there; the next section may go on)
        self.socket: socket.socket | None = None
        self._done = threading.Event()

    # the watchdog: Stop, and the timeouts, close the connection
    def _trace(self, event: str, info: dict) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                self.socket = sock

    def _shut(self, why: str) -> None:
        if not self.stopped_by:
            self.stopped_by = why
        sock = self.socket
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _watch(self) -> None:
        s = self.engine.settings_
        while not self._done.wait(WATCH_INTERVAL):
            now = time.monotonic()
            if self.cancel.is_set():
                self._shut("cancelled")
            elif self.first_token_at is None and now - self.started > s.first_token_timeout:
                self._shut("first_token")
            elif self.first_token_at is not None and now - self.last_event_at > s.token_timeout:
                self._shut("between_tokens")

    def run(self) -> Generation:
        import httpx2

        engine, s = self.engine, self.engine.settings_
        engine.counters.requests += 1
        watcher = threading.Thread(target=self._watch, name="server-watchdog", daemon=True)
        remove = self.cancel.listen(lambda: self._shut("cancelled")) if isinstance(self.cancel, Cancel) else None
        watcher.start()
        stop_reason, error, usage, timings = "", "", {}, {}  # "": no finish reason came (yet)
        client = engine._new_client(keepalive=False)  # its own connection: shutting it down stops this stream only
        try:
            with client.stream("POST", self.path, json=self.body, extensions={"trace": self._trace}) as response:
                if response.status_code != 200:
                    response.read()
                    self.retryable = response.status_code in RETRY_STATUSES
                    return self._failed(_status_message(response, s))
                for kind, event in self._events(response):
                    if kind == "usage":
                        usage = event.get("usage") or usage
                        timings = event.get("timings") or timings
                        continue
                    piece, finish = event
                    if piece:
                        self._token(piece)
                    if finish:
                        stop_reason = "length" if finish == "length" else "end"
                    if self.produced >= self.max_tokens and not finish:
                        stop_reason = "length"
                if not stop_reason and not self.stopped_by:
                    # The stream ended without a finish reason: the server cut the answer short
                    # (llama-cpp-python's server does so when another request arrives). Never
                    # taken as complete: the text is kept and the section marked.
                    self.cut = True
                    error = f"{s.url}: the server ended the answer early, without saying why (another request may have cut it)"
        except (httpx2.ConnectError, httpx2.ConnectTimeout) as exc:
            if not self.stopped_by:
                self.retryable = True
                error = f"{s.url}: cannot reach the server ({_reason(exc)})"
        except _Garbage as exc:
            error = f"{s.url}: the server's answer is not a completion stream ({exc})"
        except (httpx2.HTTPError, OSError) as exc:
            if not self.stopped_by:
                error = f"{s.url}: the server stopped answering ({_reason(exc)})"
        finally:
            self._done.set()
            if remove is not None:
                remove()
            client.close()
        if self.stopped_by == "cancelled":
            stop_reason, error = "cancelled", ""
        elif self.stopped_by == "first_token":
            error = f"{s.url}: no answer within {s.first_token_timeout:g} s"
        elif self.stopped_by == "between_tokens":
            error = f"{s.url}: the server went silent for {s.token_timeout:g} s mid-answer"
        if error:
            return self._failed(error)
        return self._result(stop_reason, usage, timings)

    def _failed(self, error: str) -> Generation:
        return replace(self._result("error", {}, {}), error=error)

    def _result(self, stop_reason: str, usage: dict, timings: dict) -> Generation:
        now = time.monotonic()
        first = self.first_token_at or now
        evaluated = self.prompt_tokens
        prompt_tokens = self.prompt_tokens
        if isinstance(usage, dict) and isinstance(usage.get("prompt_tokens"), int):
            prompt_tokens = usage["prompt_tokens"]
            evaluated = prompt_tokens
            cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
            if isinstance(cached, int):
                evaluated = prompt_tokens - cached
        if isinstance(timings, dict) and isinstance(timings.get("prompt_n"), int):
            evaluated = timings["prompt_n"]  # llama.cpp: the prompt tokens this request read
        reported = bool(timings) or bool(usage and "prompt_tokens_details" in usage)
        if stop_reason in ("end", "length"):
            self.engine.counters.reported_evaluated.append(evaluated if reported else None)
        produced = usage.get("completion_tokens", self.produced) if isinstance(usage, dict) else self.produced
        if self.first_token_at is not None:
            self.engine.counters.first_token_seconds.append(self.first_token_at - self.started)
        return Generation(
            text="".join(self.pieces),
            prompt_tokens=prompt_tokens,
            evaluated_tokens=evaluated if self.first_token_at is not None else 0,
            generated_tokens=produced if isinstance(produced, int) else self.produced,
            prefill_seconds=first - self.started,
            decode_seconds=now - first,
            stop_reason=stop_reason,
        )

    def _token(self, piece: str) -> None:
        now = time.monotonic()
        if self.first_token_at is None:
            self.first_token_at = now
        self.last_event_at = now
        self.produced += 1
        self.pieces.append(piece)
        if self.on_token:
            self.on_token(piece)
        if self.on_progress:
            elapsed = now - self.first_token_at
            rate = (self.produced - 1) / elapsed if elapsed > 0 else 0.0
            self.on_progress(Progress(WRITING, self.produced, self.max_tokens, rate, elapsed, self.label))

    def _events(self, response) -> Iterator[tuple[str, object]]:
        """(kind, data) for each SSE event: ("piece", (text, finish_reason)) or ("usage", dict)."""
        import httpx2

        content_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
        if content_type != "text/event-stream":
            raise _Garbage(f"content type {content_type or 'none'!r}")
        try:
            for sse in httpx2.EventSource(response):
                self.last_event_at = time.monotonic()
                data = sse.data.strip()
                if not data:
                    continue
                if data == "[DONE]":
                    return
                try:
                    event = json.loads(data)
                except ValueError:
                    raise _Garbage(f"unreadable event {data[:40]!r}") from None
                if not isinstance(event, dict):
                    raise _Garbage("an event that is not an object")
                if "error" in event:
                    detail = event["error"].get("message") if isinstance(event["error"], dict) else event["error"]
                    raise _Garbage(f"error: {detail}")
                if event.get("usage") or event.get("timings"):
                    yield "usage", event
                for choice in event.get("choices") or []:
                    delta = choice.get("delta") or {}
                    piece = delta.get("content") if isinstance(delta, dict) else None
                    if piece is None:
                        piece = choice.get("text")
                    yield "piece", (piece or "", choice.get("finish_reason"))
        except httpx2.SSEError as exc:
            raise _Garbage(str(exc)) from None


class _Garbage(Exception):
    pass


def display_name(model_id: str) -> str:
    """A model id as people read it: llama-cpp-python names a model by its file path."""
    if "/" in model_id and model_id.endswith(".gguf"):
        return model_id.rsplit("/", 1)[-1]
    return model_id


def _reason(exc: Exception) -> str:
    import httpx2

    if isinstance(exc, httpx2.RemoteProtocolError):
        return "the connection closed mid-answer"
    text = str(exc).strip()
    if isinstance(getattr(exc, "__context__", None), ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in text:
        return "its certificate is not trusted: give the hospital's CA bundle (ca_bundle)"
    return text.splitlines()[0] if text else type(exc).__name__


def _json(response, settings: ServerSettings, what: str):
    try:
        return response.json()
    except ValueError:
        raise EngineError(f"{settings.url}: {what}: the server's answer is not JSON") from None


def _status_message(response, settings: ServerSettings) -> str:
    code = response.status_code
    if code in (401, 403):
        return f"{settings.url}: the server refused the API key (HTTP {code}); check the key"
    detail = ""
    try:
        body = response.json()
        error = body.get("error") if isinstance(body, dict) else None
        detail = (error.get("message") if isinstance(error, dict) else error) or (
            body.get("detail") if isinstance(body, dict) else ""
        )
    except ValueError:
        detail = response.text[:200]
    detail = " ".join(str(detail or "").split())[:200]
    return f"{settings.url}: the server answered HTTP {code}" + (f" ({detail})" if detail else "")


def _raise_for_status(response, settings: ServerSettings, what: str) -> None:
    if response.status_code != 200:
        raise EngineError(_status_message(response, settings).replace("answered", f"answered {what} with", 1))


def check_connection(settings: ServerSettings) -> tuple[bool, str]:
    """For the Models dialog's Test connection: (ok, one line: the model and context, or why not)."""
    engine = None
    try:
        engine = ServerEngine(settings)
        info = engine.connect()
        line = f"{display_name(info.model)}: context {info.context} tokens ({info.context_source})"
        if len(info.models) > 1:
            line += f"; the server has {len(info.models)} models"
        return True, line + (f"; {engine.warning}" if engine.warning else "")
    except EngineError as exc:
        return False, str(exc)
    finally:
        if engine is not None:
            engine.close()
