"""Document templates: a folder with manifest.toml, Jinja files and a reference
.docx. Every template (ours, the user's, a GGUF chat template) is untrusted and
rendered in Jinja's immutable sandbox with StrictUndefined; an error names the
file and line."""

from __future__ import annotations

import tomllib
import traceback
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .paths import template_dirs

# Who writes a section: "data" (a block of sections.j2 rendered from the facts, exactly) or
# "model" (a block of prompts.j2: the model writes it from the record). A template's
# SectionSpec and the draft's DraftSection both carry it as ``origin``.
DATA, MODEL = "data", "model"
SECTION_ORIGINS = (DATA, MODEL)
DATA_FILE, PROMPT_FILE = "sections.j2", "prompts.j2"


class TemplateProblem(Exception):
    """A template that cannot be loaded or rendered; the message names file and line."""


@dataclass(frozen=True)
class SectionSpec:
    key: str
    heading: str
    origin: str  # DATA | MODEL (the manifest's ``origin``, or ``kind`` in older templates)
    table: str = ""  # "medications" | "labs" | "" : a table the export adds under the text
    max_tokens: int = 300
    sources: tuple[str, ...] = ()  # StayFacts lists whose items the section cites
    timeline: tuple[str, ...] = ()  # a model section: the timeline entries it tells (drafting/narrative.py)
    optional: bool = False  # not an item the standard requires: "none in the record" is a complete answer


@dataclass
class Template:
    name: str
    folder: Path
    title: str
    language: str
    sections: list[SectionSpec]
    reference_docx: Path | None
    env: ImmutableSandboxedEnvironment = field(repr=False)

    def render_block(self, file: str, block: str, **context: Any) -> str:
        """Render one {% block %} of one of the template's Jinja files."""
        tmpl = None
        try:
            tmpl = self.env.get_template(file)
            if block not in tmpl.blocks:
                raise TemplateProblem(f"{self.folder / file}: has no block {block!r}")
            ctx = tmpl.new_context(context)
            return "".join(tmpl.blocks[block](ctx)).strip()
        except TemplateProblem:
            raise
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(f"{self.folder / file}, line {exc.lineno}: {exc.message}") from None
        except jinja2.TemplateError as exc:
            raise TemplateProblem(f"{self.folder / file}, line {_template_line(exc, tmpl)}: {exc}") from None

    def data_section(self, key: str, **context: Any) -> str:
        return self.render_block(DATA_FILE, key, **context)

    def prompt(self, block: str, **context: Any) -> str:
        return self.render_block(PROMPT_FILE, block, **context)


def _template_line(exc: BaseException, tmpl: jinja2.Template | None) -> str:
    """The template line of the innermost frame of the compiled template."""
    if tmpl is None:
        return "?"
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == tmpl.filename]
    return str(tmpl.get_corresponding_lineno(lines[-1])) if lines else "?"


def format_when(value: date | datetime | None, missing: str = "") -> str:
    """ISO dates (with the time when one is known): unambiguous in zh and en."""
    if value is None:
        return missing
    if isinstance(value, datetime) and (value.hour or value.minute):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")


SEX_ZH = {"male": "男", "female": "女", "other": "其他"}


def sandbox(loader: jinja2.BaseLoader | None = None) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=loader, undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["when"] = format_when
    env.filters["sex_zh"] = lambda sex: SEX_ZH.get(sex, "性别未记录")
    return env


def available_templates() -> dict[str, Path]:
    """Template name -> folder. The first folder of ``template_dirs()`` holding a name wins: the
    user's template replaces the site's, which replaces the bundled one of that name."""
    found: dict[str, Path] = {}
    for root in template_dirs():
        if root.is_dir():
            for folder in sorted(root.iterdir()):
                if (folder / "manifest.toml").is_file():
                    found.setdefault(folder.name, folder)
    return found


def _section_spec(spec: dict, manifest_path: Path) -> SectionSpec:
    """One [[sections]] table; ``kind`` is the older name of ``origin`` (user templates keep working)."""
    fields = {**spec, "sources": tuple(spec.get("sources", ())), "timeline": tuple(spec.get("timeline", ()))}
    if "kind" in fields:
        if "origin" in fields:
            raise TemplateProblem(
                f"{manifest_path}: section {spec.get('key')!r} has both origin and kind (kind is its older name)"
            )
        fields["origin"] = fields.pop("kind")
    return SectionSpec(**fields)


def load_template(name_or_path: str | Path) -> Template:
    folder = Path(name_or_path)
    if not (folder / "manifest.toml").is_file():
        known = available_templates()
        if str(name_or_path) not in known:
            raise TemplateProblem(f"unknown template {str(name_or_path)!r} (available: {', '.join(known) or 'none'})")
        folder = known[str(name_or_path)]
    manifest_path = folder / "manifest.toml"
    try:
        manifest = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TemplateProblem(f"{manifest_path}: {exc}") from None
    try:
        sections = [_section_spec(spec, manifest_path) for spec in manifest["sections"]]
        title, language = manifest["title"], manifest["language"]
    except (KeyError, TypeError) as exc:
        raise TemplateProblem(f"{manifest_path}: missing or unknown field {exc}") from None
    for spec in sections:
        if spec.origin not in SECTION_ORIGINS:
            raise TemplateProblem(
                f"{manifest_path}: section {spec.key!r} has origin {spec.origin!r}, not one of {SECTION_ORIGINS}"
            )
    reference = folder / manifest.get("reference_docx", "reference.docx")
    return Template(
        name=folder.name,
        folder=folder,
        title=title,
        language=language,
        sections=sections,
        reference_docx=reference if reference.is_file() else None,
        env=sandbox(jinja2.FileSystemLoader(folder)),
    )
