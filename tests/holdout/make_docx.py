"""Write the Word files of the held-out set (python-docx), so they can be read and changed here.

Run: .venv/bin/python tests/holdout/make_docx.py   (the .docx files are committed too)

Both files are a discharge summary laid out as ONE two-column table of fields (label | content),
the way some hospitals' EMR print a discharge form; multi-line fields hold one paragraph per line
inside the cell. There are no headings outside the table.
  zh_urology_turp/出院记录.docx          项目 | 内容 rows; dates as 2026年4月7日; 出院带药 numbered
                                        inside a cell with （续用）/（新增） and a stopped drug as
                                        the last item
  en_thoracic_ptx/discharge_summary.docx Field | Value rows; dates as 14 Feb 2026; discharge meds
                                        with Latin abbreviations and "- continue/- new"; a separate
                                        "Medications stopped" row
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document

HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)


def new_document(title: str) -> Document:
    doc = Document()
    doc.core_properties.author = "holdout"
    doc.core_properties.created = FIXED_TIME
    doc.core_properties.modified = FIXED_TIME
    doc.core_properties.last_modified_by = "holdout"
    doc.add_paragraph().add_run(title).bold = True
    return doc


def field_table(doc: Document, header: tuple[str, str] | None, rows: list[tuple[str, str]]) -> None:
    """A two-column table; a value with newlines becomes one paragraph per line in its cell."""
    all_rows = ([header] if header else []) + rows
    table = doc.add_table(rows=len(all_rows), cols=2)
    table.style = "Table Grid"
    for r, (label, value) in enumerate(all_rows):
        left, right = table.cell(r, 0), table.cell(r, 1)
        left.text = label
        for run in left.paragraphs[0].runs:
            run.bold = True
        lines = value.split("\n")
        right.text = lines[0]
        for line in lines[1:]:
            right.add_paragraph(line)
        if header and r == 0:
            for run in right.paragraphs[0].runs:
                run.bold = True


def zh_urology() -> Path:
    doc = new_document("XX市第一人民医院　出院记录")
    field_table(
        doc,
        ("项目", "内容"),
        [
            ("姓名", "赵某民"),
            ("性别", "男"),
            ("年龄", "72岁"),
            ("科室", "泌尿外科"),
            ("住院号", "2604070932"),
            ("入院日期", "2026年4月7日"),
            ("出院日期", "2026年4月13日"),
            ("住院天数", "6天"),
            (
                "入院情况",
                "进行性排尿困难4年，加重伴夜尿增多3个月。直肠指检前列腺Ⅱ度增大。总PSA 6.8 ng/mL，"
                "前列腺MRI PI-RADS 2分，残余尿120ml，最大尿流率7.2ml/s。",
            ),
            ("入院诊断", "1. 良性前列腺增生\n2. 2型糖尿病"),
            ("手术", "2026年4月8日在腰硬联合麻醉下行经尿道前列腺电切术（TURP）"),
            (
                "诊疗经过",
                "入院后完善术前检查，于4月8日行TURP，术后予注射用头孢呋辛钠1.5g 静脉滴注 每8小时一次预防感染，"
                "持续膀胱冲洗2天。术后第1天复查血红蛋白118 g/L（130-175），无活动性出血，未输血。"
                "术后停用坦索罗辛。4月12日拔除导尿管，排尿通畅，尿线粗，残余尿20ml。",
            ),
            ("出院诊断", "1. 良性前列腺增生（TURP术后）\n2. 2型糖尿病"),
            ("出院情况", "一般情况好，排尿通畅，无肉眼血尿，无发热。"),
            (
                "出院带药",
                "1. 非那雄胺片 5mg 口服 每日一次（续用）\n"
                "2. 左氧氟沙星片 0.5g 口服 每日一次，共5天（新增）\n"
                "3. 二甲双胍片 0.5g 口服 每日三次（续用）\n"
                "4. 盐酸坦索罗辛缓释胶囊：术后排尿通畅，已停用",
            ),
            (
                "出院医嘱",
                "1. 多饮水，保持大便通畅，1个月内避免骑车、久坐及提重物。\n"
                "2. 前列腺组织病理结果尚未回报，出院后电话通知。\n"
                "3. 术后1个月泌尿外科门诊复查尿流率、残余尿；3个月后复查PSA。\n"
                "4. 如出现肉眼血尿加重、排尿困难、发热，及时就诊。",
            ),
            ("医师签名", "冯某"),
        ],
    )
    path = HERE / "zh_urology_turp" / "出院记录.docx"
    doc.save(path)
    return path


def en_thoracic() -> Path:
    doc = new_document("DISCHARGE SUMMARY - THORACIC SURGERY")
    field_table(
        doc,
        ("Field", "Value"),
        [
            ("Patient name", "Aaron Whitlock"),
            ("Date of birth", "07/22/1963"),
            ("Sex", "Male"),
            ("MRN", "00418827"),
            ("Admission date", "14 Feb 2026"),
            ("Discharge date", "20 Feb 2026"),
            ("Service / attending", "Thoracic Surgery / Dr. Imogen Sato"),
            ("Admitting diagnosis", "Right secondary spontaneous pneumothorax"),
            (
                "Discharge diagnoses",
                "1. Right secondary spontaneous pneumothorax, s/p VATS bullectomy and pleurodesis\n"
                "2. Severe COPD with bullous emphysema",
            ),
            (
                "Procedures",
                "02/14/2026 right chest tube thoracostomy (20 Fr), bedside in ED\n"
                "02/16/2026 right VATS apical bullectomy with mechanical pleurodesis",
            ),
            (
                "Hospital course",
                "Chest tube to suction with persistent air leak at 48 h; VATS on HD 3. Air leak resolved POD 1. "
                "Chest tubes removed 02/19/2026, post-pull and repeat CXR without pneumothorax. "
                "Post-op Hgb 12.9. Prednisone taper (for COPD exacerbation) completed in hospital.",
            ),
            (
                "Discharge medications",
                "tiotropium 18 mcg inhaled once daily - continue\n"
                "fluticasone-salmeterol 250/50 mcg, 1 inhalation bid - continue\n"
                "albuterol HFA 90 mcg, 2 puffs q4h prn wheeze - continue\n"
                "oxycodone 5 mg PO q6h prn pain, max 5 days - new\n"
                "acetaminophen 650 mg PO qid - new\n"
                "docusate 100 mg PO bid while taking oxycodone - new",
            ),
            ("Medications stopped", "prednisone - taper completed 02/17/2026; no longer taking"),
            ("Allergies", "NKDA"),
            ("Results pending", "Surgical pathology, right apical bulla"),
            (
                "Follow-up",
                "Thoracic surgery clinic (Dr. Sato) with CXR on 03/03/2026\n"
                "Pulmonology (Dr. Reyes) in 4 weeks - pulmonary rehabilitation referral",
            ),
            ("Instructions", "No air travel or diving for 6 weeks. Return for sudden chest pain or shortness of breath."),
        ],
    )
    path = HERE / "en_thoracic_ptx" / "discharge_summary.docx"
    doc.save(path)
    return path


if __name__ == "__main__":
    for written in (zh_urology(), en_thoracic()):
        print(written.relative_to(HERE))
