from pathlib import Path

import pytest

from emrwriter.templates import TemplateProblem, available_templates, load_template

ZH_ITEMS = ["入院日期", "出院日期", "入院情况", "入院诊断", "诊疗经过", "出院诊断", "出院情况", "出院医嘱", "医师签名"]


def test_zh_template_has_the_items_of_the_standard_in_order():
    """Every item of 《病历书写基本规范》 in its order; items a ward adds (手术及操作) may stand between."""
    template = load_template("discharge_summary_zh")
    headings = [s.heading for s in template.sections]
    assert [h for h in headings if h in ZH_ITEMS] == ZH_ITEMS
    assert set(headings) - set(ZH_ITEMS) == {"手术及操作"}
    assert template.language == "zh"
    assert template.reference_docx is not None and template.reference_docx.is_file()


def test_en_template_has_the_joint_commission_elements():
    template = load_template("discharge_summary_en")
    headings = " | ".join(s.heading for s in template.sections).lower()
    for element in (
        "reason for hospitalization",
        "findings",
        "procedures",
        "treatment",
        "condition",
        "disposition",
        "medications",
        "instructions",
        "follow-up",
        "signature",
    ):
        assert element in headings
    assert {s.origin for s in template.sections} == {"data", "model"}


def test_every_template_section_has_its_block():
    for name in available_templates():
        template = load_template(name)
        for spec in template.sections:
            file = "sections.j2" if spec.origin == "data" else "prompts.j2"
            assert spec.key in template.env.get_template(file).blocks, f"{name}: {spec.key}"


def _user_template(tmp_path: Path, sections_j2: str) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "manifest.toml").write_text(
        'title = "T"\nlanguage = "en"\n[[sections]]\nkey = "a"\nheading = "A"\nkind = "data"\n', encoding="utf-8"
    )
    (folder / "sections.j2").write_text(sections_j2, encoding="utf-8")
    return folder


def test_undefined_variable_names_file_and_line(tmp_path):
    template = load_template(_user_template(tmp_path, "{% block a %}\nfine\n{{ nothing_here }}\n{% endblock %}"))
    with pytest.raises(TemplateProblem) as err:
        template.data_section("a")
    assert "sections.j2, line 3" in str(err.value) and "nothing_here" in str(err.value)


def test_syntax_error_names_file_and_line(tmp_path):
    template = load_template(_user_template(tmp_path, "{% block a %}\n{% if %}\n{% endblock %}"))
    with pytest.raises(TemplateProblem, match=r"sections\.j2, line 2"):
        template.data_section("a")


def test_templates_run_in_the_sandbox(tmp_path):
    evil = "{% block a %}{{ ''.__class__.__mro__[1].__subclasses__() }}{% endblock %}"
    template = load_template(_user_template(tmp_path, evil))
    with pytest.raises(TemplateProblem, match="unsafe|not safely"):
        template.data_section("a")


def test_immutable_sandbox_refuses_mutation(tmp_path):
    template = load_template(_user_template(tmp_path, "{% block a %}{{ items.append(1) }}{% endblock %}"))
    with pytest.raises(TemplateProblem):
        template.data_section("a", items=[])


def test_unknown_template_lists_the_known_ones():
    with pytest.raises(TemplateProblem, match="discharge_summary_zh"):
        load_template("no_such_template")


def test_a_section_says_who_writes_it_as_origin_or_by_its_older_name_kind(tmp_path):
    folder = _user_template(tmp_path, "{% block a %}A{% endblock %}")  # kind = "data": the older name
    assert [s.origin for s in load_template(folder).sections] == ["data"]
    manifest = folder / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('kind = "data"', 'origin = "data"'), encoding="utf-8")
    assert [s.origin for s in load_template(folder).sections] == ["data"]
    manifest.write_text(manifest.read_text(encoding="utf-8") + 'kind = "model"\n', encoding="utf-8")
    with pytest.raises(TemplateProblem, match="both origin and kind"):
        load_template(folder)
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace('kind = "model"\n', "").replace('"data"', '"prose"'), encoding="utf-8"
    )
    with pytest.raises(TemplateProblem, match="origin 'prose'"):
        load_template(folder)
