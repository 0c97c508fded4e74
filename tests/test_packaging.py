"""packaging/: what the bundle collects beyond imports (llama.cpp's libraries, the default
model), the .deb's Depends against what Qt's xcb plugin really needs (ldd), the package's
layout read back with dpkg-deb, the desktop entry, and the Windows installer script against
the bundle's file names. No PyInstaller run: building the bundle takes minutes
(python packaging/build.py; packaging/README.md)."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))

import bundle_contents  # noqa: E402
import debian_package  # noqa: E402

needs_binutils = pytest.mark.skipif(
    not (shutil.which("readelf") and shutil.which("ldd") and sys.platform.startswith("linux")),
    reason="needs Linux with readelf (binutils) and ldd",
)
needs_dpkg = pytest.mark.skipif(not shutil.which("dpkg-deb"), reason="needs dpkg-deb")


def qt_dir() -> Path:
    import PySide6

    return Path(PySide6.__file__).parent / "Qt"


# --- what the bundle collects ------------------------------------------------------------


@needs_binutils
def test_llama_libraries_are_collected_with_every_name_they_are_opened_by():
    """llama-cpp-python opens libllama/libggml/libmtmd by name with ctypes (PyInstaller cannot
    see that: "Shared library with base name 'llama' not found"), and those libraries ask for
    each other by soname: every libggml*/libllama* a collected library needs is collected."""
    libraries = bundle_contents.llama_libraries()
    assert all(dest == "llama_cpp/lib" for _, dest in libraries)
    names = {Path(src).name for src, _ in libraries}
    for base in bundle_contents.LLAMA_LIBRARIES:
        assert bundle_contents.shared_library_name(base) in names
    for src, _ in libraries:
        for soname in debian_package.needed(Path(src)):
            if soname.startswith(("libggml", "libllama", "libmtmd")):
                assert soname in names, f"{Path(src).name} needs {soname}, which the bundle would lack"
    # Not the third, fully versioned copy the wheel carries (never opened by that name).
    assert not [n for n in names if re.search(r"\.so\.\d+\.\d+", n)]


def test_cpu_variants_are_read_from_the_module_names():
    libraries = [
        (f"/x/{n}", "llama_cpp/lib") for n in ("libggml-cpu-haswell.so", "libggml-cpu-x64.so", "libggml.so", "libggml-cpu.so")
    ]
    assert bundle_contents.cpu_variants(libraries) == ["haswell", "x64"]


def test_the_default_model_lands_where_the_app_looks_for_it(tmp_path):
    """The bundle places the GGUF at the destination bundle_contents gives and copies the
    distribution's metadata beside it; emrwriter's lookup (the distribution's file list) must
    then find the file inside the bundle."""
    src, dest = bundle_contents.default_model()
    dist = metadata.distribution(bundle_contents.MODEL_DISTRIBUTION)
    info = Path(str(dist.locate_file(""))) / f"{dist.metadata['Name'].replace('-', '_')}-{dist.version}.dist-info"
    assert info.is_dir()
    shutil.copytree(info, tmp_path / info.name)  # what PyInstaller's copy_metadata does
    (tmp_path / dest).mkdir(parents=True)
    (tmp_path / dest / Path(src).name).symlink_to(src)
    [bundled] = metadata.distributions(name=bundle_contents.MODEL_DISTRIBUTION, path=[str(tmp_path)])
    found = [Path(str(bundled.locate_file(f))) for f in bundled.files if f.suffix == ".gguf"]
    assert found == [tmp_path / dest / Path(src).name]
    assert found[0].resolve().stat().st_size > 1_000_000


def test_the_launcher_runs_a_module_as_python_m_would():
    """The bundle's executable stands in for `python -m ...` (the model probe child is started
    as `sys.executable -m emrwriter.engine.probe`)."""
    done = subprocess.run(
        [sys.executable, str(PACKAGING / "launcher.py"), "-m", "json.tool", "--sort-keys"],
        input='{"b": 1, "a": 2}',
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.index('"a"') < done.stdout.index('"b"')


# --- the .deb -----------------------------------------------------------------------------


def direct_system_needs(library: Path) -> dict[str, str]:
    """soname -> where ldd finds it ("not found" included), for the libraries `library` names
    as NEEDED that Qt for Python does not carry itself."""
    direct = set(debian_package.needed(library))
    resolved = {}
    for line in subprocess.run(["ldd", str(library)], capture_output=True, text=True, check=True).stdout.splitlines():
        m = re.match(r"\s*(\S+) => (.+?)(?: \(0x[0-9a-f]+\))?$", line)
        if m and m.group(1) in direct:
            resolved[m.group(1)] = m.group(2)
    carried = {p.name for p in qt_dir().rglob("*")}
    return {s: where for s, where in resolved.items() if s not in carried}


@needs_binutils
def test_the_deb_depends_on_every_system_library_the_xcb_plugin_needs():
    """Qt aborts at start ("could not load the Qt platform plugin xcb") when one of these is
    missing: each must be a Depends of the package, never only a Recommends."""
    plugin = qt_dir() / "plugins" / "platforms" / "libqxcb.so"
    needs = direct_system_needs(plugin) | direct_system_needs(qt_dir() / "lib" / "libQt6XcbQpa.so.6")
    assert "libxcb-cursor.so.0" in needs and "libxcb-icccm.so.4" in needs  # the missing ones
    depends, recommends = debian_package.relations({s: [plugin.name] for s in needs}, debian_package.library_table())
    depended = {alt.strip() for d in depends for alt in d.split("|")}
    table = debian_package.library_table()["packages"]
    for soname, where in needs.items():
        assert table[soname] in depends, f"{soname} ({where}) is not in Depends"
    for package in ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0"):
        assert package in depended
    missing_here = [s for s, where in needs.items() if where == "not found"]
    assert all(table[s] in depends for s in missing_here)


def test_an_unknown_library_stops_the_package_build_with_its_name():
    with pytest.raises(debian_package.PackagingError, match="libfrobnicate.so.7"):
        debian_package.relations({"libfrobnicate.so.7": ["_internal/x.so"]}, debian_package.library_table())


def test_optional_plugins_needs_are_recommended_not_required():
    depends, recommends = debian_package.relations(
        {"libgtk-3.so.0": ["platformthemes/libqgtk3.so"], "libxcb-icccm.so.4": ["platforms/libqxcb.so"]},
        debian_package.library_table(),
    )
    assert depends == ["libxcb-icccm4"]
    assert "libgtk-3-0" in recommends and any("fonts-noto-cjk" in r for r in recommends)


@needs_dpkg
@needs_binutils
def test_the_deb_is_laid_out_and_declared_as_debian_expects(tmp_path):
    """A .deb from a small stand-in bundle (the real xcb plugin inside), read back with
    dpkg-deb: the bundle under /opt, the launcher, the menu entry, the icon, the site
    configuration's example as a conffile, and Depends from the plugin's needs."""
    bundle = tmp_path / "EMRWriter"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "emrwriter").write_text("#!/bin/sh\necho stand-in\n")
    (bundle / "emrwriter").chmod(0o755)
    shutil.copy2(qt_dir() / "plugins" / "platforms" / "libqxcb.so", bundle / "_internal" / "libqxcb.so")
    for qt_library in (qt_dir() / "lib").glob("libQt6*.so.6"):  # the Qt it needs is carried (as links here)
        (bundle / "_internal" / qt_library.name).symlink_to(qt_library)
    # A system library PyInstaller copied from the build machine: still a Depends of the plugin.
    cursor = direct_system_needs(qt_dir() / "plugins" / "platforms" / "libqxcb.so").get("libxcb-cursor.so.0", "not found")
    if cursor != "not found":
        shutil.copy2(cursor, bundle / "_internal" / "libxcb-cursor.so.0")
    icons = tmp_path / "icons"
    icons.mkdir()
    deb = debian_package.build_deb(bundle, icons, tmp_path / "out")
    assert re.fullmatch(r"emrwriter_\d+\.\d+\.\d+_[a-z0-9]+\.deb", deb.name)

    def field(name):
        return subprocess.run(["dpkg-deb", "--field", str(deb), name], capture_output=True, text=True, check=True).stdout.strip()

    assert field("Package") == "emrwriter"
    assert field("Architecture") == debian_package.deb_architecture()
    depends = [d.strip() for d in field("Depends").split(",")]
    assert "libxcb-icccm4" in depends and "libxcb-keysyms1" in depends and "libxcb-cursor0" in depends
    # The glibc the stand-in needs at least, as dpkg-shlibdeps would declare it.
    [libc] = [d for d in depends if d.startswith("libc6")]
    assert re.fullmatch(r"libc6 \(>= 2(\.\d+)+\)", libc), libc
    assert "fonts-noto-cjk" in field("Recommends")

    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True).stdout
    paths = {line.split()[-1].lstrip(".") for line in listing.splitlines()}
    for path in (
        "/opt/emrwriter/emrwriter",
        "/opt/emrwriter/_internal/libqxcb.so",
        "/usr/bin/emrwriter",
        "/usr/share/applications/emrwriter.desktop",
        "/usr/share/icons/hicolor/scalable/apps/emrwriter.svg",
        "/etc/emrwriter/config.example.toml",
    ):
        assert path in paths, path
    assert "/etc/emrwriter/config.toml" not in paths  # the site's own file is never the package's
    assert re.search(r"-rwxr-xr-x root/root .* \./usr/bin/emrwriter$", listing, re.M)

    extracted = tmp_path / "x"
    subprocess.run(["dpkg-deb", "--control", str(deb), str(extracted)], check=True)
    assert (extracted / "conffiles").read_text().split() == ["/etc/emrwriter/config.example.toml"]
    launcher = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True).stdout
    assert b"exec /opt/emrwriter/emrwriter" in launcher


def test_the_desktop_entry_is_valid_and_names_the_app_in_both_languages():
    desktop = PACKAGING / "linux" / "emrwriter.desktop"
    validator = shutil.which("desktop-file-validate")
    if validator:
        done = subprocess.run([validator, str(desktop)], capture_output=True, text=True)
        assert done.returncode == 0 and not done.stdout.strip(), done.stdout
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read(desktop, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "EMRWriter" and re.search(r"[\u4e00-\u9fff]", entry["Name[zh_CN]"])
    assert entry["Exec"].split()[0] == "emrwriter" and "exec /opt/emrwriter/emrwriter" in debian_package.LAUNCHER
    assert entry["Icon"] == Path(PACKAGING / "icons" / "emrwriter.svg").stem
    assert (PACKAGING / "icons" / "emrwriter.svg").read_text().lstrip().startswith("<?xml")


# --- Windows ------------------------------------------------------------------------------


def test_the_inno_setup_script_installs_what_the_build_makes():
    """Every [Files] source exists in the tree or is an output of build.py (dist/, build/);
    the shortcuts start executables the spec builds on Windows; the per-machine install and
    the site configuration's folder kept on uninstall."""
    iss = (PACKAGING / "windows" / "emrwriter.iss").read_text(encoding="utf-8")
    spec = (PACKAGING / "emrwriter.spec").read_text(encoding="utf-8")
    for source in re.findall(r'^Source: "\{#Root\}\\([^"]+)"', iss, re.M):
        relative = Path(source.replace("\\", "/"))
        assert relative.parts[0] in ("dist", "build") or (ROOT / relative).is_file(), source
        if relative.parts[0] == "dist":
            assert relative.parts[1] == re.search(r'name="(\w+)"\)\n', spec).group(1)
    built = set(re.findall(r'executable\("(\w+)"', spec))
    for exe in re.findall(r'Filename: "\{app\}\\(\w+)\.exe"', iss):
        assert exe in built, exe
    assert re.search(r"^PrivilegesRequired=admin$", iss, re.M)
    assert re.search(r'^Name: "\{commonappdata\}\\EMRWriter"; Flags: uninsneveruninstall$', iss, re.M)
    assert "{localappdata}" not in iss.lower() and "[UninstallDelete]" in iss  # the user's data is never named for deletion
