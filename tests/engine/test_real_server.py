"""The server engine against a real server: llama-cpp-python's ``python -m llama_cpp.server``
with the default model on 127.0.0.1 (the inference-server extra, installed by the test
extra). Few and short: the smallest corpus notes, sections of 8 tokens."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from docx import Document

from emrwriter.engine.base import Cancel
from emrwriter.engine.llama_cpp_server import free_port, start_llama_cpp_server
from emrwriter.engine.server_engine import ServerEngine, ServerSettings
from tests.conftest import ROOT, short_template

NOTES = "discharge-notes"
SMALL = ["cardiopulmo", "post-thyroidectomy", "neurology"]  # the shortest notes of the corpus


def start(default_model, folder, port=None):
    folder.mkdir(parents=True, exist_ok=True)
    return start_llama_cpp_server(default_model.path, folder / "server.log", n_ctx=2048, threads=1, port=port)


@pytest.fixture(scope="module")
def server(default_model, tmp_path_factory):
    running = start(default_model, tmp_path_factory.mktemp("server"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return short_template("discharge_summary_en", tmp_path_factory.mktemp("template") / "t", 8)


def note(corpus, name):
    return corpus / NOTES / f"{name}-discharge-summary.txt"


def cli(*args, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "emrwriter", *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def test_a_draft_through_the_server_names_it_and_reads_the_record_once(server, template, corpus, tmp_path):
    out = tmp_path / "x.docx"
    before = len(server.evaluated_tokens())
    run = cli("draft", note(corpus, "neurology"), "--server", server.url, "--template", template.folder, "--out", out)
    assert run.returncode == 0, run.stderr
    footer = Document(str(out)).sections[0].footer.paragraphs[0].text
    assert f"SmolLM2-135M-Instruct.Q4_1.gguf @ {server.url}" in footer
    assert "waiting for the server" in run.stderr
    read = server.evaluated_tokens()[before:]
    sections = [s for s in template.sections if s.origin == "model"]
    # a one-token probe of the chat template, then the sections: the record is read by the
    # first section; the others read only their own task
    assert len(read) == 1 + len(sections) and read[0] < 40, read
    assert read[1] > 300 and all(n < read[1] / 5 for n in read[2:]), read


def test_stop_mid_stream_ends_at_once_and_frees_the_server(server):
    with ServerEngine(ServerSettings(server.url)) as engine:
        cancel = Cancel()
        pieces: list[str] = []

        def token(piece):
            pieces.append(piece)
            if len(pieces) == 3:
                cancel.set()

        prompt = engine.chat_prompt("You are a storyteller.", "Tell a very long story about a ship.")
        started = time.monotonic()
        result = engine.generate(prompt, 400, on_token=token, cancel=cancel)
        assert result.stop_reason == "cancelled" and result.text == "".join(pieces[:3])
        assert time.monotonic() - started < 30
        again = engine.generate(engine.chat_prompt("Be brief.", "Say hello."), 4)  # the slot was freed
        assert again.stop_reason in ("end", "length") and again.text


def test_the_server_killed_mid_draft_keeps_the_text_and_marks_the_sections(default_model, template, corpus, tmp_path):
    from emrwriter.drafting.pipeline import draft_summary  # unguarded: tokens stream as they come
    from emrwriter.workflow import choose_stay, open_case

    victim = start(default_model, tmp_path)
    try:
        stay = choose_stay(open_case(note(corpus, "cardiopulmo")))
        written: list[str] = []

        def token(key, piece):
            written.append(piece)
            if len(written) == 2:
                victim.kill()

        with ServerEngine(ServerSettings(victim.url, retries=1, backoff=0.1)) as engine:
            draft = draft_summary(stay, template, engine, on_token=token)
    finally:
        victim.stop()
    model = [s for s in draft.sections if s.origin == "model"]
    assert model[0].text and model[0].text.startswith(written[0].strip())  # what came is kept
    assert all(not s.complete and "the server stopped answering" in s.note for s in model), [s.note for s in model]
    assert not draft.cancelled


def test_batch_with_a_broken_case_killed_mid_run_and_resumed(default_model, template, corpus, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{ this is not json", encoding="utf-8")
    cases = [note(corpus, SMALL[0]), broken, note(corpus, SMALL[1]), note(corpus, SMALL[2])]
    out = tmp_path / "out"
    port = free_port()
    first = start(default_model, tmp_path / "first", port)
    args = [
        sys.executable,
        "-m",
        "emrwriter",
        "batch",
        *cases,
        "--out",
        out,
        "--server",
        first.url,
        "--template",
        template.folder,
    ]
    try:
        lines = []
        with subprocess.Popen(list(map(str, args)), stderr=subprocess.PIPE, text=True, cwd=ROOT) as run:
            for line in run.stderr:
                lines.append(line)
                if line.startswith("[2/4]"):  # the first case done, the broken one failed: kill the server
                    first.kill()
        assert run.returncode == 1, "".join(lines)
    finally:
        first.stop()
    report = {json.loads(x)["case"]: json.loads(x) for x in (out / "batch-report.jsonl").read_text().splitlines()}
    name = [c.stem for c in cases]
    assert report[name[0]]["status"] == "done" and (out / f"{name[0]}.docx").is_file()
    assert report["broken"]["status"] == "failed" and "broken.json" in report["broken"]["error"]
    assert [report[n]["status"] for n in name[2:]] == ["failed", "failed"]
    assert all("the server" in report[n]["error"] for n in name[2:]), [report[n]["error"] for n in name[2:]]
    csv = (out / "batch-report.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbfcase,patient,status") and csv.count(b"\r\n") == 5

    second = start(default_model, tmp_path / "second", port)  # the same address: the same input key
    try:
        rerun = cli(*args[3:], timeout=300)
    finally:
        second.stop()
    assert rerun.returncode == 1, rerun.stderr  # the broken case still fails
    assert f"{name[0]}: skipped" in rerun.stderr
    latest = {json.loads(x)["case"]: json.loads(x) for x in (out / "batch-report.jsonl").read_text().splitlines()}
    assert [latest[n]["status"] for n in name[2:]] == ["done", "done"]
    sections = len([s for s in template.sections if s.origin == "model"])
    assert len(second.evaluated_tokens()) == 1 + 2 * sections  # the template probe, then only those two cases
    assert rerun.stderr.splitlines()[-1].startswith("2 done, 1 skipped, 1 failed in ")
