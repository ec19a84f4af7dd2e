"""Every document is a tagged PDF/UA-1 file, described in its info dictionary and XMP (#30).

Checked with pikepdf (the structure itself) and, where it installs, the `pdfua`
rule checker (PyPI), a tool nobody here wrote: 0 errors and 0 warnings.
"""

import io
import json
import subprocess
import sys

import pikepdf
import pytest

from problems.models import Plan

pytestmark = pytest.mark.django_db

PLAN = "/plans/q1-2026"
ROLE = f"{PLAN}/roles/senior-dashboard-engineer"
DOCUMENTS = {
    "proposal": f"{PLAN}/proposal.pdf",
    "jd": f"{ROLE}/jd.pdf",
    "posting": f"{ROLE}/posting.pdf",
    "guide": f"{ROLE}/interview.pdf",
    "kit": f"{ROLE}/interview-kits.pdf",
}
SUBJECTS = {
    "proposal": "Q1 2026 Hiring Proposal: the problems, the proposed hires",
    "jd": "Internal job description for Senior Dashboard Engineer",
    "posting": "Job posting: Senior Dashboard Engineer",
    "guide": "Interview guide for Senior Dashboard Engineer",
    "kit": "Interviewers' kits for Senior Dashboard Engineer",
}


def structure_elements(document: pikepdf.Pdf):
    """(element, its row group) for every structure element, depth first."""
    stack = [(document.Root.StructTreeRoot, None)]
    while stack:
        element, group = stack.pop()
        kind = element.get("/S")
        if kind in ("/THead", "/TBody", "/TFoot"):
            group = kind
        if kind is not None:
            yield element, group
        kids = element.get("/K")
        if isinstance(kids, pikepdf.Dictionary):
            kids = [kids]
        if isinstance(kids, pikepdf.Array):
            stack.extend((kid, group) for kid in kids if isinstance(kid, pikepdf.Dictionary))


def scope_of(header) -> str | None:
    attributes = header.get("/A")
    if isinstance(attributes, pikepdf.Dictionary):
        attributes = [attributes]
    for entry in attributes or []:
        if entry.get("/O") == pikepdf.Name.Table and "/Scope" in entry:
            return str(entry.Scope)
    return None


@pytest.mark.parametrize("kind", DOCUMENTS)
def test_every_document_is_tagged_and_described(seed_pdf, kind):
    response = seed_pdf(DOCUMENTS[kind])
    assert response.status_code == 200
    plan = Plan.objects.get(slug="q1-2026")
    with pikepdf.open(io.BytesIO(response.content)) as document:
        root = document.Root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == "en"
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert "/StructTreeRoot" in root
        kinds = {str(element.S) for element, _ in structure_elements(document)}
        assert {"/Document", "/H1", "/P"} <= kinds, kinds

        # Header cells say what they head: their column in a THead, else their row.
        headers = [
            (element, group)
            for element, group in structure_elements(document)
            if element.get("/S") == "/TH"
        ]
        if kind != "posting":
            assert headers, "every document but the posting has a table with header cells"
        for header, group in headers:
            assert scope_of(header) == ("/Column" if group == "/THead" else "/Row")

        info = document.docinfo
        author = "Q1 2026 Hiring Proposal" if kind == "posting" else plan.proposed_by
        assert plan.proposed_by and str(info.Author) == author
        assert str(info.Subject).startswith(SUBJECTS[kind])
        assert "Q1 2026" in str(info.Keywords)
        assert str(info.Title)
        assert str(info.CreationDate).startswith("D:") and str(info.ModDate).startswith("D:")

        with document.open_metadata() as xmp:
            assert xmp["pdfuaid:part"] == "1"
            assert xmp["dc:title"] == str(info.Title)
            assert list(xmp["dc:creator"]) == [author]
            assert xmp["dc:description"] == str(info.Subject)
            assert xmp["pdf:Keywords"] == str(info.Keywords)
            assert xmp["xmp:CreateDate"] and xmp["xmp:ModifyDate"]


def test_pdfua_checker_finds_nothing(seed_pdf, tmp_path):
    pytest.importorskip("pdfua")
    files = []
    for kind, url in DOCUMENTS.items():
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(seed_pdf(url).content)
        files.append(str(path))
    result = subprocess.run(
        [sys.executable, "-m", "pdfua", "check", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 1, 2, 3), result.stderr
    # One JSON report per file, one after another.
    reports, decoder, text = [], json.JSONDecoder(), result.stdout.strip()
    while text:
        report, end = decoder.raw_decode(text)
        reports.append(report)
        text = text[end:].strip()
    assert len(reports) == len(files)
    findings = [
        (report["file"], finding["rule_id"], finding["message"])
        for report in reports
        for finding in report["findings"]
    ]
    assert findings == []
    assert all(report["summary"]["errors"] == 0 for report in reports)
    assert result.returncode == 0
