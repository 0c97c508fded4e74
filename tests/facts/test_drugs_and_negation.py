"""Drug names (brands, zh names, stems), diagnosis terms, negation and sides."""

from __future__ import annotations

from emrwriter.facts.conditions import en_terms, zh_terms
from emrwriter.facts.negation import en_negated, zh_negated
from emrwriter.facts.tokens import tokenize
from emrwriter.vocabulary.drugs import allergy_class, canonical_drug, find_drugs, in_allergy_class


def names(text: str) -> list[tuple[str, str]]:
    return [(text[m.start : m.end], m.name) for m in find_drugs(text)]


def test_brand_generic_and_zh_names_are_one_drug() -> None:
    assert canonical_drug("Lasix") == canonical_drug("furosemide") == canonical_drug("呋塞米片") == "furosemide"
    assert canonical_drug("Metoprolol succinate XL") == "metoprolol"
    assert canonical_drug("盐酸氨溴索片") == "ambroxol"


def test_unlisted_generics_by_stem() -> None:
    assert names("started on nebivolol and cefpodoxime") == [("nebivolol", "nebivolol"), ("cefpodoxime", "cefpodoxime")]
    assert [n for _, n in names("改为左氧氟沙星片")] == ["levofloxacin"]
    assert [n for _, n in names("加用奈诺沙星")] == ["奈诺沙星"]


def test_lab_words_and_phrases_are_not_drugs() -> None:
    assert names("Sodium 134, potassium 4.1, chloride 99, cholesterol 165") == []
    assert names("potassium chloride 10 mEq daily") == [("potassium chloride", "potassium chloride")]


def test_combinations_are_not_their_parts() -> None:
    assert names("Sacubitril/valsartan 24 mg/26 mg") == [("Sacubitril/valsartan", "sacubitril/valsartan")]
    assert [n for _, n in names("spironolactone/valsartan")] == ["spironolactone/valsartan"]
    assert [n for _, n in names("氯化钾奥达特罗吸入喷雾剂")] == ["potassium chloride/奥达特罗"]


def test_allergy_classes() -> None:
    assert allergy_class("Sulfa (sulfamethoxazole-trimethoprim)") == "sulfonamide"
    assert allergy_class("青霉素") == "penicillin"
    assert in_allergy_class("amoxicillin", "penicillin")
    assert in_allergy_class("阿莫西林", "penicillin")
    assert not in_allergy_class("furosemide", "sulfonamide")
    assert not in_allergy_class("moxifloxacin", "penicillin")


def test_english_negation_scopes_a_list() -> None:
    concepts = [
        n.concept for n in en_negated(tokenize("She denies chest pain, palpitations, fever, or productive cough. Legs swollen."))
    ]
    assert concepts == ["chest pain", "palpitation", "fever", "productive cough"]


def test_chinese_negation_scopes_a_list() -> None:
    found = [n.concept for n in zh_negated("伴畏寒，无寒战，无恶心、呕吐、腹泻。否认糖尿病、冠心病。")]
    assert found == ["寒战", "恶心", "呕吐", "腹泻", "糖尿病", "冠心病"]


def test_diagnosis_terms() -> None:
    assert [t.words for t in en_terms("acute kidney injury and a detailed diagnosis")] == [("kidney", "injury")]
    assert [t.words[0] for t in zh_terms("诊断为社区获得性肺炎，病史5年")] == ["社区获得性肺炎"]
