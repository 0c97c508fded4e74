"""Omitted discharge medications, and the safety checks at discharge."""

from __future__ import annotations

from emrwriter.checks.omissions import check_omissions
from emrwriter.checks.verify import verify
from emrwriter.facts.tokens import tokenize


def without_line(text: str, start_of_line: str) -> str:
    start = text.index(start_of_line)
    end = text.index("\n", start) + 1
    return text[:start] + text[end:]


def test_dropped_discharge_medication_is_an_omission(en_evidence, en_medication_list) -> None:
    assert check_omissions(en_medication_list, en_evidence, tokenize(en_medication_list)) == []
    draft = without_line(en_medication_list, "Aspirin 81 mg")
    found = check_omissions(draft, en_evidence, tokenize(draft))
    assert [f.text for f in found] == ["Aspirin"]
    (finding,) = found
    assert finding.kind == "omission" and finding.start == finding.end
    assert draft[finding.start] == "\n"  # at the end of the list, inside no sentence
    assert "Aspirin 81 mg" in finding.evidence.quote


def test_a_brand_name_counts_as_the_drug(en_evidence, en_medication_list) -> None:
    draft = en_medication_list.replace("Furosemide 40 mg", "Lasix 40 mg")
    assert check_omissions(draft, en_evidence, tokenize(draft)) == []


def test_dropped_chinese_discharge_medication(zh_evidence, zh_orders) -> None:
    draft = without_line(zh_orders, "盐酸氨溴索片")
    assert [f.text for f in check_omissions(draft, zh_evidence, tokenize(draft))] == ["盐酸氨溴索片"]


def safety_kinds(report) -> dict[str, list]:
    kinds: dict[str, list] = {}
    for finding in report.safety:
        kinds.setdefault(finding.kind, []).append(finding)
    return kinds


def test_pending_result_must_be_mentioned(en_stay, en_evidence, en_medication_list) -> None:
    assert "pending" not in safety_kinds(verify(en_stay, en_medication_list, evidence=en_evidence))
    draft = without_line(en_medication_list, "Pending at discharge")
    pending = safety_kinds(verify(en_stay, draft, evidence=en_evidence))["pending"]
    assert "thyroid" in pending[0].text.lower() or "tsh" in pending[0].text.lower()


def test_chinese_pending_culture(zh_stay, zh_evidence, zh_orders) -> None:
    assert "pending" not in safety_kinds(verify(zh_stay, zh_orders, evidence=zh_evidence))
    draft = zh_orders.replace("痰分枝杆菌培养待回报。", "").replace(
        "4. 痰分枝杆菌培养结果待回报，主管医师将电话通知结果，如有异常需及时返院就诊。\n", ""
    )
    assert [f.text for f in safety_kinds(verify(zh_stay, draft, evidence=zh_evidence))["pending"]] == ["痰分枝杆菌培养"]


def test_no_follow_up(en_stay, en_evidence) -> None:
    draft = "Discharge Summary\nShe was admitted with acute decompensated heart failure.\n"
    assert "follow_up" in safety_kinds(verify(en_stay, draft, evidence=en_evidence))
    draft += "Follow-up: cardiology clinic in 1 week.\n"
    assert "follow_up" not in safety_kinds(verify(en_stay, draft, evidence=en_evidence))


def test_discharge_medication_matching_an_allergy(en_stay, en_evidence, en_medication_list) -> None:
    assert "allergy" not in safety_kinds(verify(en_stay, en_medication_list, evidence=en_evidence))
    draft = en_medication_list.replace(
        "Aspirin 81 mg PO once daily", "Aspirin 81 mg PO once daily\nBactrim DS 1 tablet PO twice daily"
    )
    (finding,) = safety_kinds(verify(en_stay, draft, evidence=en_evidence))["allergy"]
    assert draft[finding.start : finding.end] == "Bactrim"
    assert "Sulfa" in finding.message


def test_medication_change_needs_a_reason(en_stay, en_evidence, en_medication_list) -> None:
    changes = safety_kinds(verify(en_stay, en_medication_list, evidence=en_evidence)).get("medication_change", [])
    flagged = {f.text for f in changes}
    assert "Empagliflozin" in flagged  # started, no reason on its line
    assert "Lisinopril" not in flagged  # "replaced by sacubitril/valsartan"
    draft = en_medication_list.replace("Empagliflozin 10 mg PO once daily", "Empagliflozin 10 mg PO once daily for heart failure")
    changes = safety_kinds(verify(en_stay, draft, evidence=en_evidence)).get("medication_change", [])
    assert "Empagliflozin" not in {f.text for f in changes}


def test_abnormal_last_lab_must_be_addressed(en_stay, en_evidence) -> None:
    draft = "Follow-up in 1 week. BNP was 980 pg/mL and creatinine 1.3 mg/dL at discharge.\n"
    abnormal = {f.text for f in safety_kinds(verify(en_stay, draft, evidence=en_evidence))["abnormal_lab"]}
    assert "Hemoglobin" in abnormal and "Glucose" in abnormal
    assert not abnormal & {"BNP", "Creatinine", "Sodium"}  # addressed, or normal at last value


def test_a_drug_matching_an_intolerance_is_a_medium_finding_and_an_allergy_a_high_one(tmp_path) -> None:
    from emrwriter.records.case import load_case
    from emrwriter.records.stay import select_encounter

    draft = "Discharge medications:\nOxycodone 5 mg PO every 4 hours as needed for pain\n"
    severities = {}
    for reaction in ("nausea/vomiting", "hives"):
        case = tmp_path / reaction.replace("/", "-")
        case.mkdir()
        (case / "discharge.txt").write_text(
            "DISCHARGE SUMMARY\nAdmission date: 2026-03-01\nDischarge date: 2026-03-04\n"
            f"Allergies: codeine ({reaction})\n"
            "Discharge medications:\nOxycodone 5 mg PO every 4 hours as needed for pain\n",
            encoding="utf-8",
        )
        stay = select_encounter(load_case(case))
        (finding,) = safety_kinds(verify(stay, draft))["allergy"]
        severities[reaction] = finding.severity
    assert severities == {"nausea/vomiting": "medium", "hives": "high"}


def test_the_drafts_own_allergy_line_is_no_allergy_finding(tmp_path) -> None:
    from emrwriter.records.case import load_case
    from emrwriter.records.stay import select_encounter

    (tmp_path / "note.txt").write_text(
        "DISCHARGE SUMMARY\nALLERGIES: PENICILLIN (HIVES); AMOXICILLIN (HIVES); DOXYCYCLINE (HIVES)\n", encoding="utf-8"
    )
    stay = select_encounter(load_case(tmp_path))
    draft = "Allergies: PENICILLIN (HIVES); AMOXICILLIN (HIVES); DOXYCYCLINE (HIVES)\n"
    assert "allergy" not in safety_kinds(verify(stay, draft))
    assert "allergy" in safety_kinds(verify(stay, draft + "Discharge medications:\nAmoxicillin 500 mg PO three times daily\n"))
