"""The wheel is complete: `pip wheel . --no-deps` holds every data file the app reads
(templates, samples, wording, vocabularies, cue tables, translations) and nothing else
(no tests, no scripts, no model weights), and the package unpacked from it drafts the
bundled sample from a folder that is not the checkout."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import pytest
from docx import Document

from tests.conftest import ROOT

# Files in emrwriter/ that are sources for something shipped, not read by the app.
NOT_SHIPPED = {".ts"}  # Qt Linguist sources of the .qm translations


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built by pip from a copy of the sources (the build leaves the checkout alone)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "emrwriter", src / "emrwriter", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (found,) = out.glob("emrwriter-*.whl")
    return found


def _names(wheel: Path) -> set[PurePosixPath]:
    with zipfile.ZipFile(wheel) as archive:
        return {PurePosixPath(name) for name in archive.namelist()}


def test_the_wheel_holds_every_data_file_the_app_reads(wheel):
    names = _names(wheel)
    source = {
        PurePosixPath(path.relative_to(ROOT).as_posix())
        for path in (ROOT / "emrwriter").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", *NOT_SHIPPED)
    }
    assert source - names == set()  # every file of the package, code and data
    for must in (
        "emrwriter/bundled/templates/discharge_summary_zh/manifest.toml",
        "emrwriter/bundled/templates/discharge_summary_en/reference.docx",
        "emrwriter/bundled/samples/en_heart_failure/progress_note_2026-10-05.docx",
        "emrwriter/bundled/samples/zh_pneumonia/入院记录.txt",
        "emrwriter/words/zh.toml",
        "emrwriter/vocabulary/drugs_zh.csv",
        "emrwriter/facts/cues_en.toml",
        "emrwriter/gui/translations/emrwriter_zh_CN.qm",
    ):
        assert PurePosixPath(must) in names, must


def test_the_wheel_holds_nothing_else(wheel):
    names = _names(wheel)
    tops = {name.parts[0] for name in names}
    assert tops == {"emrwriter", wheel.name.split("-py3")[0] + ".dist-info"}
    assert not [n for n in names if n.suffix in (".gguf", ".sqlite3", ".ts", ".pyc") or "tests" in n.parts]
    assert wheel.stat().st_size < 5_000_000  # templates, samples and tables: well under a megabyte today


def _data_only(template: Path, into: Path) -> Path:
    """A copy of ``template`` without its model-written sections: the draft path without the
    model's writing (seconds, where the full demo takes minutes on a busy machine)."""
    shutil.copytree(template, into)
    manifest = into / "manifest.toml"
    head, *sections = manifest.read_text(encoding="utf-8").split("[[sections]]")
    kept = [s for s in sections if re.search(r'(?m)^(origin|kind) = "data"', s)]
    assert 0 < len(kept) < len(sections)
    manifest.write_text(head + "".join("[[sections]]" + s for s in kept), encoding="utf-8")
    return into


def test_the_unpacked_wheel_drafts_the_sample_from_another_folder(wheel, tmp_path):
    """The package taken from the wheel (first on sys.path; dependencies from this environment),
    run from an empty folder: its templates and samples are found, and `emrwriter draft` of its
    English sample writes a .docx that reads back (`emrwriter demo --headless` is this with the
    model's sections too; measured by hand in the README)."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    work = tmp_path / "elsewhere"
    work.mkdir()
    template = _data_only(site / "emrwriter" / "bundled" / "templates" / "discharge_summary_en", tmp_path / "data_only")
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import emrwriter; "
        "assert emrwriter.__file__.startswith(sys.argv[1]), emrwriter.__file__; "
        "from emrwriter.paths import SAMPLES; from emrwriter.templates import available_templates; "
        "print(*sorted(f'{k}={v}' for k, v in available_templates().items()), sep='\\n'); "
        "from emrwriter.cli import main; "
        "sys.exit(main(['draft', str(SAMPLES / 'en_heart_failure'), '--template', sys.argv[2], '--out', 'demo.docx']))"
    )
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [sys.executable, "-c", code, str(site), str(template)], cwd=work, capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    bundled = site / "emrwriter" / "bundled" / "templates"
    assert done.stdout.splitlines()[:2] == [
        f"{name}={bundled / name}" for name in ("discharge_summary_en", "discharge_summary_zh")
    ]
    text = "\n".join(p.text for p in Document(str(work / "demo.docx")).paragraphs)
    assert "Acute decompensated heart failure" in text  # the sample's diagnosis, from its files in the wheel
