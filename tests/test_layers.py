"""The layer contract of docs/architecture.md, checked on every module's imports (ast).

Data flows one way: files are imported into a Record, structured into facts, drafted
with an engine, checked, stored and exported; the application layer runs that errand
and the two faces (command line, desktop app) call it. A module may import from its own
package, from a lower layer and from the leaf services; packages in one layer are
independent of each other. The faces call functions only from the application layer
(from the core below it they take types, exceptions and constants), and neither face
imports the other, except that the command line starts the app through its entry point.
No module outside emrwriter/gui imports Qt.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "emrwriter"

# Lowest first. A package may import from the layers below its own, never above; the
# packages of one layer do not import each other.
LAYERS: list[set[str]] = [
    {"records", "engine"},  # reading files into a Record | running a model (neither knows the other)
    {"facts"},  # the facts of a stay, with provenance
    {"drafting"},  # evidence, prompts, the Draft
    {"checks"},  # the verifier: a draft against its record
    {"store", "export", "audit"},  # SQLite persistence | the .docx (with the checks' findings as comments) | the export log
    {"workflow"},  # the application layer: the doctor's errand, once for both faces
    {"batch"},  # the errand over many cases (a ward's discharges), on top of workflow
    {"bench", "doctor"},  # measuring that errand against llama.cpp's own speed | the self-check of an installation
    {"cli", "gui", "__main__"},  # the faces
]
# Services anyone may import; they import only each other.
LEAVES = {"paths", "config", "bundled", "owner_only", "log_file", "templates", "words", "vocabulary", "__init__"}
APPLICATION = {"workflow", "batch", "bench", "doctor"}
FACES = {"cli", "gui", "__main__"}
# The one way from one face into the other: the command line starts the desktop app
# (`emrwriter open`, and `emrwriter bench`'s measure of the GUI's event loop).
FACE_ENTRIES = {
    ("cli", "emrwriter.gui.app"),
    ("cli", "emrwriter.gui.probe"),  # `emrwriter doctor --qt-probe`: the bundle starts Qt in a child process
    ("__main__", "emrwriter.cli"),  # and `python -m emrwriter` is the CLI
}
QT = {"PySide6", "shiboken6"}

TIER = {unit: n for n, layer in enumerate(LAYERS) for unit in layer}


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    imported: str
    why: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported}: {self.why}"


def unit_of(module: str) -> str:
    """The part of the contract a module belongs to: emrwriter.checks.review -> "checks"."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(module: str, source: str, is_package: bool = False) -> list[tuple[int, str, list[str]]]:
    """(line, imported module, names taken from it) for every import in ``source``, inside
    functions too, relative ones resolved against ``module``."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [alias.name for alias in node.names]
            if node.module is None:  # from . import x, y: each a submodule, or a name of the package
                for name in names:
                    sub = f"{target}.{name}"
                    found.append((node.lineno, sub, []) if _is_module(sub) else (node.lineno, target, [name]))
            else:
                found.append((node.lineno, target, names))
    return found


def _callable_names(module: str, names: list[str]) -> list[str]:
    """The names that are functions (not classes, exceptions or constants)."""
    loaded = importlib.import_module(module)
    return [n for n in names if n != "*" and callable(getattr(loaded, n, None)) and not inspect.isclass(getattr(loaded, n))]


def violations(module: str, source: str, is_package: bool = False) -> list[Violation]:
    """What in ``source`` (the text of ``module``) imports against the layers."""
    mine = unit_of(module)
    found = []
    for line, target, names in imports_of(module, source, is_package):
        root = target.split(".")[0]
        if root in QT and mine not in ("gui",):
            found.append(Violation(module, line, target, "only emrwriter/gui imports Qt"))
            continue
        if root != "emrwriter":
            continue
        theirs = unit_of(target)
        if theirs == mine:
            continue
        if mine not in TIER and mine not in LEAVES:
            found.append(Violation(module, line, target, f"{mine!r} has no place in the layers (add it to LAYERS or LEAVES)"))
            continue
        if theirs in LEAVES:
            continue
        if mine in LEAVES:
            found.append(Violation(module, line, target, f"a leaf service ({mine}) imports only other leaves"))
            continue
        if theirs not in TIER:
            found.append(Violation(module, line, target, f"{theirs!r} has no place in the layers"))
            continue
        if mine in FACES and theirs in FACES:
            if (mine, target) not in FACE_ENTRIES:
                found.append(
                    Violation(module, line, target, "the faces do not import each other (the CLI may only start the app)")
                )
            continue
        if TIER[theirs] >= TIER[mine]:
            relation = "in the same layer as" if TIER[theirs] == TIER[mine] else "in a higher layer than"
            found.append(Violation(module, line, target, f"{theirs} is {relation} {mine}"))
            continue
        if mine in FACES and theirs not in APPLICATION and names:
            for name in _callable_names(target, names):
                found.append(
                    Violation(
                        module,
                        line,
                        f"{target}.{name}",
                        "a face calls functions of the application layer (emrwriter.workflow), not of the core",
                    )
                )
    return found


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append((".".join(parts), path))
    return found


def test_every_import_follows_the_layers():
    found = []
    for module, path in _modules():
        found += violations(module, path.read_text(encoding="utf-8"), is_package=path.name == "__init__.py")
    assert [str(v) for v in found] == []


def test_only_the_gui_package_imports_qt():
    offenders = []
    for module, path in _modules():
        if unit_of(module) != "gui":
            source = path.read_text(encoding="utf-8")
            offenders += [module for _, target, _ in imports_of(module, source) if target.split(".")[0] in QT]
    assert offenders == []


def test_every_package_has_a_place_in_the_layers():
    units = {unit_of(module) for module, _ in _modules()}
    assert units - set(TIER) - LEAVES == set()


def test_an_import_against_the_flow_is_caught():
    """The checker on made-up modules: each of these would be a violation if it were added."""
    against = {
        "emrwriter.records.fake": "from ..checks.findings import Finding",  # an importer using the checks
        "emrwriter.facts.fake": "from emrwriter.drafting.draft import Draft",  # facts reaching up into drafting
        "emrwriter.engine.fake": "from ..records.model import Record",  # engine and records are independent
        "emrwriter.checks.fake": "from ..export.docx_writer import Comment",  # the old review.py -> export arrow
        "emrwriter.export.fake": "from ..store import Store",  # independent in one layer
        "emrwriter.workflow": "from .gui.main_window import MainWindow",  # the application layer has no Qt
        "emrwriter.gui.fake": "from ..cli import main",  # one face leaning on the other
        "emrwriter.gui.fake2": "from ..records.case import load_case",  # a face calling the core, not the workflow
        "emrwriter.templates": "from .facts.stay import stay_facts",  # a leaf reaching up
        "emrwriter.store": "import PySide6.QtCore",  # Qt outside the GUI
        "emrwriter.newthing.fake": "from ..records.model import Record",  # a package the contract does not know
    }
    for module, source in against.items():
        assert violations(module, source), module


def test_imports_with_the_flow_pass():
    fine = {
        "emrwriter.facts.fake": "from ..records.model import Record\nfrom ..vocabulary.drugs import find_drugs",
        "emrwriter.drafting.fake": "from ..engine.base import Engine\nfrom ..templates import load_template",
        "emrwriter.export.fake": "from ..checks.review import DraftReview",
        "emrwriter.gui.fake": "from ..workflow import open_case\nfrom ..records.model import Record, RecordError",
        "emrwriter.cli.open": "def run():\n    from ..gui.app import main",  # the CLI starting the app
        "emrwriter.vocabulary.fake": "from . import VocabError",
    }
    for module, source in fine.items():
        assert violations(module, source) == [], module


def test_the_core_imports_without_qt_loaded():
    modules = ["emrwriter.workflow", "emrwriter.bench"] + [
        m for m, _ in _modules() if unit_of(m) == "cli" and m != "emrwriter.cli.__main__"
    ]
    code = f"import sys\nfor m in {modules!r}:\n    __import__(m)\nprint('PySide6' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.stdout.strip() == "False", result.stderr
