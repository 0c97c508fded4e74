"""The matcher of scripts/measure_structuring.py on hand-made fact dicts: what it calls found,
wrong and a wrong lab flag. Independent of the fact layer's state (no record is read here)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("measure_structuring", ROOT / "scripts" / "measure_structuring.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


ms = _load()


def med(name, dose="", route="", frequency="", status="", role="discharge"):
    return {"name": name, "dose": dose, "route": route, "frequency": frequency, "status": status, "role": role, "reason": ""}


def lab(name, value, flag="", reference_range=""):
    return {"name": name, "value": value, "unit": "", "reference_range": reference_range, "flag": flag, "time": None}


ZH_EXPECTED = {
    "language": "zh",
    "patient": {"name": "王某某", "sex": "male"},
    "admission_date": "2026-03-02",
    "discharge_date": "2026-03-10",
    "diagnoses": [{"name": "社区获得性肺炎", "role": "discharge"}, {"name": "2型糖尿病", "role": "admission"}],
    "discharge_medications": [{"name": "阿莫西林", "dose": "0.5g", "route": "口服", "frequency": "每日三次", "status": "new"}],
    "stopped_medications": [{"name": "阿司匹林"}],
    "home_medications": [{"name": "二甲双胍", "dose": "0.5g", "frequency": "每日两次"}],
    "abnormal_labs": [{"name": "HbA1c", "flag": "H", "aliases": ["糖化血红蛋白"]}],
    "normal_labs": [{"name": "血钾"}],
    "pending": [{"name": "血培养"}],
    "follow_up": [{"contains": "心内科"}],
    "procedures": [{"name": "腹腔镜胆囊切除术"}],
    "allergies": [{"substance": "青霉素"}],
}

ZH_FACTS = {
    "patient": {"name": "王某某", "sex": "男", "birth_date": None, "identifiers": []},
    "admission_date": "2026-03-02T09:00:00",
    "discharge_date": "2026-03-10",
    "diagnoses": [
        {"name": "社区获得性肺炎（右下肺）", "role": "discharge", "proposed": False},
        {"name": "2型糖尿病", "role": "admission", "proposed": False},
    ],
    "medications": [
        med("阿莫西林胶囊", "500 mg", "po", "tid", "new"),
        med("阿司匹林肠溶片", "100mg", "口服", "每日一次", "stopped", role="home"),
        med("盐酸二甲双胍片", "0.5 g", "", "bid", "", role="home"),
    ],
    "labs": [lab("糖化血红蛋白", "9.8", "H", "4.0-6.0"), lab("血钾", "4.1", "", "3.5-5.5")],
    "procedures": [{"name": "腹腔镜胆囊切除术", "date": None}],
    "allergies": [{"substance": "青霉素类", "reaction": "皮疹"}],
    "follow_up": [{"text": "2周后心内科门诊复诊"}],
    "pending": [{"name": "血培养结果"}],
    "documents": [],
}


def test_everything_found_when_the_facts_say_it_in_other_spellings():
    score = ms.score_case("zh", ZH_EXPECTED, ZH_FACTS)
    missed = [(o.kind, o.what, o.note) for o in score.outcomes if not o.found]
    assert missed == []
    assert score.found == score.expected == 15
    assert score.wrong == [] and score.lab_flags_wrong == []


def test_no_facts_key_counts_everything_as_not_found():
    score = ms.score_case("zh", ZH_EXPECTED, None, "no 'facts' key in inspect --json")
    assert score.found == 0 and score.expected == 15
    assert score.wrong == [] and score.lab_flags_wrong == []
    assert score.error


def test_a_stopped_drug_listed_for_discharge_is_wrong_and_not_found():
    facts = json.loads(json.dumps(ZH_FACTS))
    facts["medications"][1] = med("阿司匹林肠溶片", "100mg", "口服", "每日一次", "continued", role="discharge")
    score = ms.score_case("zh", ZH_EXPECTED, facts)
    assert len(score.wrong) == 1 and "阿司匹林" in score.wrong[0]
    stopped = [o for o in score.outcomes if o.kind == "stopped_medications"]
    assert [o.found for o in stopped] == [False]


def test_a_stopped_drug_marked_stopped_on_the_discharge_list_is_not_wrong():
    facts = json.loads(json.dumps(ZH_FACTS))
    facts["medications"].append(med("阿司匹林", "100mg", "", "", "stopped", role="discharge"))
    assert ms.score_case("zh", ZH_EXPECTED, facts).wrong == []


def test_a_discharge_drug_with_another_dose_is_not_found():
    facts = json.loads(json.dumps(ZH_FACTS))
    facts["medications"][0]["dose"] = "0.25g"
    score = ms.score_case("zh", ZH_EXPECTED, facts)
    outcome = next(o for o in score.outcomes if o.kind == "discharge_medications")
    assert not outcome.found and "dose" in outcome.note


@pytest.mark.parametrize(("flag", "wrong"), [("", 1), ("L", 1), ("↑", 0), ("H", 0)])
def test_an_abnormal_lab_without_its_flag_or_flagged_the_other_way_is_a_wrong_flag(flag, wrong):
    facts = json.loads(json.dumps(ZH_FACTS))
    facts["labs"][0]["flag"] = flag
    score = ms.score_case("zh", ZH_EXPECTED, facts)
    assert len(score.lab_flags_wrong) == wrong
    outcome = next(o for o in score.outcomes if o.kind == "abnormal_labs")
    assert outcome.found is (wrong == 0)


def test_a_normal_lab_flagged_is_a_wrong_flag():
    facts = json.loads(json.dumps(ZH_FACTS))
    facts["labs"][1]["flag"] = "H"
    score = ms.score_case("zh", ZH_EXPECTED, facts)
    assert len(score.lab_flags_wrong) == 1 and "血钾" in score.lab_flags_wrong[0]


def test_a_lab_value_pins_which_result_is_meant():
    expected = {
        "patient": {},
        "abnormal_labs": [{"name": "Potassium", "value": "5.8", "flag": "H"}],
        "normal_labs": [{"name": "Potassium", "value": "4.2"}],
    }
    facts = {"labs": [lab("Potassium", "5.8", "H"), lab("Potassium", "4.2", "")]}
    score = ms.score_case("en", expected, facts)
    assert score.found == 2 and score.lab_flags_wrong == []


def test_a_lab_does_not_borrow_a_result_that_is_exactly_another_expected_lab():
    expected = {
        "patient": {},
        "abnormal_labs": [{"name": "urine protein/creatinine ratio", "flag": "H"}],
        "normal_labs": [{"name": "creatinine"}],
    }
    facts = {"labs": [lab("Urine protein/creatinine ratio", "0.9", "H")]}
    score = ms.score_case("en", expected, facts)
    assert score.lab_flags_wrong == []
    assert [o.found for o in score.outcomes] == [True, False]


@pytest.mark.parametrize(
    "glued",
    [
        "王某某　　性别：男　　年龄：68岁",
        "王某某 性别：男",
        "Jane Doe    DOB: 03/02/1952    MRN: 123",
        "Jane Doe | DOB: 03/02/1952",
    ],
)
def test_a_patient_name_glued_to_other_fields_is_wrong_and_not_found(glued):
    expected = {"patient": {"name": "Jane Doe" if "Jane" in glued else "王某某"}}
    score = ms.score_case("x", expected, {"patient": {"name": glued}})
    assert len(score.wrong) == 1 and "glued" in score.wrong[0]
    assert score.found == 0 and score.expected == 1


def test_a_latin_name_in_another_order_with_initials_is_found():
    expected = {"patient": {"name": "Rose A. Whitfield", "sex": "female"}}
    score = ms.score_case("en", expected, {"patient": {"name": "WHITFIELD, ROSE A.", "sex": "F"}})
    assert score.found == 2 and score.wrong == []


def test_a_discharge_date_before_admission_is_wrong():
    score = ms.score_case("x", {"patient": {}}, {"admission_date": "2026-03-10T08:00:00", "discharge_date": "2026-03-02"})
    assert score.wrong and "before" in score.wrong[0]


def test_diagnosis_role_and_proposed_are_compared():
    expected = {
        "patient": {},
        "diagnoses": [
            {"name": "Pneumococcal pneumonia", "role": "discharge", "proposed": True, "aliases": ["Streptococcus pneumoniae"]}
        ],
    }
    as_admission = {"diagnoses": [{"name": "Pneumonia due to Streptococcus pneumoniae", "role": "admission", "proposed": True}]}
    proposed = {
        "diagnoses": [{"name": "Community-acquired pneumonia (Streptococcus pneumoniae)", "role": "discharge", "proposed": True}]
    }
    assert ms.score_case("en", expected, as_admission).found == 0
    assert ms.score_case("en", expected, proposed).found == 1


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("0.5g", "500 mg", True),
        ("0.5 g", "0.5g", True),
        ("18 mcg", "18 μg", True),
        ("14单位", "14 units", True),
        ("2揿", "2 puffs", True),
        ("875 mg", "875-125 mg", True),
        ("30 mg", "15 mg/5 mL", False),
        ("40 mg", "4 mg", False),
    ],
)
def test_doses(a, b, same):
    assert ms.dose_matches(a, b) is same


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("每日一次", "qd", True),
        ("daily", "once daily", True),
        ("qd", "1次/日", True),
        ("每日两次", "twice daily", True),
        ("bid", "q12h", True),
        ("nightly", "qHS", True),
        ("每晚一次", "at bedtime", True),
        ("每晚睡前一次", "qn", True),
        ("every 6 hours as needed", "q6h prn", True),
        ("every 6 hours as needed", "every 6 hours", False),
        ("daily", "twice daily", False),
        ("每日一次", "每日三次", False),
    ],
)
def test_frequencies(a, b, same):
    assert ms.frequency_matches(a, b) is same


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("口服", "PO", True),
        ("oral", "by mouth", True),
        ("皮下注射", "subcutaneous", True),
        ("雾化吸入", "inhaled", True),
        ("PO", "IV", False),
    ],
)
def test_routes(a, b, same):
    assert ms.route_matches(a, b) is same


@pytest.mark.parametrize(
    ("expected", "found", "same"),
    [
        ("阿托伐他汀", "阿托伐他汀钙片", True),
        ("氨氯地平", "苯磺酸氨氯地平片", True),
        ("头孢呋辛酯", "头孢呋辛酯片(0.25g*12片)", True),
        ("insulin glargine", "Insulin glargine (Lantus)", True),
        ("Lokelma", "Lokelma 10 g packet", True),
        ("metoprolol succinate", "Metoprolol succinate ER tablet", True),
        ("metoprolol succinate", "metoprolol tartrate", False),
        ("amoxicillin-clavulanate", "Amoxicillin clavulanate", True),
        ("阿司匹林", "氯吡格雷", False),
    ],
)
def test_drug_names(expected, found, same):
    assert ms.names_match(ms.drug_variants(expected), ms.drug_variants(found)) is same


def test_every_devset_case_has_a_valid_expected_json():
    cases = ms.find_cases(ms.DEFAULT_CASES)
    assert len([c for c in cases if c.name.startswith("zh_")]) >= 8
    assert len([c for c in cases if c.name.startswith("en_")]) >= 8
    roles, statuses = {"admission", "discharge", "history", "procedure"}, {"new", "changed", "continued", "stopped"}
    for case in cases:
        expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
        assert expected["language"] in ("zh", "en") and expected["patient"].get("name"), case.name
        assert set(expected) <= {"language", "patient", "admission_date", "discharge_date", *ms.KINDS}, case.name
        assert all(d["role"] in roles for d in expected.get("diagnoses", [])), case.name
        assert all(m.get("status", "new") in statuses for m in expected.get("discharge_medications", [])), case.name
        assert all(lab["flag"] in ("H", "L") for lab in expected.get("abnormal_labs", [])), case.name
        assert [p for p in case.iterdir() if p.name != "expected.json"], case.name
