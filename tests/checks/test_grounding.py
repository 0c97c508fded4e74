"""Grounding: injected errors are found where they are; faithful rewrites are not flagged."""

from __future__ import annotations

import pytest

from emrwriter.checks.grounding import check_grounding
from emrwriter.checks.verify import verify


def replaced(text: str, old: str, new: str) -> tuple[str, int, int]:
    """``text`` with the first ``old`` replaced, and the span of ``new`` in the result."""
    start = text.index(old)
    return text[:start] + new + text[start + len(old) :], start, start + len(new)


def hits(findings, start: int, end: int) -> list:
    return [f for f in findings if f.start < end and start < f.end]


def test_a_note_restating_itself_has_no_findings(en_evidence, zh_evidence, en_medication_list, zh_orders) -> None:
    assert check_grounding(en_medication_list, en_evidence) == []
    assert check_grounding(zh_orders, zh_evidence) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Sacubitril/valsartan 24 mg/26 mg PO twice daily", "sacubitril/valsartan 24mg/26mg by mouth b.i.d."),
        (
            "Cardiology clinic (Dr. Daniel K. Mercer) in 1 week: 10/15/2026 at 10:30",
            "Cardiology clinic (Dr. Daniel K. Mercer) in one week: Oct 15, 2026 at 10:30",
        ),
        ("maximum 3,000 mg per day", "maximum 3 g per day"),
        ("Limit sodium to 2,000 mg per day", "LIMIT SODIUM TO 2000 MG PER DAY"),
        ("Discharge Date: 10/08/2026", "Discharge Date: 2026年10月8日"),
        (
            "Metoprolol succinate 50 mg PO once daily\nAtorvastatin 40 mg PO nightly",
            "Atorvastatin 40 mg PO at bedtime\nMetoprolol succinate 50 mg PO qd",
        ),
        ("Furosemide 40 mg PO once daily", "Lasix 40 mg PO daily"),
    ],
)
def test_faithful_rewrites_en(en_evidence, en_medication_list, old: str, new: str) -> None:
    draft, start, end = replaced(en_medication_list, old, new)
    assert hits(check_grounding(draft, en_evidence), start, end) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("莫西沙星片 0.4g 口服 每日一次", "莫西沙星片 400 mg po qd"),
        ("出院日期：2026-10-16 09:00", "出院日期：2026年10月16日 09:00"),
        ("T 36.4℃", "T 36.4 °C"),
        ("共7天", "共七天"),
        ("盐酸氨溴索片 30mg 口服 每日三次", "盐酸氨溴索片 30 mg 口服 tid"),
        ("偶有咳嗽，少量白色黏痰，无气促、胸痛", "偶有咳嗽，少量白色黏痰，无胸痛、气促"),
    ],
)
def test_faithful_rewrites_zh(zh_evidence, zh_orders, old: str, new: str) -> None:
    draft, start, end = replaced(zh_orders, old, new)
    assert hits(check_grounding(draft, zh_evidence), start, end) == []


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("Furosemide 40 mg", "Furosemide 80 mg", "dose"),
        ("Furosemide 40 mg", "Furosemide 40 g", "unit"),
        ("10/15/2026 at 10:30", "10/16/2026 at 10:30", "date"),
        ("Spironolactone 12.5 mg", "Eplerenone 12.5 mg", "drug"),
        ("Metoprolol succinate 50 mg", "Atorvastatin 50 mg", "drug"),
        ("Empagliflozin 10 mg PO once daily", "Empagliflozin 10 mg PO twice daily", "dose"),
    ],
)
def test_injected_errors_en(en_evidence, en_medication_list, old: str, new: str, kind: str) -> None:
    draft, start, end = replaced(en_medication_list, old, new)
    changed = start + next(i for i, (a, b) in enumerate(zip(old, new)) if a != b)
    found = hits(check_grounding(draft, en_evidence), changed, end)
    assert found, f"no finding for {new!r}"
    assert kind in {f.kind for f in found}


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("莫西沙星片 0.4g", "莫西沙星片 0.6g", "dose"),
        ("出院日期：2026-10-16", "出院日期：2026-10-17", "date"),
        ("苯磺酸氨氯地平片 5mg", "硝苯地平片 5mg", "drug"),
        ("T 36.4℃", "T 37.4℃", "lab"),
        ("右肺下叶，非重症，肺炎链球菌感染", "左肺下叶，非重症，肺炎链球菌感染", "side"),
        ("患者无发热", "患者有发热", "polarity"),
    ],
)
def test_injected_errors_zh(zh_evidence, zh_orders, old: str, new: str, kind: str) -> None:
    draft, start, end = replaced(zh_orders, old, new)
    changed = start + next(i for i, (a, b) in enumerate(zip(old, new)) if a != b)
    found = hits(check_grounding(draft, zh_evidence), changed, end)
    assert kind in {f.kind for f in found}, found


def test_negation_dropped_in_english(en_evidence, en_stay) -> None:
    note = (
        en_stay.record.documents[0].text
        if "HISTORY AND PHYSICAL" in en_stay.record.documents[0].text
        else next(d.text for d in en_stay.record.documents if "HISTORY AND PHYSICAL" in d.text)
    )
    draft, start, end = replaced(note, "She denies chest pain", "She reports chest pain")
    assert "polarity" in {f.kind for f in hits(check_grounding(draft, en_evidence), start, end + 20)}


def test_finding_evidence_points_at_the_record(en_evidence, en_medication_list) -> None:
    draft, start, end = replaced(en_medication_list, "Furosemide 40 mg", "Furosemide 80 mg")
    (finding,) = [f for f in hits(check_grounding(draft, en_evidence), start, end) if f.kind == "dose"]
    assert finding.text == "80 mg"
    assert draft[finding.start : finding.end] == "80 mg"
    source = finding.evidence.source
    assert source.file.endswith("medication_list.txt")
    assert "Furosemide 40 mg" in en_medication_list[source.start : source.end]


def test_invented_prose_is_flagged_and_restated_prose_is_not(en_stay, en_evidence) -> None:
    text = (
        "She was treated with furosemide 40 mg IV twice daily and her creatinine peaked at 1.7 mg/dL.\n"
        "Her potassium was 6.8 mmol/L and she was started on ketoconazole 200 mg daily.\n"
    )
    report = verify(en_stay, text, evidence=en_evidence)
    flagged = {text[f.start : f.end] for f in report.findings}
    assert {"6.8 mmol/L", "ketoconazole"} <= flagged
    assert not flagged & {"40 mg", "1.7 mg/dL", "twice daily"}


def test_a_sentence_the_record_states_twice_restates_the_copy_it_agrees_with() -> None:
    from tests.checks.test_polarity import evidence_of

    record = (
        "长期,2026-03-12 22:15,硫酸氢氯吡格雷片(75mg*7片),75mg,口服,qd,2026-03-20 09:00,王某\n"
        "出院带药,2026-03-20 08:30,硫酸氢氯吡格雷片(75mg*14片),75mg,口服,qd,,王某\n"
    )
    evidence = evidence_of(record)
    assert check_grounding("硫酸氢氯吡格雷片(75mg*14片) 75mg 口服 qd\n", evidence) == []
    changed = check_grounding("硫酸氢氯吡格雷片(75mg*28片) 75mg 口服 qd\n", evidence)
    assert [f.text for f in changed] == ["28片"]


def test_a_value_added_to_a_restated_sentence_is_checked_as_prose() -> None:
    """A line composed from two record lines (a trend, a procedure with its time) has values
    of both: what the other line says is no finding; a value in neither is."""
    from tests.checks.test_polarity import evidence_of

    record = (
        "Troponin I (high sensitivity) 32 ng/L H (<=16) 2026-10-03 14:35.\n"
        "Troponin I (high sensitivity) 34 ng/L H (<=16) 2026-10-03 20:40.\n"
    )
    evidence = evidence_of(record)
    trend = "Troponin I (high sensitivity) 32 ng/L (2026-10-03) -> 34 ng/L (2026-10-03).\n"
    assert [f for f in check_grounding(trend, evidence) if f.severity == "high"] == []
    invented = trend.replace("34 ng/L", "84 ng/L")
    assert [f.text for f in check_grounding(invented, evidence) if f.severity == "high"] == ["84 ng/L"]


def test_a_dose_is_changed_only_in_place_of_the_same_drugs_dose() -> None:
    """ "(was 20 mg)" of furosemide lined up with Lokelma's "10 g" is no change of Lokelma's dose:
    it is checked against what the record says of furosemide."""
    from tests.checks.test_polarity import evidence_of

    record = (
        "Home medications: Furosemide 20 mg PO daily.\n"
        "Medication plan at discharge: Increase furosemide to 40 mg twice daily. Start Lokelma 10 g by mouth once daily.\n"
    )
    evidence = evidence_of(record)
    composed = "Changed furosemide 40 mg twice daily (was 20 mg PO daily).\n"
    assert [f for f in check_grounding(composed, evidence) if f.severity == "high"] == []
    wrong = composed.replace("20 mg", "30 mg")
    assert [f.text for f in check_grounding(wrong, evidence) if f.severity == "high"] == ["30 mg"]


def test_a_longer_sentence_with_the_same_words_is_no_other_copy_of_a_list_line() -> None:
    from tests.checks.test_polarity import evidence_of

    record = (
        "Renal agreed with decreasing his lisinopril to 5 mg daily and following his creatinine.\n"
        "DISCHARGE MEDICATIONS:\n3. Coreg 6.25 mg b.i.d.\n4. Lisinopril 2.5 mg daily.\n"
    )
    evidence = evidence_of(record)
    listed = "DISCHARGE MEDICATIONS:\n3. Coreg 6.25 mg b.i.d.\n4. Lisinopril 2.5 mg daily.\n"
    assert check_grounding(listed, evidence) == []
    changed = listed.replace("2.5 mg", "5 mg")
    assert [f.text for f in check_grounding(changed, evidence) if f.severity == "high"] == ["5 mg"]
