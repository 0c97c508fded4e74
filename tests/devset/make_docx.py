"""Write the Word files of the development set (python-docx), so they can be read and changed here.

Run: .venv/bin/python tests/devset/make_docx.py   (the .docx files are committed too)

The three files are shaped the way wards export Word documents, not like samples/:
  zh_ckd_hyperkalemia/出院记录.docx        demographics in a table, a lab table with a reference
                                           range and no flag column, the discharge drugs in a
                                           table with a 备注 column (新增/调整/继续/停用)
  en_nstemi_pci/discharge_medications.docx Medication | Dose | Frequency | Status table with
                                           new/changed/continued/STOPPED, follow-up paragraphs
  en_peds_asthma/discharge_summary.docx    a demographics table, then headings and bullet
                                           paragraphs (diagnoses, medications, follow-up)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)


def new_document(title: str) -> Document:
    doc = Document()
    doc.core_properties.author = "devset"
    doc.core_properties.created = FIXED_TIME
    doc.core_properties.modified = FIXED_TIME
    doc.core_properties.last_modified_by = "devset"
    doc.add_heading(title, level=1)
    return doc


def add_table(doc: Document, rows: list[list[str]], header: bool = True) -> None:
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            cell.text = value
            if header and r == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    doc.add_paragraph()


def labelled(doc: Document, label: str, text: str) -> None:
    p = doc.add_paragraph()
    p.add_run(label).bold = True
    p.add_run(text)


def zh_ckd() -> Path:
    doc = new_document("出院记录")
    add_table(
        doc,
        [
            ["姓名", "周某某", "性别", "男", "年龄", "56岁"],
            ["住院号", "2603094410", "科室", "肾内科", "床号", "8床"],
            ["入院日期", "2026-03-09", "出院日期", "2026-03-19", "住院天数", "10天"],
        ],
        header=False,
    )
    labelled(doc, "入院诊断：", "慢性肾脏病4期；高钾血症；肾性贫血；高血压病3级（很高危）")
    labelled(
        doc,
        "诊疗经过：",
        (
            "入院后查血钾5.9mmol/L，心电图T波高尖，予葡萄糖酸钙、胰岛素+葡萄糖、环硅酸锆钠降钾，"
            "停用缬沙坦及布洛芬。双下肢水肿，呋塞米由20mg加量至40mg 每日一次，水肿消退。"
            "血压偏高，加用硝苯地平控释片30mg 每日一次。肾性贫血予重组人促红素皮下注射及口服铁剂。"
            "代谢性酸中毒继续碳酸氢钠口服。出院前复查血钾4.6mmol/L。已向患者及家属交代肾脏替代治疗的准备事宜。"
        ),
    )
    doc.add_paragraph("主要检验结果：")
    add_table(
        doc,
        [
            ["项目", "结果", "单位", "参考范围", "日期"],
            ["肌酐", "356", "μmol/L", "57-111", "2026-03-09"],
            ["尿素", "24.6", "mmol/L", "3.1-8.0", "2026-03-09"],
            ["估算肾小球滤过率", "18", "mL/min/1.73m²", ">60", "2026-03-09"],
            ["血钾", "5.9", "mmol/L", "3.5~5.5", "2026-03-09"],
            ["血钠", "138", "mmol/L", "137-147", "2026-03-09"],
            ["碳酸氢根", "17", "mmol/L", "22-29", "2026-03-09"],
            ["血红蛋白", "82", "g/L", "130-175", "2026-03-10"],
            ["血钾", "4.6", "mmol/L", "3.5~5.5", "2026-03-18"],
        ],
    )
    labelled(doc, "出院诊断：", "")
    for i, dx in enumerate(["慢性肾脏病4期", "高钾血症", "肾性贫血", "代谢性酸中毒", "高血压病3级（很高危）"], 1):
        doc.add_paragraph(f"{i}. {dx}")
    labelled(doc, "出院情况：", "乏力、纳差好转，双下肢不肿，血压142/84mmHg。")
    doc.add_paragraph("出院带药：")
    add_table(
        doc,
        [
            ["药品名称", "剂量", "用法", "频次", "备注"],
            ["呋塞米片", "40mg", "口服", "每日一次", "调整（原20mg）"],
            ["碳酸氢钠片", "1.0g", "口服", "每日三次", "继续"],
            ["硝苯地平控释片", "30mg", "口服", "每日一次", "新增"],
            ["重组人促红素注射液", "10000IU", "皮下注射", "每周一次", "新增"],
            ["多糖铁复合物胶囊", "150mg", "口服", "每日一次", "新增"],
            ["环硅酸锆钠散", "5g", "口服", "每日一次", "新增"],
            ["缬沙坦胶囊", "—", "—", "—", "停用（高钾血症）"],
            ["布洛芬缓释胶囊", "—", "—", "—", "停用（肾损害）"],
        ],
    )
    labelled(doc, "出院医嘱：", "低钾、优质低蛋白饮食，每日记录尿量及体重；避免使用非甾体抗炎药。")
    labelled(doc, "随访：", "1周后肾内科门诊复诊，复查血钾、肾功能、血常规；肾脏替代治疗评估。")
    doc.add_paragraph("医师签名：冯某某")
    path = HERE / "zh_ckd_hyperkalemia" / "出院记录.docx"
    doc.save(path)
    return path


def en_nstemi() -> Path:
    doc = new_document("Discharge Medication Reconciliation")
    doc.add_paragraph("Margaret Ellison  |  MRN 4471029  |  Cardiology, Dr. Victor Hale")
    add_table(
        doc,
        [
            ["Medication", "Dose", "Frequency", "Status"],
            ["Aspirin (chewable)", "81 mg", "once daily", "new"],
            ["Ticagrelor", "90 mg", "twice daily", "new"],
            ["Atorvastatin", "80 mg", "nightly", "changed (was 20 mg)"],
            ["Metoprolol succinate ER", "25 mg", "once daily", "new"],
            ["Lisinopril", "20 mg", "once daily", "changed (was 10 mg)"],
            ["Metformin", "1000 mg", "twice daily with meals", "continued"],
            ["Omeprazole", "20 mg", "once daily", "continued"],
            ["Nitroglycerin SL", "0.4 mg", "every 5 min as needed for chest pain, max 3 doses", "new"],
            ["Acetaminophen", "650 mg", "every 6 hours as needed for knee pain", "new"],
            ["Ibuprofen", "400 mg", "-", "STOPPED - NSAID, bleeding risk on aspirin + ticagrelor"],
        ],
    )
    doc.add_paragraph("Do not stop aspirin or ticagrelor unless your cardiologist tells you to.")
    doc.add_paragraph("Follow-up: Cardiology clinic, Dr. Hale, in 2 weeks. Cardiac rehab: referral placed, they will call you.")
    path = HERE / "en_nstemi_pci" / "discharge_medications.docx"
    doc.save(path)
    return path


def en_peds_asthma() -> Path:
    doc = new_document("Pediatric Discharge Summary")
    add_table(
        doc,
        [
            ["Patient", "Mateo Alvarez", "DOB", "09/03/2019"],
            ["Sex", "Male", "MRN", "P-7781120"],
            ["Admitted", "02/10/2026", "Discharged", "02/12/2026"],
            ["Attending", "Nora Sato, MD", "Weight", "21 kg"],
        ],
        header=False,
    )
    doc.add_heading("Discharge diagnoses", level=2)
    for dx in [
        "Status asthmaticus",
        "Moderate persistent asthma, poorly controlled",
        "Rhinovirus infection",
        "Peanut allergy (history of anaphylaxis)",
    ]:
        doc.add_paragraph(dx, style="List Bullet")
    doc.add_heading("Hospital course", level=2)
    doc.add_paragraph(
        "Admitted to the floor on continuous albuterol 10 mg/h, weaned to intermittent albuterol by hospital day 2 "
        "and spaced to every 4 hours on 02/11. Received dexamethasone in the ED, then prednisolone 30 mg daily. "
        "Controller therapy stepped up. Asthma education and spacer teaching completed with mother; "
        "asthma action plan given. Room air since 02/11 08:00, SpO2 95-97%."
    )
    doc.add_heading("Discharge medications", level=2)
    for med in [
        "Prednisolone 15 mg/5 mL oral solution: 30 mg (10 mL) by mouth once daily for 3 more days, last dose 02/14 - NEW",
        "Fluticasone HFA 110 mcg: 2 puffs twice daily with spacer, rinse mouth after - CHANGED (was 44 mcg)",
        "Montelukast 5 mg chewable tablet: 1 tablet by mouth at bedtime - NEW",
        "Albuterol HFA 90 mcg: 4 puffs every 4 hours while awake for 2 days, then every 4 hours as needed - CONTINUE",
        "EpiPen Jr (epinephrine 0.15 mg auto-injector): as needed for anaphylaxis - CONTINUE",
    ]:
        doc.add_paragraph(med, style="List Bullet")
    doc.add_heading("Follow-up", level=2)
    doc.add_paragraph("Pediatrician (Dr. Sato) in 2-3 days.", style="List Bullet")
    doc.add_paragraph("Pediatric pulmonology in 4-6 weeks for asthma control and spirometry.", style="List Bullet")
    for p in doc.paragraphs:
        for run in p.runs:
            run.font.size = Pt(11)
    path = HERE / "en_peds_asthma" / "discharge_summary.docx"
    doc.save(path)
    return path


def main() -> None:
    for make in (zh_ckd, en_nstemi, en_peds_asthma):
        print(make().relative_to(HERE))


if __name__ == "__main__":
    main()
