"""Laboratory tests and vital signs, zh and en, each with one canonical key.

"WBC", "white blood cell count" and "白细胞计数" are one test; the verifier uses
the key to tie a number to what it measures, and the safety check to see that
an abnormal result is addressed in the draft. Data only: add synonyms here.
"""

from __future__ import annotations

import re

LAB_SYNONYMS: dict[str, tuple[str, ...]] = {
    "wbc": (
        "wbc",
        "white blood cell count",
        "white blood cells",
        "white blood cell",
        "white cell count",
        "white count",
        "leukocyte count",
        "leukocytes",
        "白细胞计数",
        "白细胞",
    ),
    "neutrophils": (
        "neutrophils",
        "neutrophil",
        "neutrophil percentage",
        "anc",
        "中性粒细胞百分比",
        "中性粒细胞比例",
        "中性粒细胞",
    ),
    "lymphocytes": ("lymphocytes", "lymphocyte percentage", "淋巴细胞百分比", "淋巴细胞"),
    "eosinophils": ("eosinophils", "eosinophil count", "嗜酸性粒细胞计数", "嗜酸性粒细胞"),
    "hemoglobin": ("hemoglobin", "haemoglobin", "hgb", "hb", "血红蛋白"),
    "hematocrit": ("hematocrit", "haematocrit", "hct", "红细胞压积", "红细胞比容"),
    "platelets": ("platelets", "platelet count", "platelet", "plt", "血小板计数", "血小板"),
    "mcv": ("mcv", "mean corpuscular volume", "平均红细胞体积"),
    "crp": ("crp", "c-reactive protein", "c reactive protein", "hs-crp", "超敏c反应蛋白", "c反应蛋白", "C反应蛋白"),
    "pct": ("procalcitonin", "pct", "降钙素原"),
    "esr": ("esr", "sed rate", "erythrocyte sedimentation rate", "血沉", "红细胞沉降率"),
    "creatinine": ("creatinine", "serum creatinine", "cr", "scr", "血肌酐", "肌酐"),
    "bun": ("bun", "blood urea nitrogen", "urea nitrogen", "urea", "尿素氮", "尿素"),
    "egfr": ("egfr", "gfr", "estimated gfr", "肾小球滤过率"),
    "sodium": ("sodium", "na", "血钠", "钠"),
    "potassium": ("potassium", "血钾", "钾"),
    "chloride": ("chloride", "cl", "血氯", "氯"),
    "bicarbonate": ("bicarbonate", "co2", "hco3", "hco3-", "total co2", "碳酸氢根", "二氧化碳结合力"),
    "glucose": (
        "glucose",
        "blood glucose",
        "blood sugar",
        "fasting glucose",
        "fingerstick glucose",
        "随机血糖",
        "空腹血糖",
        "餐后血糖",
        "指尖血糖",
        "血糖",
        "葡萄糖",
    ),
    "hba1c": ("hba1c", "hemoglobin a1c", "haemoglobin a1c", "a1c", "glycated hemoglobin", "糖化血红蛋白"),
    "calcium": ("calcium", "ca", "血钙", "钙"),
    "magnesium": ("magnesium", "血镁", "镁"),
    "phosphorus": ("phosphorus", "phosphate", "phos", "血磷", "磷"),
    "alt": ("alt", "sgpt", "alanine aminotransferase", "谷丙转氨酶", "丙氨酸氨基转移酶"),
    "ast": ("ast", "sgot", "aspartate aminotransferase", "谷草转氨酶", "天门冬氨酸氨基转移酶"),
    "alp": ("alkaline phosphatase", "alk phos", "alp", "碱性磷酸酶"),
    "bilirubin": ("total bilirubin", "bilirubin", "tbili", "总胆红素", "胆红素"),
    "albumin": ("albumin", "alb", "白蛋白"),
    "protein": ("total protein", "总蛋白"),
    "inr": ("inr", "pt/inr", "国际标准化比值"),
    "pt": ("prothrombin time", "pt", "凝血酶原时间"),
    "ptt": ("ptt", "aptt", "partial thromboplastin time", "活化部分凝血活酶时间"),
    "d-dimer": ("d-dimer", "d dimer", "d-二聚体", "D-二聚体", "d二聚体"),
    "fibrinogen": ("fibrinogen", "纤维蛋白原"),
    "bnp": ("bnp", "b-type natriuretic peptide", "brain natriuretic peptide", "脑钠肽", "b型钠尿肽"),
    "nt-probnp": ("nt-probnp", "nt-pro-bnp", "n末端b型钠尿肽前体", "nt-probnp"),
    "troponin": (
        "troponin i",
        "troponin t",
        "high-sensitivity troponin i",
        "high sensitivity troponin",
        "hs-tni",
        "hs-tnt",
        "troponin",
        "tni",
        "tnt",
        "肌钙蛋白i",
        "肌钙蛋白t",
        "肌钙蛋白",
        "超敏肌钙蛋白",
    ),
    "ck": ("ck", "cpk", "creatine kinase", "ck-mb", "肌酸激酶同工酶", "肌酸激酶"),
    "ldh": ("ldh", "lactate dehydrogenase", "乳酸脱氢酶"),
    "lactate": ("lactate", "lactic acid", "乳酸"),
    "lipase": ("lipase", "脂肪酶"),
    "amylase": ("amylase", "淀粉酶"),
    "tsh": ("tsh", "thyroid stimulating hormone", "thyroid-stimulating hormone", "促甲状腺激素", "促甲状腺素"),
    "ft4": ("free t4", "ft4", "游离甲状腺素"),
    "cholesterol": ("total cholesterol", "cholesterol", "总胆固醇", "胆固醇"),
    "ldl": ("ldl", "ldl cholesterol", "ldl-c", "低密度脂蛋白胆固醇", "低密度脂蛋白"),
    "hdl": ("hdl", "hdl cholesterol", "hdl-c", "高密度脂蛋白胆固醇", "高密度脂蛋白"),
    "triglycerides": ("triglycerides", "triglyceride", "tg", "甘油三酯"),
    "uric acid": ("uric acid", "尿酸"),
    "ferritin": ("ferritin", "铁蛋白"),
    "iron": ("serum iron", "血清铁"),
    "b12": ("vitamin b12", "b12", "维生素b12"),
    "ph": ("ph",),
    "pao2": ("pao2", "po2", "动脉血氧分压", "氧分压"),
    "paco2": ("paco2", "pco2", "动脉血二氧化碳分压", "二氧化碳分压"),
    "lvef": ("lvef", "ef", "ejection fraction", "left ventricular ejection fraction", "左室射血分数", "射血分数"),
    "qtc": ("qtc", "qt interval", "qtc间期"),
    "qrs": ("qrs", "qrs duration"),
    "inr_target": ("inr goal",),
    "culture": ("blood culture", "blood cultures", "urine culture", "sputum culture", "culture", "血培养", "尿培养", "痰培养"),
}

VITAL_SYNONYMS: dict[str, tuple[str, ...]] = {
    "temperature": ("temperature", "temp", "tmax", "t max", "体温", "最高体温"),
    "heart_rate": ("heart rate", "pulse", "hr", "心率", "脉搏"),
    "resp_rate": ("respiratory rate", "respirations", "resp rate", "rr", "呼吸频率", "呼吸"),
    "bp": ("blood pressure", "bp", "血压", "sbp", "dbp", "systolic blood pressure", "diastolic blood pressure"),
    "spo2": (
        "spo2",
        "sao2",
        "o2 sat",
        "o2 saturation",
        "oxygen saturation",
        "saturation",
        "sat",
        "血氧饱和度",
        "指脉氧",
        "经皮血氧饱和度",
    ),
    "weight": ("weight", "body weight", "wt", "dry weight", "体重"),
    "height": ("height", "ht", "身高"),
    "bmi": ("bmi", "body mass index", "体质指数"),
}
# One-letter vital labels of Chinese and English exam lines ("T 38.6℃ P 102次/分 R 24次/分").
VITAL_LETTERS = {"T": "temperature", "P": "heart_rate", "R": "resp_rate"}


def _fold(name: str) -> str:
    return re.sub(r"[\s\-]+", " ", name.lower()).strip()


LAB_LOOKUP: dict[str, str] = {}
for _key, _names in {**LAB_SYNONYMS, **VITAL_SYNONYMS}.items():
    for _name in _names:
        LAB_LOOKUP.setdefault(_fold(_name), _key)
MAX_LAB_WORDS = max(len(k.split()) for k in LAB_LOOKUP if k.isascii())
ZH_LAB_NAMES = sorted((k for k in LAB_LOOKUP if not k.isascii()), key=len, reverse=True)
ZH_LAB_PATTERN = re.compile("|".join(re.escape(n) for n in ZH_LAB_NAMES), re.IGNORECASE)
# Short English labels that are ordinary words elsewhere: only a label right before a number.
AMBIGUOUS_LABELS = frozenset(
    {
        "ca",
        "na",
        "cl",
        "pt",
        "hr",
        "rr",
        "ef",
        "tg",
        "ph",
        "sat",
        "wt",
        "ht",
        "temp",
        "alb",
        "cr",
        "hb",
        "ck",
        "alp",
        "urea",
        "culture",
        "pulse",
        "weight",
        "height",
        "saturation",
    }
)


def lab_key(name: str) -> str | None:
    """The canonical key of a test or vital-sign name, or None when it is not known."""
    folded = _fold(re.sub(r"[（(].*?[)）]", "", name))
    if folded in LAB_LOOKUP:
        return LAB_LOOKUP[folded]
    match = ZH_LAB_PATTERN.search(name)
    if match:
        return LAB_LOOKUP[_fold(match.group())]
    words = folded.split()
    for size in range(min(MAX_LAB_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            key = LAB_LOOKUP.get(" ".join(words[start : start + size]))
            if key and (size > 1 or words[start] not in AMBIGUOUS_LABELS):
                return key
    return None


def lab_names(key: str) -> tuple[str, ...]:
    """Every spelling of one test, for looking it up in a draft."""
    return LAB_SYNONYMS.get(key) or VITAL_SYNONYMS.get(key) or (key,)
