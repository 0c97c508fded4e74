"""The stay's timeline: what happened on which day, with sources, in zh and en."""

from __future__ import annotations

from pathlib import Path

from emrwriter.facts.stay import stay_facts
from emrwriter.facts.timeline import build_timeline
from emrwriter.records.case import load_case
from emrwriter.records.stay import select_encounter


def timeline_of(folder: Path, language: str):
    stay = select_encounter(load_case(folder))
    return stay, build_timeline(stay_facts(stay), language)


def test_zh_timeline_lists_each_day_with_its_source(tmp_path: Path) -> None:
    case = tmp_path / "zh"
    case.mkdir()
    (case / "入院记录.txt").write_text(
        "入院记录\n姓名：周某　性别：女\n入院日期：2026-05-02 09:00\n主诉：发热伴咳嗽4天。\n既往史：2015年行阑尾切除术。\n",
        encoding="utf-8",
    )
    (case / "病程记录.txt").write_text(
        "2026-05-03 09:00 主治医师查房记录\n患者入院第2天。体温38.6℃，咳嗽较前无明显变化。血白细胞 15.2×10^9/L（↑）。\n\n"
        "2026-05-05 10:00 日常病程记录\n体温正常2天，咳嗽减轻。复查血白细胞 8.1×10^9/L。今日行支气管镜检查。\n\n"
        "2026-05-07 09:30 日常病程记录\n患者一般情况好，准予今日出院。\n",
        encoding="utf-8",
    )
    stay, timeline = timeline_of(case, "zh")
    by_kind = {}
    for entry in timeline:
        by_kind.setdefault(entry.kind, []).append(entry)
    assert by_kind["presentation"][0].text == "发热伴咳嗽4天。"
    notes = [(e.day.isoformat(), e.text) for e in by_kind["note"]]
    assert notes[0] == ("2026-05-03", "体温38.6℃，咳嗽较前无明显变化。")  # not the day count, not the heading
    assert [e.day.isoformat() for e in by_kind["note"]] == ["2026-05-03", "2026-05-05", "2026-05-07"]
    assert not any("阑尾" in e.text for e in timeline)  # a past operation is no event of this stay
    assert any("支气管镜" in e.text for e in by_kind["procedure"])
    trend = by_kind["result"][0]
    assert "15.2" in trend.text and "8.1" in trend.text and "2026-05-05" in trend.text
    for entry in timeline:  # every entry can be shown in its source
        document = next(
            d
            for d in stay.record.documents
            if d.provenance.file == entry.provenance.file and entry.provenance.locator.startswith(d.provenance.locator)
        )
        if entry.quoted:
            assert document.text[entry.provenance.start : entry.provenance.end].strip().startswith(entry.text[:8])
    assert [e.day for e in timeline] == sorted(e.day for e in timeline)


def test_en_timeline_orders_medication_changes_and_the_state_at_discharge(tmp_path: Path) -> None:
    case = tmp_path / "en"
    case.mkdir()
    (case / "hp.txt").write_text(
        "ADMISSION H&P\nPatient: Al Roe    Admission date: 06/01/2026\nCHIEF COMPLAINT: Leg swelling for a week.\n\n"
        "HOME MEDICATIONS:\n- furosemide 20 mg PO daily\n- naproxen 500 mg PO BID\n",
        encoding="utf-8",
    )
    (case / "summary.txt").write_text(
        "DISCHARGE SUMMARY\nDischarge date: 06/04/2026\n\nDISCHARGE MEDICATIONS:\n1. Furosemide 40 mg PO daily\n\n"
        "STOPPED MEDICATIONS:\n1. Naproxen 500 mg - kidney injury\n\nCONDITION AT DISCHARGE: Stable, edema improved.\n",
        encoding="utf-8",
    )
    _, timeline = timeline_of(case, "en")
    texts = [e.text for e in timeline]
    assert texts[0] == "Leg swelling for a week."
    assert "Changed Furosemide 40 mg PO daily (was 20 mg PO daily)." in texts
    assert any(t.startswith("Stopped Naproxen") and "kidney injury" in t for t in texts)
    assert timeline[-1].kind == "discharge_state" and timeline[-1].text == "Stable, edema improved."
