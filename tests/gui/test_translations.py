"""Every string the interface translates has a finished Chinese translation, and the
shipped .qm says the same as the .ts (lrelease was run after the last edit).

The strings are read from the source the way pyside6-lupdate reads them:
``self.tr("...")`` inside a class (the class is the context) and
``translate("Context", "...")`` / ``QCoreApplication.translate("Context", "...")``.
To update: pyside6-lupdate emrwriter/gui/*.py -ts emrwriter/gui/translations/emrwriter_zh_CN.ts,
translate, then pyside6-lrelease on the .ts."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from defusedxml import ElementTree
from PySide6.QtCore import QTranslator

import emrwriter.gui
from emrwriter.gui.i18n import TRANSLATIONS_DIR

GUI = Path(emrwriter.gui.__file__).parent
ZH_TS = TRANSLATIONS_DIR / "emrwriter_zh_CN.ts"
MNEMONIC = re.compile(r"&\w")


def source_strings() -> set[tuple[str, str, str]]:
    """(context, text, where) of every literal handed to tr() or translate() in emrwriter/gui."""
    found = set()
    for path in sorted(GUI.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "tr"
                    and call.args
                    and isinstance(call.args[0], ast.Constant)
                    and isinstance(call.args[0].value, str)
                ):
                    found.add((node.name, call.args[0].value, f"{path.name}:{call.lineno}"))
        for call in ast.walk(tree):
            name = getattr(call.func, "attr", getattr(call.func, "id", "")) if isinstance(call, ast.Call) else ""
            if name == "translate" and len(call.args) >= 2 and all(isinstance(a, ast.Constant) for a in call.args[:2]):
                found.add((call.args[0].value, call.args[1].value, f"{path.name}:{call.lineno}"))
    return found


def ts_messages(path: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(context, source) -> (translation text, its type attribute: "" when finished)."""
    messages = {}
    for context in ElementTree.parse(str(path)).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            translation = message.find("translation")
            messages[(name, message.findtext("source"))] = (translation.text or "", translation.get("type", ""))
    return messages


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_scan_finds_the_strings() -> None:
    found = {(context, text) for context, text, _ in source_strings()}
    assert ("MainWindow", "&Draft") in found and ("RecordPanel", "Labs") in found and ("App", "EMRWriter cannot start") in found


def test_every_string_has_a_finished_chinese_translation() -> None:
    messages = ts_messages(ZH_TS)
    missing = sorted(
        f"{where}: [{context}] {text!r}" for context, text, where in source_strings() if (context, text) not in messages
    )
    assert not missing, "not in the .ts (run pyside6-lupdate):\n" + "\n".join(missing)
    unfinished = sorted(
        f"[{context}] {source!r} ({kind or 'empty'})"
        for (context, source), (text, kind) in messages.items()
        if kind in ("unfinished", "vanished", "obsolete") or not text.strip()
    )
    assert not unfinished, "unfinished or stale entries in the .ts:\n" + "\n".join(unfinished)


def test_translations_keep_the_placeholders() -> None:
    """ "{name}" must survive translation, or .format() raises in front of the doctor."""
    wrong = [
        f"[{context}] {source!r} -> {text!r}"
        for (context, source), (text, _) in ts_messages(ZH_TS).items()
        if fields(source) != fields(text)
    ]
    assert not wrong, "\n".join(wrong)


def test_menu_mnemonics_are_kept() -> None:
    """ "&File" -> "文件(&F)": the Alt key still reaches every menu entry."""
    lost = [
        f"[{context}] {source!r} -> {text!r}"
        for (context, source), (text, _) in ts_messages(ZH_TS).items()
        if MNEMONIC.search(source) and not MNEMONIC.search(text)
    ]
    assert not lost, "\n".join(lost)


def test_the_shipped_qm_matches_the_ts(qapp) -> None:
    translator = QTranslator()
    assert translator.load(str(ZH_TS.with_suffix(".qm")))
    stale = [
        f"[{context}] {source!r}"
        for (context, source), (text, _) in ts_messages(ZH_TS).items()
        if translator.translate(context, source) != text
    ]
    assert not stale, "rebuild the .qm (pyside6-lrelease):\n" + "\n".join(stale)
