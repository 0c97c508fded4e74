"""The command line, run as a user runs it: exit codes, one-line errors, a real .docx."""

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from emrwriter.cli import main
from tests.conftest import EN_CASE, ROOT, short_template

CORPUS_SUFFIXES = {".json", ".ndjson", ".xml", ".txt", ".hl7"}


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "emrwriter", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=900
    )


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&lol3;</title></ClinicalDocument>"""

BAD_INPUTS = {
    "empty.txt": (b"", "empty file"),
    "junk.bin": (bytes(range(256)) * 8, "not a text file"),
    "truncated.json": (b'{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Pat', "invalid JSON at line 1"),
    "bomb.xml": (BOMB.encode(), "entities"),
    "scan.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(300), "not a text file"),
    "archive.zip": (b"PK\x03\x04" + bytes(100), "ZIP"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_exit_2_with_one_clear_line(tmp_path, name):
    data, message = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(data)
    result = run("draft", path, "--out", tmp_path / "out.docx")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert name in lines[0] and message in lines[0]
    assert not (tmp_path / "out.docx").exists()


def test_bad_arguments_are_exit_2_with_one_line(tmp_path):
    for args in (["draft"], ["draft", EN_CASE, "--threads", "many"], ["frobnicate"]):
        result = run(*args)
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, args
    result = run("draft", tmp_path / "missing", "--out", tmp_path / "x.docx")
    assert result.returncode == 2 and "no such file or folder" in result.stderr
    result = run("draft", EN_CASE, "--encounter", "nope", "--out", tmp_path / "x.docx")
    assert result.returncode == 2 and "not in this record" in result.stderr
    result = run("draft", EN_CASE, "--template", "nope", "--out", tmp_path / "x.docx")
    assert result.returncode == 2 and "unknown template" in result.stderr


def test_existing_output_is_kept_without_force(tmp_path):
    out = tmp_path / "x.docx"
    out.write_bytes(b"keep me")
    result = run("draft", EN_CASE, "--out", out)
    assert result.returncode == 2 and "--force" in result.stderr and out.read_bytes() == b"keep me"


def _corpus_files(corpus: Path) -> list[Path]:
    return sorted(
        p
        for p in corpus.rglob("*")
        if p.is_file()
        and p.suffix.lower() in CORPUS_SUFFIXES
        and p.parent.name != "ndjson"
        and not p.name.isupper()
        and p.name != "LICENSE"
    )


def test_every_corpus_file_imports_or_fails_clearly(corpus, capsys):
    files = _corpus_files(corpus)
    assert len(files) > 100
    outcomes = {}
    for path in files:
        code = main(["inspect", str(path), "--json"])
        out, err = capsys.readouterr()
        if code == 0:
            data = json.loads(out)
            assert data["sources"], path
            outcomes[path.name] = "imported"
        else:
            assert code == 2 and len(err.strip().splitlines()) == 1 and str(path) in err, path
            outcomes[path.name] = err.strip()
    failed = {name: why for name, why in outcomes.items() if why != "imported"}
    # What cannot be imported, and why: HL7 v2 (not supported yet) and two malformed C-CDA fragments.
    assert all(name.endswith(".hl7") or "sdtc" in why for name, why in failed.items()), failed
    assert sum(name.endswith(".hl7") for name in failed) == len(list((corpus / "hl7v2").glob("*.hl7")))
    assert len(failed) == len(list((corpus / "hl7v2").glob("*.hl7"))) + 2


def test_inspect_shows_stays_counts_and_provenance(corpus, capsys):
    dennis = corpus / "synthea-fhir-r4" / "Dennis_Durgan_78f005f3-7b33-4a5b-84d9-28417b36dbab.json"
    assert main(["inspect", str(dennis)]) == 0
    out = capsys.readouterr().out
    assert "Encounters: 25 (1 inpatient)" in out
    assert "* 5f6910e0-8527-40d0-8fc6-04aac352285b  inpatient" in out
    assert "Condition/" in out and "medications: 1 in the default stay" in out


def test_models_lists_the_default_model(capsys):
    assert main(["models", "--json"]) == 0
    models = json.loads(capsys.readouterr().out)["models"]
    default = next(m for m in models if m["source"] == "default")
    assert (default["quantization"], default["context_length"]) == ("Q4_1", 8192)


def test_draft_end_to_end_writes_a_docx(tmp_path):
    """The real default model on the English template, in a context of 1024 with answers capped at 24 tokens (quick)."""
    out = tmp_path / "summary.docx"
    stats = tmp_path / "stats.json"
    template = short_template("discharge_summary_en", tmp_path / "short_en", 24)
    result = run(
        "draft",
        EN_CASE,
        "--out",
        out,
        "--ctx",
        "1024",
        "--stats-json",
        stats,
        "--comments",
        "--template",
        template.folder,
        "--narrative",
        "model",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    assert "reading record" in result.stderr and "tokens/s" in result.stderr
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "Reason for Hospitalization" and headings[-1] == "Attending Signature"
    assert "1. Acute decompensated heart failure" in text
    header = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "2026-10-03 17:30" in header and "2026-10-08" in header and "Dorothy M. Hartwell" in header
    meds = doc.tables[-1]
    assert [c.text for c in meds.rows[1].cells][:3] == ["Sacubitril/valsartan", "24 mg/26 mg", "PO"]
    assert "Smollm2 135M" in doc.sections[0].footer.paragraphs[0].text
    # --comments: the checks' findings are in the document, by EMRWriter.
    assert "added as Word comments" in result.stderr
    assert {c.author for c in doc.comments} <= {"EMRWriter"}
    # --stats-json: the run's figures add up.
    figures = json.loads(stats.read_text(encoding="utf-8"))
    sections = figures["sections"]
    assert [s["key"] for s in sections] == [
        "reason_for_hospitalization",
        "significant_findings",
        "procedures_and_treatment",
        "condition_at_discharge",
    ]
    assert figures["generated_tokens"] == sum(s["generated_tokens"] for s in sections) > 0
    assert figures["prompt_tokens_evaluated"] < figures["prompt_tokens"]  # the record was read once, not per section
    assert figures["wall_seconds"] >= figures["prefill_seconds"] + figures["decode_seconds"] - 0.01


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in ci.splitlines() if "pytest" in line).strip()
    assert command in readme


def test_ctrl_c_stops_drafting_cleanly(tmp_path):
    out = tmp_path / "summary.docx"
    proc = subprocess.Popen(
        [sys.executable, "-m", "emrwriter", "draft", str(EN_CASE), "--out", str(out), "--ctx", "2048", "--narrative", "model"],
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "reading record" in line:
            proc.send_signal(signal.SIGINT)
            break
    rest = proc.communicate(timeout=120)[1]
    assert proc.returncode == 130, "".join(seen) + rest
    assert "stopped; no file written" in rest and "Traceback" not in rest
    assert not out.exists()


def test_the_app_without_a_display_is_one_clear_line():
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run(
        [sys.executable, "-m", "emrwriter", str(EN_CASE)], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "emrwriter: no display for the desktop app; on this machine use 'emrwriter draft PATH' (see --help)"
    ]


def test_a_path_or_nothing_opens_the_app_and_commands_stay_commands():
    from emrwriter.cli import _route

    assert _route([]) == ["open"]
    assert _route(["samples/en_heart_failure"]) == ["open", "samples/en_heart_failure"]
    assert _route(["note.txt"]) == ["open", "note.txt"]  # missing: 'open' says so in one line
    assert _route(["frobnicate"]) == ["frobnicate"]  # an unknown command, not a case
    assert _route(["draft", "x"]) == ["draft", "x"] and _route(["--version"]) == ["--version"]


def test_a_missing_path_is_one_line_even_with_a_display(tmp_path):
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "emrwriter", str(tmp_path / "gone.json")], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"emrwriter: {tmp_path / 'gone.json'}: no such file or folder"]
