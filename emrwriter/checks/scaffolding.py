"""The draft's own scaffolding: the fixed text drafting writes around the record's
content (labels such as "Admission diagnoses:", counts such as "出院带药共 3 种",
"nothing found" placeholders, table captions and header rows, the incomplete mark,
the notes on what the model did not read). The checker must not read it as claims
about the patient, and completeness must not take a placeholder for content.

Derived, never copied: from the template's sections.j2 (the static text of its
blocks and the strings its expressions fall back to), its headings, and the words
file of its language. Reword a template or a words file and the checker follows.

A line of sections.j2 is scaffolding when nothing in it comes from the record but
counts (``| length``, ``loop.index``) and fallback strings (``x or "(none found)"``,
``| when("（未找到）")``); a line that prints a fact ("Allergies: {{ a.substance }}")
is checked like any other. A fallback string with words, or a line of an ``{% else %}``
branch (that is not a label ending in a colon), is a placeholder: it says the record
had nothing for that part.
"""

from __future__ import annotations

import ast
import functools
import logging
import re
import string
from dataclasses import dataclass
from pathlib import Path

from jinja2 import TemplateSyntaxError

from ..templates import DATA_FILE, Template, TemplateProblem, available_templates, load_template, sandbox
from ..words import languages, words

log = logging.getLogger(__name__)

# Root names of an expression that do not come from the record.
_NOT_FACTS = frozenset({"loop", "or", "and", "not", "if", "else", "in", "is", "true", "false", "none", "True", "False", "None"})
_COUNT_FILTERS = frozenset({"length", "count"})
_LETTER = re.compile(r"[^\W\d_]")
LONGEST = 600  # characters: a longer line is the record's or the model's, not a template's


@dataclass(frozen=True)
class Scaffolding:
    lines: tuple[str, ...]  # regular expressions, each a whole line of scaffolding
    placeholders: tuple[str, ...]  # regular expressions of "nothing found" statements
    incomplete: tuple[str, ...]  # regular expressions of the incomplete mark

    @functools.cached_property
    def _line(self) -> re.Pattern:
        return _compile(self.lines)

    @functools.cached_property
    def _placeholder(self) -> re.Pattern:
        return _compile(self.placeholders + self.incomplete)

    @functools.cached_property
    def _incomplete(self) -> re.Pattern:
        return _compile(self.incomplete)

    def covers(self, text: str) -> bool:
        """Is ``text`` (a line or a sentence) wholly scaffolding?"""
        text = text.strip()
        return bool(text) and len(text) <= LONGEST and self._line.fullmatch(text) is not None

    def covers_span(self, text: str, start: int, end: int) -> bool:
        """Is ``text[start:end]`` scaffolding: itself, or every line it touches?"""
        if self.covers(text[start:end]):
            return True
        first = text.rfind("\n", 0, start) + 1
        last = text.find("\n", end)
        lines = [line for line in text[first : last if last >= 0 else len(text)].splitlines() if line.strip()]
        return bool(lines) and all(self.covers(line) for line in lines)

    def placeholder_in(self, text: str) -> bool:
        """Does ``text`` say that the record had nothing (or that a section is unfinished)?"""
        return self._placeholder.search(text) is not None

    def marked_incomplete(self, text: str) -> bool:
        return self._incomplete.search(text) is not None

    def empty(self, body: str) -> bool:
        """A section body with nothing from the record: only scaffolding, with a placeholder
        among it (a blank to sign, "Signature: ____", is a form, not an empty section)."""
        lines = [line for line in body.splitlines() if line.strip()]
        return bool(lines) and all(self.covers(line) for line in lines) and any(self.placeholder_in(line) for line in lines)

    def __or__(self, other: Scaffolding) -> Scaffolding:
        def merged(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(a + b))

        return Scaffolding(
            merged(self.lines, other.lines),
            merged(self.placeholders, other.placeholders),
            merged(self.incomplete, other.incomplete),
        )


def _compile(patterns: tuple[str, ...]) -> re.Pattern:
    if not patterns:
        return re.compile(r"(?!x)x")  # matches nothing
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def scaffolding_of(template: Template | None) -> Scaffolding:
    """The scaffolding of drafts written with ``template``; without one, of every
    template we have and every language (what any draft may carry)."""
    if template is None:
        return default_scaffolding()
    source = template.folder / DATA_FILE
    try:
        stamp = source.stat().st_mtime_ns
    except OSError:
        stamp = 0
    headings = tuple(s.heading for s in template.sections)
    return _scaffolding(str(template.folder), stamp, template.title, headings, template.language)


@functools.cache
def default_scaffolding() -> Scaffolding:
    found = Scaffolding((), (), ())
    for language in languages():
        found |= words_scaffolding(language)
    for name in available_templates():
        try:
            found |= scaffolding_of(load_template(name))
        except TemplateProblem as exc:
            log.warning("template %s left out of the checker's scaffolding: %s", name, exc)
    return found


@functools.lru_cache(maxsize=32)
def _scaffolding(folder: str, stamp: int, title: str, headings: tuple[str, ...], language: str) -> Scaffolding:
    lines, placeholders = template_scaffolding(Path(folder) / DATA_FILE)
    lines += [_heading(h) for h in (title, *headings)]
    return Scaffolding(tuple(lines), tuple(placeholders), ()) | words_scaffolding(language)


def _heading(heading: str) -> str:
    return rf"[#*【\s]*{_literal(heading)}[】*]*\s*[:：]?"


@functools.cache
def words_scaffolding(language: str) -> Scaffolding:
    """What drafting and export write into a draft from the words file: table captions
    and header rows, the incomplete mark, the notes heading and the notes on what was
    left out (their fields are wildcards: counts, labels, reasons)."""
    table = words(language)
    lines = [
        _phrase(table["tables"]["abnormal_caption"]),
        _phrase(table["tables"]["latest_caption"]),
        _phrase(table["omitted"]["note"]),
        _literal(table["export"]["notes_heading"]),
        *(r"\s*\|\s*".join(_literal(cell) for cell in table["tables"][key]) for key in ("medication_header", "lab_header")),
    ]
    incomplete = _phrase(table["export"]["incomplete"])
    return Scaffolding(tuple(lines + [incomplete]), (), (incomplete,))


def _phrase(text: str) -> str:
    """A words-file phrase as a pattern: its text literal, its fields any text."""
    parts = []
    for literal, field, _, _ in string.Formatter().parse(text):
        parts.append(_literal(literal))
        if field is not None:
            parts.append(".*?")
    return "".join(parts)


def _literal(text: str) -> str:
    """``text`` as a pattern, any run of spaces matching any (or no) spaces."""
    return r"\s*".join(re.escape(chunk) for chunk in re.split(r"\s+", text))


# ---------------------------------------------------------------------------
# sections.j2


def template_scaffolding(path: Path) -> tuple[list[str], list[str]]:
    """(line patterns, placeholder patterns) of a sections.j2: read with Jinja's own
    lexer, so what counts as text is what Jinja prints."""
    try:
        source = path.read_text(encoding="utf-8")
    except OSError:
        return [], []
    try:
        tokens = [(kind, value) for _, kind, value in sandbox().lex(source)]
    except TemplateSyntaxError as exc:
        log.warning("%s: cannot read its scaffolding: %s", path, exc)
        return [], []
    reader = _Reader()
    index = 0
    while index < len(tokens):
        kind, value = tokens[index]
        if kind == "data":
            reader.text(value)
        elif kind in ("variable_begin", "block_begin", "comment_begin", "raw_begin"):
            end = {
                "variable_begin": "variable_end",
                "block_begin": "block_end",
                "comment_begin": "comment_end",
                "raw_begin": "raw_end",
            }[kind]
            inner = []
            index += 1
            while index < len(tokens) and tokens[index][0] != end:
                if tokens[index][0] != "whitespace":
                    inner.append(tokens[index])
                index += 1
            if kind == "variable_begin":
                reader.expression(inner)
            elif kind == "block_begin":
                reader.tag(inner)  # a newline right after a tag is not printed (trim_blocks)
        index += 1
    reader.end_line()
    return reader.lines, reader.placeholders


class _Reader:
    """Collects the printed lines of a template, as parts: ("text", s), ("count",),
    ("choice", [strings]) for a value that is one of some strings (or nothing),
    ("fact", [fallbacks]) for a value from the record, ("gap",) for an inline tag."""

    def __init__(self) -> None:
        self.parts: list[tuple] = []
        self.stack: list[bool] = []  # per open {% for %}/{% if %}: inside its else branch?
        self.in_else = False  # some part of the current line was printed by an else branch
        self.lines: list[str] = []
        self.placeholders: list[str] = []

    def text(self, value: str) -> None:
        pieces = value.split("\n")
        for number, piece in enumerate(pieces):
            if piece:
                self._add(("text", piece))
            if number < len(pieces) - 1:
                self.end_line()

    def _add(self, part: tuple) -> None:
        self.parts.append(part)
        self.in_else = self.in_else or any(self.stack)

    def expression(self, tokens: list[tuple[str, str]]) -> None:
        roots, filters, outputs = _read_expression(tokens)
        if filters & _COUNT_FILTERS or (roots <= _NOT_FACTS and not outputs):
            self._add(("count",))
        elif roots <= _NOT_FACTS:
            self._add(("choice", outputs))
        else:
            self._add(("fact", outputs))
            self.placeholders.extend(_literal(s) for s in outputs if _LETTER.search(s))

    def tag(self, tokens: list[tuple[str, str]]) -> None:
        name = tokens[0][1] if tokens and tokens[0][0] == "name" else ""
        if self.parts and name in {"for", "if", "elif", "else", "endfor", "endif"}:
            self.parts.append(("gap",))
        if name in {"for", "if"}:
            self.stack.append(False)
        elif name in {"else", "elif"} and self.stack:
            self.stack[-1] = True
        elif name in {"endfor", "endif"} and self.stack:
            self.stack.pop()
        elif name in {"block", "endblock"}:
            self.end_line()
            self.stack.clear()

    def end_line(self) -> None:
        parts, in_else = self.parts, self.in_else
        self.parts, self.in_else = [], False
        if not parts:
            return
        pattern = _line_pattern(parts)
        if pattern is None:
            return
        self.lines.append(pattern)
        if in_else and not _introduces(parts):
            self.placeholders.append(pattern)


def _introduces(parts: list[tuple]) -> bool:
    """A line ending in a colon introduces what follows ("Discharge diagnoses:" in the
    else branch of a choice between two labels): a label, not a placeholder."""
    return parts[-1][0] == "text" and parts[-1][1].rstrip().endswith((":", "："))


def _line_pattern(parts: list[tuple]) -> str | None:
    """A pattern for the line when nothing in it comes from the record (a fact printed
    with its fallback counts only as the fallback); None for a line without words."""
    pattern, letters = [], False
    for part in parts:
        if part[0] == "text":
            pattern.append(_literal(part[1]))
            letters = letters or bool(_LETTER.search(part[1]))
        elif part[0] == "count":
            pattern.append(r"\s*\d+\s*")
        elif part[0] == "gap":
            pattern.append(".*?")
        else:
            choices = [_literal(s) for s in part[1]]
            if part[0] == "fact":
                if not choices:
                    return None
            else:
                choices.append("")
            pattern.append("(?:" + "|".join(choices) + ")")
            letters = letters or any(_LETTER.search(s) for s in part[1])
    return r"\s*" + "".join(pattern) + r"\s*" if letters else None


def _read_expression(tokens: list[tuple[str, str]]) -> tuple[set[str], set[str], list[str]]:
    """(root names, filter names, strings it may print) of a {{ expression }}. A string
    is printed when it is the expression, follows ``or``/``else``, or is the argument
    of a filter (``| when("（未找到）")``); a method's argument (``facts.quoted("x")``) is not."""
    roots: set[str] = set()
    filters: set[str] = set()
    outputs: list[str] = []
    for index, (kind, value) in enumerate(tokens):
        before = tokens[index - 1] if index else ("", "")
        if kind == "name":
            if before == ("operator", "|"):
                filters.add(value)
            elif before != ("operator", "."):
                roots.add(value)
        elif kind == "string":
            text = _string_value(value)
            fallback = index == 0 or before in {("name", "or"), ("name", "else")}
            filter_argument = before == ("operator", "(") and index >= 3 and tokens[index - 3] == ("operator", "|")
            if fallback or filter_argument:
                outputs.append(text)
    return roots, filters, outputs


def _string_value(literal: str) -> str:
    try:
        value = ast.literal_eval(literal)
        return value if isinstance(value, str) else ""
    except (ValueError, SyntaxError):
        return literal.strip("'\"")
