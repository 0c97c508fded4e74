"""The server engine against a tiny local HTTP server (tests/engine/fake_server.py) for what
a real server does not do on cue: 500s, garbage, hangs, a wrong key, a Stop mid-stream.
(A real llama-cpp-python server: tests/engine/test_real_server.py.)"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from emrwriter.engine.base import WAITING, WRITING, Cancel, EngineError
from emrwriter.engine.server_engine import ChatPrompt, ServerEngine, ServerSettings, check_connection, normalise_url
from tests.engine.fake_server import MODEL, FakeServer

LONG = " ".join(f"word{i}" for i in range(400))


_made: list[ServerEngine] = []


@pytest.fixture(autouse=True)
def _close_engines():
    yield
    while _made:
        _made.pop().close()


def engine_for(server: FakeServer, **changes) -> ServerEngine:
    settings = ServerSettings(server.url, retries=2, backoff=0.01, first_token_timeout=5, token_timeout=5)
    _made.append(ServerEngine(replace(settings, **changes)))
    return _made[-1]


def test_streams_with_waiting_then_writing_and_sends_record_first_messages():
    with FakeServer(key="sekret") as server:
        engine = engine_for(server, api_key="sekret")
        reports, pieces = [], []
        prompt = engine.chat_prompt("You write summaries.", "RECORD...\n\nWrite the course.")
        result = engine.generate(prompt, 50, label="Course", on_progress=reports.append, on_token=pieces.append)
    assert result.stop_reason == "end"
    assert result.text == "The patient recovered well and went home." == "".join(pieces)
    assert result.evaluated_tokens == 7  # the server's own count (llama.cpp's timings.prompt_n)
    assert result.prompt_tokens == 100 and result.generated_tokens == 7
    assert reports[0].phase == WAITING and reports[0].label == "Course"
    assert {r.phase for r in reports[1:]} == {WRITING} and reports[-1].done == 7
    body = server.bodies[-1]
    assert body["messages"] == [
        {"role": "system", "content": "You write summaries."},
        {"role": "user", "content": "RECORD...\n\nWrite the course."},
    ]
    assert body["cache_prompt"] is True and body["model"] == MODEL and body["stream"] is True
    assert engine.name == f"{MODEL} @ {server.url}"
    assert engine.context_limit == 4096  # from /v1/models meta.n_ctx_train


def test_chat_prompt_counts_both_messages_and_the_measured_template():
    with FakeServer() as server:
        engine = engine_for(server)
        prompt = engine.chat_prompt("one two", "three four five")
        assert isinstance(prompt, ChatPrompt) and prompt.startswith("one two")
        # fake tokenizer: words + 1; the template's overhead is usage.prompt_tokens (12) minus "a" and "b" (2 each), + 1
        assert engine.count_tokens(prompt) == 3 + 4 + 9
        calls = server.requests["/tokenize"]
        engine.count_tokens(prompt)
        assert server.requests["/tokenize"] == calls  # counts are cached


def test_an_answer_begun_is_sent_as_a_final_assistant_message_to_continue():
    with FakeServer() as server:
        engine = engine_for(server)
        prompt = engine.chat_prompt("sys", "record and task")
        assert prompt + "" is prompt  # the guard's first round: the prompt as built
        begun = prompt + "First sentence. "
        assert isinstance(begun, ChatPrompt) and begun == "sys\n\nrecord and taskFirst sentence. "
        assert engine.count_tokens(begun) == engine.count_tokens(prompt) + engine.count_tokens("First sentence. ")
        result = engine.generate(begun + "Second. ", 50, avoid={"aspirin"})
    assert result.stop_reason == "end"
    assert server.bodies[-1]["messages"][1:] == [
        {"role": "user", "content": "record and task"},
        {"role": "assistant", "content": "First sentence. Second. "},
    ]


def test_a_wrong_api_key_is_one_clear_line():
    with FakeServer(key="right") as server:
        ok, line = check_connection(replace(ServerSettings(server.url), api_key="wrong"))
        assert not ok and "API key" in line and "401" in line
        with pytest.raises(EngineError, match="refused the API key"):
            engine_for(server, api_key="wrong").connect()
        assert check_connection(replace(ServerSettings(server.url), api_key="right")) == (
            True,
            f"{MODEL}: context 4096 tokens (models)",
        )


def test_http_500_is_retried_then_reported_without_raising():
    with FakeServer("500") as server:
        engine = engine_for(server)
        result = engine.generate(engine.chat_prompt("s", "u"), 10)
    assert result.stop_reason == "error" and "HTTP 500" in result.error and "internal failure" in result.error
    assert server.requests["/v1/chat/completions"] == 1 + 1 + 2  # the template probe, then three tries
    assert engine.counters.retries == 2


def test_a_busy_server_is_retried_with_backoff_until_it_answers():
    with FakeServer(fail_first=2) as server:
        engine = engine_for(server)
        result = engine.generate(engine.chat_prompt("s", "u"), 10)
    assert result.stop_reason == "end" and result.text.startswith("The patient")
    assert engine.counters.retries == 2


def test_garbage_in_the_stream_keeps_the_text_so_far():
    with FakeServer("garbage") as server:
        engine = engine_for(server)
        result = engine.generate(engine.chat_prompt("s", "u"), 10)
    assert result.stop_reason == "error" and result.text == "Hello"
    assert "not a completion stream" in result.error
    with FakeServer("not_sse") as server:
        engine = engine_for(server)
        result = engine.generate(engine.chat_prompt("s", "u"), 10)
    assert result.stop_reason == "error" and "content type 'application/json'" in result.error


def test_an_answer_cut_short_without_a_finish_reason_is_never_taken_as_complete():
    with FakeServer("cut") as server:
        engine = engine_for(server)
        result = engine.generate(engine.chat_prompt("s", "u"), 50)
        assert result.stop_reason == "error" and result.text == "The patient recovered "
        assert "ended the answer early" in result.error
        server.mode = "ok"  # the server is there: the next section goes on
        assert engine.generate(engine.chat_prompt("s", "u2"), 50).stop_reason == "end"


def test_no_first_token_in_time_is_a_timeout():
    with FakeServer("hang_first") as server:
        engine = engine_for(server, first_token_timeout=0.5, retries=0)
        started = time.monotonic()
        result = engine.generate(engine.chat_prompt("s", "u"), 10)
        took = time.monotonic() - started
    assert result.stop_reason == "error" and "no answer within 0.5 s" in result.error
    assert took < 3


def test_a_server_gone_silent_mid_answer_keeps_the_text_and_fails_the_rest_at_once():
    with FakeServer("hang_after") as server:
        engine = engine_for(server, token_timeout=0.5)
        result = engine.generate(engine.chat_prompt("s", "u"), 10)
        assert result.stop_reason == "error" and result.text == "The patient"
        assert "went silent for 0.5 s" in result.error
        streams = server.requests["/v1/chat/completions"]
        later = engine.generate(engine.chat_prompt("s", "next section"), 10)
        assert later.stop_reason == "error" and later.error == result.error
        assert server.requests["/v1/chat/completions"] == streams  # no request: the draft ends quickly
        engine.read_shared_prefix([])  # a new draft tries again
        server.mode = "ok"
        assert engine.generate(engine.chat_prompt("s", "u"), 10).stop_reason == "end"


def test_stop_closes_the_stream_at_once_and_the_server_sees_it():
    with FakeServer(answer=LONG, token_delay=0.05) as server:
        engine = engine_for(server)
        cancel = Cancel()
        pieces: list[str] = []

        def token(piece: str) -> None:
            pieces.append(piece)
            if len(pieces) == 3:
                cancel.set()

        started = time.monotonic()
        result = engine.generate(engine.chat_prompt("s", "u"), 400, on_token=token, cancel=cancel)
        took = time.monotonic() - started
        assert result.stop_reason == "cancelled" and result.text == "word0 word1 word2"
        assert took < 2  # not the 20 s the answer would take
        assert server.client_closed.wait(3)  # the server saw the connection go: its slot is free


def test_a_plain_threading_event_also_stops_the_stream():
    with FakeServer(answer=LONG, token_delay=0.05) as server:
        engine = engine_for(server)
        cancel = threading.Event()  # no listeners: the watchdog sees it within its poll
        pieces: list[str] = []

        def token(piece: str) -> None:
            pieces.append(piece)
            if len(pieces) == 3:
                cancel.set()

        result = engine.generate(engine.chat_prompt("s", "u"), 400, cancel=cancel, on_token=token)
    assert result.stop_reason == "cancelled" and 3 <= len(result.text.split()) < 40


def test_plain_http_to_another_machine_needs_the_setting():
    with pytest.raises(EngineError, match="allow_plain_http"):
        ServerEngine(ServerSettings("http://10.1.2.3:8080"))
    with ServerEngine(ServerSettings("http://10.1.2.3:8080", allow_plain_http=True)) as engine:
        assert "unencrypted" in engine.warning and "10.1.2.3:8080" in engine.warning
    for url in ("http://localhost:8080", "https://llm.hospital.example", "http://[::1]:8080"):
        with ServerEngine(ServerSettings(url)) as engine:
            assert engine.warning == ""
    assert normalise_url("llm:8080/v1/") == "http://llm:8080"


def test_an_unreadable_ca_bundle_and_an_unreachable_server_are_one_line_each(tmp_path):
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    with pytest.raises(EngineError, match="CA bundle cannot be read"):
        ServerEngine(ServerSettings("https://llm.hospital.example", ca_bundle=bad))
    with FakeServer() as server:
        url = server.url
    ok, line = check_connection(ServerSettings(url, retries=1, backoff=0.01))
    assert not ok and "cannot reach the server" in line


def test_a_draft_whose_server_fails_keeps_its_sections_marked(tmp_path):
    from emrwriter.drafting.pipeline import draft_summary
    from emrwriter.records.case import load_case
    from emrwriter.records.stay import select_encounter
    from tests.conftest import EN_CASE, short_template

    template = short_template("discharge_summary_en", tmp_path / "t", 16)
    stay = select_encounter(load_case(EN_CASE))
    with FakeServer("hang_after", context=8192) as server:
        engine = engine_for(server, token_timeout=0.5)
        draft = draft_summary(stay, template, engine)
    model = [s for s in draft.sections if s.origin == "model"]
    assert model and all(not s.complete and "went silent" in s.note for s in model)
    assert model[0].text == "The patient"  # what was written is kept
    assert server.requests["/v1/chat/completions"] == 2  # the template probe and one stream: the rest failed at once
    assert draft.model == f"{MODEL} @ {server.url}"


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1 (the hospital CA's stand-in), made by openssl."""
    import shutil
    import subprocess

    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_https_with_the_site_ca_bundle_and_an_untrusted_certificate_refused(certificate):
    with FakeServer(tls=certificate) as server:
        assert server.url.startswith("https://")
        ok, line = check_connection(ServerSettings(server.url, retries=0))
        assert not ok and "certificate is not trusted" in line and "ca_bundle" in line
        engine = engine_for(server, ca_bundle=certificate[0])
        result = engine.generate(engine.chat_prompt("s", "u"), 10)
    assert result.stop_reason == "end" and result.text.startswith("The patient")
