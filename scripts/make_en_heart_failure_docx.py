#!/usr/bin/env python3
"""Rebuild progress_note_2026-10-05.docx (synthetic EMRWriter sample).

Usage:  python scripts/make_en_heart_failure_docx.py            (requires python-docx)

Writes progress_note_2026-10-05.docx into emrwriter/bundled/samples/en_heart_failure/. All content is
invented for testing EMRWriter; the patient does not exist.
"""

import datetime
from pathlib import Path

from docx import Document
from docx.shared import Pt

OUT = (
    Path(__file__).resolve().parents[1]
    / "emrwriter"
    / "bundled"
    / "samples"
    / "en_heart_failure"
    / "progress_note_2026-10-05.docx"
)

HEADER_LINES = [
    "Patient Name: Dorothy M. Hartwell    MRN: 00482913    DOB: 02/17/1952",
    "Date: 10/05/2026    Time: 10:05",
    "Hospital Day: 3",
    "Attending: Daniel K. Mercer, MD",
]

SUBJECTIVE = (
    "Breathing continues to improve. Slept on one pillow, no paroxysmal nocturnal "
    "dyspnea. Had calf cramps overnight. Appetite improving. Walked to the bathroom "
    "and back without stopping. No chest pain, palpitations, or dizziness."
)

VITALS = [
    # time, BP, HR, RR, SpO2, temperature
    ("10/04 20:00", "128/76", "84", "18", "95% on 1 L NC", "36.8 C"),
    ("10/05 00:00", "122/72", "80", "18", "95% on 1 L NC", "36.6 C"),
    ("10/05 04:00", "118/70", "78", "16", "94% on 1 L NC", "36.5 C"),
    ("10/05 08:00", "124/74", "82", "18", "94% on room air", "36.7 C"),
]

OBJECTIVE = [
    "Weight: 75.1 kg (10/04: 76.9 kg; admission 78.4 kg).",
    "Intake/output (24 h): in 1,100 mL / out 2,900 mL; net -1.8 L.",
    "Diuretics: furosemide 40 mg IV twice daily.",
    "Oxygen weaned to room air at 06:00; SpO2 94% at rest and 92% ambulating.",
    "Exam: JVP 8 cm H2O. Crackles at both bases only. Regular rhythm, faint S3, "
    "II/VI apical holosystolic murmur. 1+ pitting edema to mid-shin bilaterally.",
    "Labs (10/05 05:10): Sodium 135 mmol/L, potassium 3.4 mmol/L (L), BUN 40 mg/dL, "
    "creatinine 1.5 mg/dL (1.7 on 10/04), magnesium 1.8 mg/dL, BNP 980 pg/mL "
    "(1,840 on admission). TSH pending.",
]

PLAN = [
    "Acute on chronic HFrEF (LVEF 30% on TTE 10/04): Diuresing well, about 2.5 kg "
    "above estimated dry weight of 72.5 kg. Continue furosemide 40 mg IV twice daily "
    "today; plan transition to oral furosemide 40 mg daily tomorrow. Start "
    "empagliflozin 10 mg PO daily today. Start sacubitril/valsartan 24 mg/26 mg twice "
    "daily tomorrow if creatinine continues to improve (lisinopril washout complete). "
    "Continue metoprolol succinate 50 mg daily.",
    "Hypokalemia and low-normal magnesium from diuresis: Potassium chloride 40 mEq PO "
    "once and magnesium sulfate 2 g IV once now; recheck BMP in the morning.",
    "AKI on CKD 3a: Creatinine improving, 1.5 from peak 1.7. Continue to hold metformin. No NSAIDs.",
    "CAD with new EF decline: Outpatient ischemic evaluation; continue aspirin and atorvastatin.",
    "Type 2 diabetes: HbA1c 7.4%. Correction-scale insulin; empagliflozin as above.",
    "Physical therapy evaluation today. Heart failure education: daily weights, 2 g sodium diet, fluid limit.",
]


def build(path: Path = OUT) -> Path:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)

    props = doc.core_properties
    props.author = "Priya Raman, MD"
    props.title = "Cardiology Progress Note 10/05/2026"
    props.created = datetime.datetime(2026, 10, 5, 10, 5)
    props.modified = datetime.datetime(2026, 10, 5, 10, 30)

    doc.add_heading("CARDIOLOGY PROGRESS NOTE", level=1)
    for line in HEADER_LINES:
        doc.add_paragraph(line)

    doc.add_heading("SUBJECTIVE:", level=2)
    doc.add_paragraph(SUBJECTIVE)

    doc.add_heading("OBJECTIVE:", level=2)
    doc.add_paragraph("Vital signs, last 12 hours:")
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Time", "BP (mmHg)", "HR (bpm)", "RR (/min)", "SpO2", "Temp")):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in VITALS:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text
    for line in OBJECTIVE:
        doc.add_paragraph(line)

    doc.add_heading("ASSESSMENT AND PLAN:", level=2)
    doc.add_paragraph(
        "74-year-old woman with ischemic cardiomyopathy (LVEF 30%) and CKD 3a, "
        "admitted 10/03/2026 with acute decompensated heart failure. Continued "
        "good response to IV diuresis."
    )
    for item in PLAN:
        doc.add_paragraph(item, style="List Number")

    doc.add_paragraph("Priya Raman, MD (PGY-2) for Daniel K. Mercer, MD")
    doc.save(str(path))
    return path


if __name__ == "__main__":
    print(build())
