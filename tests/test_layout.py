"""Architecture rules that a reviewer would otherwise check by hand."""

import ast

from tests.conftest import ROOT


def test_only_the_gui_package_imports_qt():
    offenders = []
    for path in (ROOT / "emrwriter").rglob("*.py"):
        if "gui" in path.relative_to(ROOT / "emrwriter").parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(name.split(".")[0] in {"PySide6", "shiboken6"} for name in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_core_imports_without_qt_loaded():
    import subprocess
    import sys

    code = "import sys, emrwriter.cli, emrwriter.drafting.pipeline, emrwriter.store; print('PySide6' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr
