"""Hostile files of every kind (tests/hostile/make.py) through case import and through
`emrwriter inspect`: each is imported or refused in one clear line naming the file (and the
limit, where a limit refused it), never a traceback; within 30 s and 500 MB each; a case
folder holding them all still imports its good note (issue 13)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emrwriter.cli import main as cli_main
from emrwriter.records.case import load_case
from emrwriter.records.limits import default_limits
from emrwriter.records.model import RecordError
from tests.conftest import ROOT
from tests.hostile.make import GOOD_NOTE, Hostile, folder_oddities, hostile_files, unlock

MAX_SECONDS = 30.0
MAX_RSS_MB = 500


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, list[tuple[Hostile, Path]]]:
    """Every hostile file in one folder (with a good note), made once for the module."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "good_note.txt").write_text(GOOD_NOTE)
    return folder, [(item, item.make(folder)) for item in hostile_files()]


def _check_outcome(item: Hostile, path: Path) -> tuple[float, str]:
    """Import ``path`` as a case; return (seconds, what happened) or fail saying why."""
    started = time.perf_counter()
    try:
        record = load_case(path)
    except RecordError as exc:
        seconds = time.perf_counter() - started
        message = str(exc)
        assert "\n" not in message, f"{item.name}: refusal is more than one line: {message!r}"
        assert str(path) in message, f"{item.name}: refusal does not name the file: {message!r}"
        assert item.expect != "problem", f"{item.name}: refused ({message}) but should import with a problem"
        if item.expect == "refused":
            assert re.search(item.pattern, message), f"{item.name}: refusal {message!r} does not match {item.pattern!r}"
        if "limit" in message:  # a limit refusal names the setting that would change it
            assert re.search(r"\(limits\.\w+\)", message), message
        return seconds, message
    seconds = time.perf_counter() - started
    assert item.expect != "refused", f"{item.name}: imported, but should be refused ({item.pattern})"
    problems = "\n".join(str(p) for p in record.problems)
    if item.expect == "problem":
        assert re.search(item.pattern, problems), f"{item.name}: no import problem matches {item.pattern!r}:\n{problems}"
    assert all("\n" not in p.message for p in record.problems), problems
    return seconds, "imported"


def test_every_hostile_file_is_imported_or_refused_in_one_clear_line(hostile) -> None:
    _, files = hostile
    failures = []
    for item, path in files:
        try:
            seconds, _ = _check_outcome(item, path)
            assert seconds < MAX_SECONDS, f"{item.name}: {seconds:.1f} s"
        except AssertionError as exc:
            failures.append(str(exc))
        except Exception as exc:  # anything but RecordError escaping the importers is the bug this test is for
            failures.append(f"{item.name}: {type(exc).__name__}: {exc}")
    kinds = {Path(item.name).suffix for item, _ in files}
    assert {".docx", ".json", ".ndjson", ".xml", ".txt", ".md", ".csv", ".pdf", ".hl7"} <= kinds
    assert not failures, "\n".join(failures)


def test_the_docx_bomb_and_the_145_mb_note_are_refused_within_a_second(hostile) -> None:
    """The two files of the issue: 1.5 MB of .docx that unpacks to 1.5 GB, and a 145 MB note."""
    folder, _ = hostile
    bomb, note = folder / "zip_bomb.docx", folder / "note_145mb.txt"
    assert bomb.stat().st_size < 2 * 2**20 and note.stat().st_size >= 145 * 2**20
    for path, limit in ((bomb, "limits.docx_unpacked_mb"), (note, "limits.text_mb")):
        started = time.perf_counter()
        with pytest.raises(RecordError) as refused:
            load_case(path)
        seconds = time.perf_counter() - started
        assert seconds < 1.0, f"{path.name} refused after {seconds:.2f} s"
        assert str(path) in str(refused.value) and limit in str(refused.value)


def test_inspect_on_the_heaviest_files_each_in_its_own_process(hostile) -> None:
    """The files that cost most (bombs, files just under a cap), each through the real command:
    a clear exit, no traceback, under 30 s and 500 MB."""
    folder, files = hostile
    heavy = [(item, path) for item, path in files if item.heavy]
    assert len(heavy) >= 8
    report = []
    for item, path in heavy:
        code, out, err, seconds, peak_mb = _inspect_measured(path)
        report.append(f"{item.name}: exit {code}, {seconds:.1f} s, {peak_mb:.0f} MB")
        assert "Traceback" not in err and "Traceback" not in out, f"{item.name}:\n{err[-2000:]}"
        assert code in (0, 2), f"{item.name}: exit {code}\n{err[-2000:]}"
        if code == 2:
            lines = [line for line in err.splitlines() if line.strip()]
            assert len(lines) == 1 and lines[0].startswith("emrwriter: ") and str(path) in lines[0], err
        assert seconds < MAX_SECONDS, report[-1]
        assert peak_mb < MAX_RSS_MB, report[-1]
    print("\n".join(report))


# A small launcher runs the command and reports its child's peak memory (RUSAGE_CHILDREN): a
# child forked straight from this test process would count the test's own memory in its peak.
_LAUNCHER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print(f'PEAK_KB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _inspect_measured(path: Path) -> tuple[int, str, str, float, float]:
    """`emrwriter inspect PATH` in its own process: (exit code, stdout, stderr without the
    launcher's line, seconds, the command's peak memory in MB)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, sys.executable, "-m", "emrwriter", "inspect", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        timeout=MAX_SECONDS * 4,
    )
    seconds = time.perf_counter() - started
    err = done.stderr.decode(errors="replace")
    peak = re.search(r"PEAK_KB=(\d+)\s*$", err)
    assert peak, err[-2000:]
    return done.returncode, "", err[: peak.start()], seconds, int(peak[1]) / 1024


def test_inspect_in_process_on_every_light_file_says_one_line_or_reports(hostile, capsys) -> None:
    """The command's own error path for every file not measured above: exit 0 with a report,
    or exit 2 with one line on stderr naming the file."""
    _, files = hostile
    failures = []
    for item, path in files:
        if item.heavy:
            continue
        try:
            code = cli_main(["inspect", str(path)])
        except Exception as exc:
            failures.append(f"{item.name}: {type(exc).__name__}: {exc}")
            continue
        out, err = capsys.readouterr()
        if code == 2:
            lines = err.strip().splitlines()
            if len(lines) != 1 or str(path) not in lines[0]:
                failures.append(f"{item.name}: {err!r}")
        elif code != 0 or "Import problems" not in out and item.expect == "problem":
            failures.append(f"{item.name}: exit {code}")
    assert not failures, "\n".join(failures)


@pytest.fixture
def odd_case(tmp_path: Path, hostile):
    """A case folder of the light hostile files (linked, not copied) plus links out of the folder,
    link loops, a pipe and unreadable files."""
    folder = tmp_path / "case"
    folder.mkdir()
    _, files = hostile
    (folder / "good_note.txt").write_text(GOOD_NOTE)
    for item, path in files:
        if not item.heavy:
            os.link(path, folder / item.name)
    oddities = folder_oddities(folder)
    yield folder, [(item, path) for item, path in files if not item.heavy], oddities
    unlock(folder)


def test_a_case_folder_of_hostile_files_still_imports_its_good_note(odd_case) -> None:
    folder, files, oddities = odd_case
    record = load_case(folder)
    assert any("Community-acquired pneumonia" in d.text for d in record.documents if "good_note" in d.provenance.file)
    assert not any("passwd" in d.provenance.file or d.provenance.file.startswith("/etc") for d in record.documents)
    by_file: dict[str, list[str]] = {}
    for problem in record.problems:
        by_file.setdefault(Path(problem.file).name, []).append(problem.message)
    for item, _ in files:
        if item.expect == "refused":
            said = by_file.get(item.name, [])
            assert any(re.search(item.pattern, m) for m in said), f"{item.name}: {said}"
    for name, pattern in oddities:
        if pattern:
            said = by_file.get(name, [])
            assert any(re.search(pattern, m) for m in said), f"{name}: {said}"
    code, _, err, seconds, peak_mb = _inspect_measured(folder)
    assert code == 0 and "Traceback" not in err, err[-2000:]
    assert seconds < MAX_SECONDS and peak_mb < MAX_RSS_MB, (seconds, peak_mb)


def test_an_unreadable_file_is_listed_not_fatal(tmp_path: Path, monkeypatch) -> None:
    """chmod 000 does not stop root (this suite may run as root), so the read itself is made to
    fail as it does for any other user; the file is listed and the rest imports."""
    (tmp_path / "good_note.txt").write_text(GOOD_NOTE)
    locked = tmp_path / "locked.txt"
    locked.write_text(GOOD_NOTE)
    real_open = Path.open

    def refuse(self: Path, *args, **kwargs):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    record = load_case(tmp_path)
    [problem] = [p for p in record.problems if p.file.endswith("locked.txt")]
    assert "cannot be read (Permission denied)" in problem.message and problem.severity == "error"
    assert len(record.documents) == 1


def test_every_limit_can_be_set_in_the_site_config(tmp_path: Path, monkeypatch) -> None:
    """[limits] in the site config overrides limits.toml by name: a note over a lowered cap is refused."""
    from emrwriter import config

    site = tmp_path / "site.toml"
    site.write_text("[limits]\ntext_mb = 0.001\n")
    monkeypatch.setenv(config.SITE_ENV, str(site))
    monkeypatch.setenv(config.USER_ENV, str(tmp_path / "none.toml"))
    config.config.cache_clear()
    try:
        note = tmp_path / "note.txt"
        note.write_text(GOOD_NOTE * 10)
        with pytest.raises(RecordError, match=r"the limit is 0\.001 MB \(limits\.text_mb\)"):
            load_case(note)
    finally:
        config.config.cache_clear()
    assert set(default_limits()) >= {"text_mb", "json_mb", "json_depth", "xml_mb", "docx_unpacked_mb", "pdf_pages", "csv_rows"}
