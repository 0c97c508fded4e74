"""The .deb of the bundle, made with dpkg-deb (no debhelper needed on the build machine).

    /opt/emrwriter/                      the bundle (dist/EMRWriter)
    /usr/bin/emrwriter                   a launcher script
    /usr/share/applications/emrwriter.desktop
    /usr/share/icons/hicolor/*/apps/emrwriter.{png,svg}
    /etc/emrwriter/config.example.toml   the site configuration's example (a conffile;
                                         IT copies it to config.toml, which dpkg never touches)
    /usr/share/doc/emrwriter/copyright

Depends is worked out from the bundle itself: every library a bundled ELF file needs
(readelf's NEEDED) that the bundle does not carry is looked up in
packaging/linux/system-libraries.toml."""

from __future__ import annotations

import email.utils
import gzip
import re
import shutil
import subprocess
import tempfile
import tomllib
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
ROOT = PACKAGING.parent
LINUX = PACKAGING / "linux"
LIBRARY_TABLE = LINUX / "system-libraries.toml"
DOCTOR_TABLE = ROOT / "emrwriter" / "doctor" / "debian_packages.toml"
SITE_CONFIG_EXAMPLE = ROOT / "docs" / "config.example.toml"
INSTALL_DIR = "/opt/emrwriter"
ELF_MAGIC = b"\x7fELF"

LAUNCHER = f"""#!/bin/sh
# EMRWriter: the bundle lives in {INSTALL_DIR} (package emrwriter).
exec {INSTALL_DIR}/emrwriter "$@"
"""


class PackagingError(Exception):
    pass


def library_table(path: Path = LIBRARY_TABLE, doctor_table: Path = DOCTOR_TABLE) -> dict:
    """{"packages": soname -> Debian package, "recommends_only": set, "fonts": str}: the
    doctor's table of Qt's libraries, completed by packaging/linux/system-libraries.toml."""
    with path.open("rb") as f:
        table = tomllib.load(f)
    with doctor_table.open("rb") as f:
        packages = dict(_sonames(tomllib.load(f)))
    packages.update(table["packages"])
    return {"packages": packages, "recommends_only": set(table["recommends_only"]), "fonts": table["fonts"]}


def _sonames(table: dict):
    """The soname = "package" pairs of a table, at any depth of sub-tables."""
    for key, value in table.items():
        if isinstance(value, str):
            yield key, value
        elif isinstance(value, dict):
            yield from _sonames(value)


def elf_files(folder: Path) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == ELF_MAGIC:
                    found.append(path)
    return found


def requirements(path: Path) -> tuple[list[str], tuple[int, ...]]:
    """The sonames an ELF file names as NEEDED, and the newest glibc symbol version it asks
    for (readelf, from binutils)."""
    out = subprocess.run(["readelf", "-d", "-V", str(path)], capture_output=True, text=True, check=True).stdout
    sonames = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
    versions = [tuple(int(n) for n in v.split(".")) for v in re.findall(r"Name: GLIBC_(\d+(?:\.\d+)+)", out)]
    return sonames, max(versions, default=(0,))


def needed(path: Path) -> list[str]:
    return requirements(path)[0]


def system_needs(bundle: Path) -> tuple[dict[str, list[str]], str]:
    """soname -> the bundled files that need it, for sonames the bundle does not carry; and
    the oldest glibc the bundle runs on ("2.34"), the newest symbol version it asks for."""
    files = elf_files(bundle)
    carried = {p.name for p in bundle.rglob("*")}
    needs: dict[str, list[str]] = {}
    floor: tuple[int, ...] = (0,)
    for path in files:
        sonames, glibc = requirements(path)
        floor = max(floor, glibc)
        for soname in sonames:
            if soname not in carried:
                needs.setdefault(soname, []).append(str(path.relative_to(bundle)))
    return needs, ".".join(map(str, floor))


# Qt's X11 platform plugin and its Qt library: what they need from the system is always
# declared, even where PyInstaller copied a library of the build machine into the bundle, so
# the package's Depends does not change with what happened to be installed where it was built.
XCB_FILES = ("libqxcb.so", "libQt6XcbQpa.so.6")


def xcb_needs(bundle: Path, packages: dict[str, str]) -> dict[str, list[str]]:
    needs: dict[str, list[str]] = {}
    for path in sorted(p for p in bundle.rglob("*") if p.name in XCB_FILES and p.is_file() and not p.is_symlink()):
        for soname in needed(path):
            if soname in packages:
                needs.setdefault(soname, []).append(str(path.relative_to(bundle)))
    return needs


def relations(needs: dict[str, list[str]], table: dict) -> tuple[list[str], list[str]]:
    """(Depends, Recommends) for the sonames; an unknown soname is an error naming it."""
    packages = table["packages"]
    unknown = sorted(s for s in needs if s not in packages)
    if unknown:
        lines = [f"  {s} (needed by {needs[s][0]})" for s in unknown]
        raise PackagingError(
            f"no Debian package known for these libraries; add them to {LIBRARY_TABLE.relative_to(ROOT)}:\n" + "\n".join(lines)
        )
    depends = {packages[s] for s in needs if s not in table["recommends_only"]}
    recommends = {packages[s] for s in needs if s in table["recommends_only"]} - depends
    return sorted(depends), sorted(recommends) + [table["fonts"]]


def deb_architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()


def deb_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["version"]


def control(version: str, arch: str, installed_kb: int, depends: list[str], recommends: list[str]) -> str:
    return (
        "Package: emrwriter\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        "Maintainer: EMRWriter maintainers <emrwriter@example.org>\n"
        f"Installed-Size: {installed_kb}\n"
        f"Depends: {', '.join(depends)}\n"
        f"Recommends: {', '.join(recommends)}\n"
        "Section: science\n"
        "Priority: optional\n"
        "Description: offline discharge-summary drafting from local records\n"
        " EMRWriter drafts a discharge summary from a patient's local records with a\n"
        " small language model that runs on the PC's own processor: nothing leaves the\n"
        " machine. Each drafted statement links to the record passage it came from.\n"
        " .\n"
        " This package carries its own Python, Qt, llama.cpp (built for any x86-64 or\n"
        " ARMv8 CPU, the best code path chosen at run time) and the default model.\n"
        " The site configuration goes in /etc/emrwriter/config.toml (an example is\n"
        " installed beside it).\n"
    )


def build_deb(bundle: Path, icons: Path, out_dir: Path) -> Path:
    if not (bundle / "emrwriter").is_file():
        raise PackagingError(f"no bundle at {bundle}: run python packaging/build.py first")
    needs, glibc = system_needs(bundle)
    table = library_table()
    for soname, files in xcb_needs(bundle, table["packages"]).items():
        needs.setdefault(soname, files)
    depends, recommends = relations(needs, table)
    depends = [f"libc6 (>= {glibc})" if d == "libc6" else d for d in depends]  # as dpkg-shlibdeps would say
    version, arch = deb_version(), deb_architecture()
    with tempfile.TemporaryDirectory(prefix="emrwriter-deb-") as tmp:
        root = Path(tmp) / "root"
        shutil.copytree(bundle, root / INSTALL_DIR.lstrip("/"), symlinks=True)
        _install(root / "usr/bin/emrwriter", LAUNCHER, 0o755)
        _install(root / "usr/share/applications/emrwriter.desktop", (LINUX / "emrwriter.desktop").read_text(), 0o644)
        for png in sorted(icons.glob("emrwriter-*.png")):
            size = png.stem.split("-")[1]
            _copy(png, root / f"usr/share/icons/hicolor/{size}x{size}/apps/emrwriter.png")
        _copy(PACKAGING / "icons" / "emrwriter.svg", root / "usr/share/icons/hicolor/scalable/apps/emrwriter.svg")
        conffiles = []
        if SITE_CONFIG_EXAMPLE.is_file():
            _copy(SITE_CONFIG_EXAMPLE, root / "etc/emrwriter/config.example.toml")
            conffiles.append("/etc/emrwriter/config.example.toml")
        _install(root / "usr/share/doc/emrwriter/copyright", _copyright(), 0o644)
        changelog = root / "usr/share/doc/emrwriter/changelog.gz"
        changelog.write_bytes(gzip.compress(_changelog(version).encode(), 9, mtime=0))
        changelog.chmod(0o644)
        installed_kb = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
        debian = root / "DEBIAN"
        _install(debian / "control", control(version, arch, installed_kb, depends, recommends), 0o644)
        if conffiles:
            _install(debian / "conffiles", "".join(f"{c}\n" for c in conffiles), 0o644)
        _install(debian / "postinst", _hook("update"), 0o755)
        _install(debian / "postrm", _hook("update"), 0o755)
        for path in root.rglob("*"):  # a package's files belong to root and are not group-writable
            if not path.is_symlink():
                path.chmod(path.stat().st_mode & ~0o022)
        out_dir.mkdir(parents=True, exist_ok=True)
        deb = out_dir / f"emrwriter_{version}_{arch}.deb"
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(deb)], check=True)
    return deb


def _hook(_: str) -> str:
    """postinst/postrm: refresh the desktop's menu and icon caches when the tools are there."""
    return (
        "#!/bin/sh\nset -e\n"
        "if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q /usr/share/applications || true; fi\n"
        "if command -v gtk-update-icon-cache >/dev/null 2>&1; then gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true; fi\n"
        "exit 0\n"
    )


def _copyright() -> str:
    return (
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: emrwriter\n\n"
        "Files: *\nCopyright: 2026 EMRWriter authors\nLicense: Apache-2.0\n"
        " On Debian systems the full text is in /usr/share/common-licenses/Apache-2.0.\n"
        " The bundle in /opt/emrwriter also carries Python (PSF-2.0), Qt for Python\n"
        " (LGPL-3.0), llama.cpp (MIT) and SmolLM2-135M-Instruct (Apache-2.0), each\n"
        " under its own licence.\n"
    )


def _changelog(version: str) -> str:
    stamp = email.utils.formatdate(usegmt=False)
    return (
        f"emrwriter ({version}) unstable; urgency=medium\n\n"
        "  * Built from the EMRWriter tree by packaging/build.py --deb.\n\n"
        f" -- EMRWriter maintainers <emrwriter@example.org>  {stamp}\n"
    )


def _install(path: Path, text: str, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def _copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dest)
    dest.chmod(0o644)
