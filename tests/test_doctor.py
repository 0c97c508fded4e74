"""`emrwriter doctor`: it passes here, says why when it cannot check something, and names the
Debian package of a Qt system library that is missing (shown on a real loader, ldd, run in a
root where that library was left out)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from emrwriter import config as config_module
from emrwriter.doctor import PROBLEM, problems, report
from emrwriter.doctor.installation import check_store, check_templates
from emrwriter.doctor.llama import cpu_variant, loaded_cpu_libraries
from emrwriter.doctor.qt_platform import debian_packages, missing_libraries, qt_folder, start_problem, xcb_plugin
from tests.conftest import ROOT

LINUX = sys.platform.startswith("linux")
DISPLAY_VARS = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XDG_SESSION_TYPE")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DISPLAY_VARS}
    env.update(
        EMRWRITER_SITE_CONFIG=str(tmp_path / "no-site.toml"),
        EMRWRITER_USER_CONFIG=str(tmp_path / "no-user.toml"),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    env.update(extra)
    return env


def _doctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "emrwriter", "doctor", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=900
    )


@pytest.fixture
def site_config(tmp_path, monkeypatch):
    """Write a site file and make this process read it (the cached config is read again)."""

    def write(text: str) -> Path:
        path = tmp_path / "site.toml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("EMRWRITER_SITE_CONFIG", str(path))
        monkeypatch.setenv("EMRWRITER_USER_CONFIG", str(tmp_path / "no-user.toml"))
        config_module.config.cache_clear()
        return path

    yield write
    config_module.config.cache_clear()


def test_doctor_passes_here_with_the_model_loaded_and_qt_started_offscreen(tmp_path):
    done = _doctor(_env(tmp_path, QT_QPA_PLATFORM="offscreen"))
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert out.rstrip().endswith("All checks passed.")
    reading, writing = re.search(r"Default model: .* loads; reads (\d+) tokens/s, writes ([\d.]+) tokens/s", out).groups()
    assert int(reading) > 0 and float(writing) > 0
    assert re.search(r"\[\s*ok\] llama\.cpp: [\d.]+, .*(CPU variant|CPU build)", out)  # which CPU library llama.cpp loaded
    assert re.search(r"\[\s*ok\] Display: Qt starts: platform offscreen, 1 screen", out)
    assert re.search(r"\[\s*ok\] Templates: 2 valid", out) and "discharge_summary_zh (bundled" in out
    assert f"site file: {tmp_path / 'no-site.toml'} (not there)" in out
    assert str(tmp_path / "data" / "EMRWriter" / "emrwriter.sqlite3") in out  # the store of this environment


def test_without_a_display_the_window_check_is_skipped_saying_so(tmp_path):
    done = _doctor(_env(tmp_path), "--quick")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\[skipped\] Display: no display here", done.stdout)
    assert re.search(r"\[skipped\] Default model: not loaded \(--quick\)", done.stdout)


def test_a_bad_setting_fails_the_doctor_with_one_line(tmp_path):
    (tmp_path / "site.toml").write_text("threads = 0\n", encoding="utf-8")
    done = _doctor(_env(tmp_path, EMRWRITER_SITE_CONFIG=str(tmp_path / "site.toml")), "--quick")
    assert done.returncode == 1
    verdict = done.stdout.split("\n\n")[-1].splitlines()
    assert verdict[0] == "1 problem(s):" and verdict[1].startswith("- Configuration: 1 setting(s) ignored")
    assert f"config {tmp_path / 'site.toml'}: threads = 0 is not a whole number" in done.stdout


def test_a_store_folder_that_cannot_be_made_is_a_problem(site_config, tmp_path):
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    site_config(f'[store]\nfolder = "{tmp_path / "a-file" / "store"}"\n')
    check = check_store()
    assert check.status == PROBLEM and str(tmp_path / "a-file" / "store") in check.reason
    assert problems([check]) == [f"Store: {check.reason}"] and "1 problem(s):" in report([check])


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_store_check_makes_a_missing_folder_owner_only(site_config, tmp_path):
    folder = tmp_path / "ward" / "store"
    site_config(f'[store]\nfolder = "{folder}"\n')
    check = check_store()
    assert check.status == "ok" and str(folder / "emrwriter.sqlite3") in check.summary
    assert folder.stat().st_mode & 0o777 == 0o700 and list(folder.iterdir()) == []  # no probe file left


def test_site_templates_replace_bundled_ones_and_a_broken_one_is_named(site_config, tmp_path):
    site = tmp_path / "templates"
    shutil.copytree(ROOT / "emrwriter" / "bundled" / "templates" / "discharge_summary_en", site / "discharge_summary_en")
    (site / "broken").mkdir()
    (site / "broken" / "manifest.toml").write_text('language = "en"\nsections = []\n', encoding="utf-8")
    site_config(f'templates_dir = "{site}"\n')
    check = check_templates()
    assert check.status == PROBLEM
    assert any(line.startswith("discharge_summary_en (site, en") for line in check.details)
    assert any(line.startswith("discharge_summary_zh (bundled, zh") for line in check.details)
    assert str(site / "broken" / "manifest.toml") in check.reason


def test_cpu_variant_names():
    assert cpu_variant("libggml-cpu-haswell.so") == "haswell"
    assert cpu_variant("ggml-cpu-skylakex.dll") == "skylakex"
    assert cpu_variant("libggml-cpu-sandybridge.so") == "sandybridge"
    assert cpu_variant("libggml-cpu.so.0") == ""


def test_loaded_cpu_libraries_reads_the_memory_map_of_this_process():
    from llama_cpp import Llama

    from emrwriter.engine.models import resolve_model

    llm = Llama(model_path=str(resolve_model(None).path), n_ctx=64, verbose=False)  # a CPU library is in use now
    found = loaded_cpu_libraries()
    del llm
    if LINUX:
        assert found and all("ggml-cpu" in name for name in found)


# --- the Qt platform plugin's system libraries ----------------------------------------------------

needs_loader = pytest.mark.skipif(
    not (LINUX and shutil.which("ldd") and xcb_plugin()), reason="Linux with ldd and PySide6's xcb plugin only"
)


def _resolved(plugin: Path) -> list[tuple[str, Path]]:
    """(soname, file) of every library the real loader finds for ``plugin``."""
    out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=True).stdout
    return [(m[0], Path(m[1])) for m in re.findall(r"^\s*(\S+)\s+=>\s+(/\S+)", out, re.MULTILINE)]


def _root_without(tmp_path: Path, plugin: Path, hidden: str) -> list[str]:
    """A root holding the plugin and every library it needs except ``hidden``, at their own
    paths, and ldd (with the shell it runs in); returns the command that runs that ldd there."""
    root = tmp_path / "root"
    ldd, shell = Path(shutil.which("ldd")), Path("/bin/bash")
    files = [plugin, ldd, shell, Path("/lib64/ld-linux-x86-64.so.2")]
    files += [path for soname, path in _resolved(plugin) + _resolved(shell) if soname != hidden]
    for path in files:
        target = root / path.relative_to("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path.resolve(), target)
    return ["unshare", "--map-root-user", "--root", str(root), str(ldd)]


def _can_unshare() -> bool:
    try:
        return subprocess.run(["unshare", "--map-root-user", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@needs_loader
def test_a_missing_xcb_library_is_named_with_its_debian_package(tmp_path, monkeypatch):
    if not Path("/lib64/ld-linux-x86-64.so.2").exists() or not _can_unshare():
        pytest.skip("needs the x86-64 loader and unshare --map-root-user (user namespaces) to hide a library")
    plugin = xcb_plugin()
    resolved = dict(_resolved(plugin))
    hidden = next(name for name in ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-randr.so.0") if name in resolved)
    ldd = _root_without(tmp_path, plugin, hidden)
    before = missing_libraries(plugin)  # the real machine (some may be missing already)
    after = missing_libraries(plugin, ldd)
    assert hidden not in before.libraries and hidden in after.libraries
    assert set(after.libraries) - {hidden} == set(before.libraries)
    package = debian_packages()[hidden]
    assert package in after.packages and f"sudo apt install {' '.join(after.packages)}" in after.hint()
    # The app's start runs the same check where Qt would pick X11, and gives the same line.
    for name in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISPLAY", ":99")
    assert start_problem(ldd) == after.hint()
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert start_problem(ldd) == ""  # not X11: nothing to say


@needs_loader
def test_every_library_of_the_xcb_plugin_has_its_package_in_the_table():
    """The system's libraries, that is (Qt's own and the ICU PySide6 ships are in its folder)."""
    plugin = xcb_plugin()
    system = {soname for soname, path in _resolved(plugin) if not path.resolve().is_relative_to(qt_folder().resolve())}
    needed = system | set(missing_libraries(plugin).libraries)
    assert needed and needed - set(debian_packages()) == set()


@needs_loader
def test_the_app_start_prints_the_package_hint_instead_of_qts_abort(tmp_path):
    """`emrwriter` with an X11 display where the xcb plugin's libraries are missing on this
    machine: one line naming the packages, no abort (runs where some are really missing)."""
    missing = missing_libraries(xcb_plugin())
    if not missing.libraries:
        pytest.skip("every library of the xcb plugin is installed here (the hidden-library test covers the check)")
    done = subprocess.run(
        [sys.executable, "-m", "emrwriter"], capture_output=True, text=True, env=_env(tmp_path, DISPLAY=":99"), timeout=120
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"emrwriter: {missing.hint()}"]


@needs_loader
def test_with_an_x11_display_the_doctor_fails_naming_the_packages(tmp_path):
    """Where the libraries are really missing: one problem, with the packages (not Qt's own
    line, which names libxcb-cursor0 whatever is missing)."""
    missing = missing_libraries(xcb_plugin())
    if not missing.libraries:
        pytest.skip("every library of the xcb plugin is installed here (the hidden-library test covers the check)")
    done = _doctor(_env(tmp_path, DISPLAY=":99"), "--quick")
    assert done.returncode == 1
    assert done.stdout.rstrip().splitlines()[-2:] == ["1 problem(s):", f"- Display: {missing.hint()}"]
