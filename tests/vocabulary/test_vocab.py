"""The drug and lab vocabularies in emrwriter/vocabulary: found, well-formed, free of
duplicates and conflicts, and a bad row added by hand is caught (by the same loader the
application uses, run on a copy of the folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emrwriter.vocabulary import VOCAB_DIR, VocabError, drug_names, drugs, lab_names
from emrwriter.vocabulary.drug_names import load_drug_vocabulary
from emrwriter.vocabulary.drugs import allergy_class, canonical_drug, find_drugs, in_allergy_class
from emrwriter.vocabulary.lab_names import lab_key, load_lab_vocabulary

DATA_FILES = ("drugs_en.csv", "drugs_zh.csv", "drug_morphology.toml", "allergy_classes.toml", "labs.csv", "lab_rules.toml")


def test_every_vocabulary_file_is_found_as_package_data():
    shipped = {entry.name for entry in VOCAB_DIR.iterdir()}
    assert set(DATA_FILES) <= shipped
    for name in DATA_FILES:
        text = (VOCAB_DIR / name).read_text(encoding="utf-8")
        assert text.strip(), name


def test_the_shipped_vocabulary_has_no_malformed_row_duplicate_or_conflict():
    # The loaders raise VocabError listing every problem; the modules call them at import.
    drug_vocabulary = load_drug_vocabulary()
    lab_vocabulary = load_lab_vocabulary()
    assert drug_vocabulary.en_brands == drug_names.EN_BRANDS
    assert lab_vocabulary.lab_synonyms == lab_names.LAB_SYNONYMS


def test_the_vocabulary_is_not_thin():
    assert len(drug_names.EN_GENERICS) > 300 and len(drug_names.EN_BRANDS) > 200
    assert len(drug_names.ZH_GENERICS) > 250 and len(drug_names.ALLERGY_CLASSES) > 10
    assert len(lab_names.LAB_LOOKUP) > 250 and set(lab_names.VITAL_LETTERS) == {"T", "P", "R"}


def test_the_loader_matches_english_names_as_drugs_py_does():
    names = [*drug_names.EN_GENERICS, *drug_names.EN_BRANDS, *drug_names.EN_PHRASES, *drug_names.ALLERGEN_ALIASES]
    assert all(drug_names._fold(name) == drugs._fold(name) for name in names)


@pytest.mark.parametrize(
    ("lab", "key"),
    [
        ("血钾", "potassium"),
        ("K", None),
        ("Potassium", "potassium"),
        ("WBC", "wbc"),
        ("白细胞计数（WBC）", "wbc"),
        ("hs-CRP", "crp"),
        ("C反应蛋白", "crp"),
        ("D-二聚体", "d-dimer"),
        ("NT-proBNP", "nt-probnp"),
        ("Heart rate", "heart_rate"),
        ("体温", "temperature"),
        ("dry weight", "weight"),
        ("random words", None),
    ],
)
def test_known_lab_names(lab, key):
    assert lab_key(lab) == key


def test_every_spelling_of_a_test_is_kept_for_the_draft_search():
    assert {"d-dimer", "d dimer", "d-二聚体", "d二聚体"} <= set(lab_names.lab_names("d-dimer"))
    assert lab_names.lab_names("bp")[0] == "blood pressure"
    assert lab_names.lab_names("unlisted") == ("unlisted",)


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Lasix", "furosemide"),
        ("furosemide 40 mg", "furosemide"),
        ("呋塞米片", "furosemide"),
        ("Toprol XL", "metoprolol"),
        ("Klor-Con", "potassium chloride"),
        ("klor con", "potassium chloride"),
        ("Zosyn", "piperacillin/tazobactam"),
        ("盐酸氨溴索片", "ambroxol"),
        ("头孢哌酮舒巴坦钠", "cefoperazone/sulbactam"),
        ("Vitamin D", "cholecalciferol"),
    ],
)
def test_known_drug_names(name, canonical):
    assert canonical_drug(name) == canonical


def test_stems_and_allergy_classes_come_from_the_files():
    assert [m.name for m in find_drugs("started pindolol and 帕珠沙星")] == ["pindolol", "帕珠沙星"]  # unlisted: by stem
    assert find_drugs("cholesterol 5.2") == []  # a stem exception
    assert allergy_class("Sulfa") == "sulfonamide" and allergy_class("青霉素类") == "penicillin"
    assert in_allergy_class("cefazolin", "cephalosporin")


# --- a bad row added by hand is caught -----------------------------------------------------


@pytest.fixture
def vocab_copy(tmp_path: Path) -> Path:
    """A copy of the shipped vocabulary folder, to spoil one row of."""
    for name in DATA_FILES:
        (tmp_path / name).write_text((VOCAB_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def _append(folder: Path, name: str, text: str) -> None:
    with (folder / name).open("a", encoding="utf-8") as file:
        file.write(text)


def _replace(folder: Path, name: str, old: str, new: str) -> None:
    text = (folder / name).read_text(encoding="utf-8")
    assert old in text
    (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unspoiled_copy_loads(vocab_copy):
    assert load_drug_vocabulary(vocab_copy) == load_drug_vocabulary()
    assert load_lab_vocabulary(vocab_copy) == load_lab_vocabulary()


@pytest.mark.parametrize(
    ("name", "row", "message"),
    [
        (
            "drugs_en.csv",
            "lasix,torsemide,brand\n",
            "conflict: drug name 'lasix' means 'torsemide' here but 'furosemide' on drugs_en.csv:",
        ),
        ("drugs_en.csv", "Solu Medrol,prednisone,brand\n", "write 'Solu Medrol' -> 'prednisone' in lower case"),
        ("drugs_en.csv", "solu medrol,prednisone,brand\n", "conflict: drug name 'solu medrol' means 'prednisone'"),
        ("drugs_en.csv", "lasix,furosemide,brand\n", "duplicate: drug name 'lasix' is already on drugs_en.csv:"),
        ("drugs_en.csv", "k-dur,potassium chloride,phrase\n", "duplicate: drug name 'k dur'"),
        ("drugs_en.csv", "lasix ,furosemide,brand\n", "spaces at either end: name 'lasix '"),
        ("drugs_en.csv", ",furosemide,brand\n", "empty or with spaces at either end: name ''"),
        ("drugs_en.csv", "lasix,furosemide\n", "2 fields, expected 3"),
        ("drugs_en.csv", "furosemid,furosemide,misspelling\n", "kind 'misspelling' is not one of generic, phrase, brand"),
        ("drugs_en.csv", "furosemide tablets,furosemide,generic\n", "a generic row is one word"),
        ("drugs_en.csv", "frusemide,frusemide,phrase\n", "a phrase has several words"),
        ("drugs_zh.csv", "呋塞米,torsemide\n", "conflict: drug name '呋塞米' means 'torsemide' here but 'furosemide'"),
        ("drugs_zh.csv", "呋塞米,furosemide\n", "duplicate: drug name '呋塞米'"),
        ("drugs_zh.csv", "furosemide,furosemide\n", "'furosemide' is not a Chinese name"),
        ("drugs_zh.csv", "速尿,Furosemide\n", "write the generic 'Furosemide' in lower case"),
        ("labs.csv", "sodium,lab,zh,血钾\n", "conflict: '血钾' means 'sodium' here but 'potassium' on labs.csv:"),
        ("labs.csv", "sodium,lab,en,K\n", "write 'sodium', 'K' in lower case"),
        ("labs.csv", "bp,lab,en,arterial pressure\n", "conflict: 'bp' is a lab here but a vital on labs.csv:"),
        ("labs.csv", "potassium,lab,zh,血钾\n", "duplicate: '血钾' is already listed for 'potassium'"),
        ("labs.csv", "potassium,lab,en,血清钾\n", "language 'en' does not fit '血清钾'"),
        ("labs.csv", "potassium,chemistry,en,serum k\n", "category 'chemistry' is not one of lab, vital"),
        ("labs.csv", "hba1c,lab,en,d--dimer\n", "conflict: 'd--dimer' means 'hba1c' here but 'd-dimer'"),
    ],
)
def test_a_bad_row_is_caught(vocab_copy, name, row, message):
    _append(vocab_copy, name, row)
    load = load_lab_vocabulary if name.startswith("lab") else load_drug_vocabulary
    with pytest.raises(VocabError) as caught:
        load(vocab_copy)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems
    assert f"{name}:" in str(caught.value)  # says which file (and line)


def test_a_spoiled_row_is_reported_with_its_line_number(vocab_copy):
    lines = (vocab_copy / "drugs_en.csv").read_text(encoding="utf-8").splitlines()
    _append(vocab_copy, "drugs_en.csv", "lasix,torsemide,brand\n")
    first = next(n for n, line in enumerate(lines, 1) if line.startswith("lasix,"))
    with pytest.raises(VocabError, match=rf"drugs_en.csv:{len(lines) + 1}: conflict: .* on drugs_en.csv:{first}$"):
        load_drug_vocabulary(vocab_copy)


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("drugs_en.csv", "name,generic,kind", "name,canonical,kind", "header is name,canonical,kind, expected name,generic,kind"),
        (
            "allergy_classes.toml",
            'aliases = ["macrolide",',
            'aliases = ["sulfa", "macrolide",',
            "conflict: allergy alias 'sulfa'",
        ),
        ("allergy_classes.toml", 'aliases = ["macrolide",', 'aliases = ["Macrolide", "macrolide",', "'Macrolide' is matched as"),
        ("allergy_classes.toml", "members = [", "member = [", "needs members = [...]"),
        ("drug_morphology.toml", 'stems = [\n    "olol",', 'stems = [\n    "olol", "olol",', "en.stems: 'olol' is listed twice"),
        ("drug_morphology.toml", '"olol",', '"-olol",', "'-olol' is not lower-case English letters"),
        ("drug_morphology.toml", '    "沙星",', '    "沙星", "",', "'' is empty"),
        ("drug_morphology.toml", "[zh]", "[zh\n", "drug_morphology.toml: "),
        ("lab_rules.toml", '"hb",', '"hb", "zz",', "ambiguous_labels: 'zz' is not a synonym in labs.csv"),
        ("lab_rules.toml", 'T = "temperature"', 'T = "temp"', "vital_letters: T = 'temp' is not"),
    ],
)
def test_a_bad_edit_is_caught(vocab_copy, name, old, new, message):
    _replace(vocab_copy, name, old, new)
    load = load_lab_vocabulary if name.startswith("lab") else load_drug_vocabulary
    with pytest.raises(VocabError) as caught:
        load(vocab_copy)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems


def test_another_spelling_of_a_test_is_kept(vocab_copy):
    # "thyroid-stimulating-hormone" is looked up as "thyroid stimulating hormone", already tsh: no conflict,
    # and the draft search (lab_names) gets one more spelling.
    _append(vocab_copy, "labs.csv", "tsh,lab,en,thyroid-stimulating-hormone\n")
    assert load_lab_vocabulary(vocab_copy).lab_synonyms["tsh"][-1] == "thyroid-stimulating-hormone"


def test_comment_and_blank_lines_are_skipped(vocab_copy):
    _append(vocab_copy, "labs.csv", "\n# a note for the next pharmacist\npotassium,lab,zh,血清钾\n")
    assert "血清钾" in load_lab_vocabulary(vocab_copy).lab_synonyms["potassium"]
