"""JD, interview guide and proposal PDFs: content, names, caching, and safety by construction."""

import http.server
import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import lxml.html
import pytest
from pypdf import PdfReader

from documents import background
from documents import rendering as documents
from documents import worker as pdf_worker
from problems.models import Problem
from roles.models import ItemKind
from tests.problems.test_seed_fixture import DASHBOARD_CRITERIA

JD = "/plans/q1-2026/roles/senior-dashboard-engineer/jd.pdf"
PROPOSAL = "/plans/q1-2026/proposal.pdf"
GUIDE = "/plans/q1-2026/roles/senior-dashboard-engineer/interview.pdf"


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", text), len(reader.pages)


@pytest.fixture
def render_calls(monkeypatch):
    """Count WeasyPrint renders made through the app."""
    calls = []
    real = documents.render_pdf

    def counting(html):
        calls.append(len(html))
        return real(html)

    monkeypatch.setattr(documents, "render_pdf", counting)
    return calls


def test_jd_pdf_has_every_section_and_criterion(seed_pdf):
    response = seed_pdf(JD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == 'attachment; filename="senior-dashboard-engineer-jd.pdf"'
    )
    text, pages = response.text, response.page_count
    assert 3 <= pages <= 12
    for heading in [
        "Problems solved",
        "Problem this role solves",
        "Root cause",
        "Current state",
        "Why now",
        "Role summary",
        "Key distinction",
        "Tech stack",
        "Responsibilities",
        "Success criteria",
        "Must have",
        "Nice to have",
        "Mindset",
        "What they'll work on (first 30 days)",
        "Reports to",
        "Works with",
        "Stakeholders",
        "Dashboard Landscape",
        "Red flags (don't hire if...)",
        "Interview process",
        "Interview focus",
        "Compensation",
    ]:
        assert heading in text, heading
    for _, metric, target, how in DASHBOARD_CRITERIA:
        assert metric in text and target in text and how in text, target
    for fact in [
        "1. Ship Dashboard Features",
        "4. Work Across Teams",
        "Week 3-4",
        "If they can't ship code Day 1, wrong hire.",
        "Haroun (CTO)",
        "Kareem (PM)",
        "OPS/CS (dealer feedback)",
        "Business hours, routing rules, preferences",
        "Needs detailed specs",
        "Senior (L5 equivalent)",
        "To be filled based on market data",
        "Final (30 min) — Samee or Haroun",
        "Frontend architecture, code review, UI/UX sensibility",
    ]:
        assert fact in text, fact
    assert "Page 1 of" in text


def test_proposal_pdf_has_the_whole_plan(seed_pdf, plan):
    response = seed_pdf(PROPOSAL)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="q1-2026-hiring-proposal.pdf"'
    text, pages = response.text, response.page_count
    assert 8 <= pages <= 40
    assert (
        "Contents" in text
        and "After we hire all of these people, will our problems be solved?" in text
    )
    assert "Current answer: Not yet." in text
    for problem in Problem.objects.filter(plan=plan):
        assert problem.title in text, problem.title
    for role in plan.roles.all():
        assert role.title in text, role.title
        for criterion in role.criteria.filter(metric=""):
            assert criterion.target in text, criterion.target
    for resolution in plan.open_questions.filter(resolved=True).values_list(
        "resolution", flat=True
    ):
        assert resolution in text
    assert "Why no hire when we expect scale issues in 3-6 months?" in text
    assert "No hire in the plan solves it." in text  # a gap
    assert "Yousuf Algaburi for technical roles" in text
    assert "Define interview rubrics for each role" in text
    assert "Outbound is $1M ARR, 40 dealers, growing fast." in text
    assert "Page 3 of" in text and "Q1 2026 Hiring Proposal" in text


def test_guide_pdf(seed_pdf):
    response = seed_pdf(GUIDE)
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="senior-dashboard-engineer-interview-guide.pdf"'
    )
    text = response.text
    assert "Interview guide: Senior Dashboard Engineer" in text and "Questions per stage" in text
    assert "Kit not complete" in text and "7 must-haves not probed" in text


def test_second_request_is_served_from_cache_and_conditional_requests_get_304(
    recruiter_client, plan, render_calls
):
    first = recruiter_client.get(JD)
    assert first.status_code == 200 and len(render_calls) == 1
    second = recruiter_client.get(JD)
    assert second.status_code == 200 and second.content == first.content
    assert len(render_calls) == 1  # No WeasyPrint call the second time.
    etag = first["ETag"]
    assert first["Last-Modified"]
    not_modified = recruiter_client.get(JD, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert len(render_calls) == 1


def test_an_edit_changes_the_etag_and_the_pdf(recruiter_client, plan, render_calls):
    first = recruiter_client.get(JD)
    role = plan.roles.get(slug="senior-dashboard-engineer")
    item = role.items.filter(kind=ItemKind.RED_FLAG).first()
    item.text = "Refuses code review"
    item.save()
    second = recruiter_client.get(JD, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert len(render_calls) == 2
    assert "Refuses code review" in pdf_text(second.content)[0]


@pytest.mark.parametrize("url", [JD, PROPOSAL, GUIDE])
def test_only_exporters_get_pdfs(leader_client, manager_client, url, plan):
    # Leadership reviews the proposal, so it may download that one (issue #13).
    if url != PROPOSAL:
        assert leader_client.get(url).status_code == 403
    assert manager_client.get(url).status_code == 403


# --- Safe by construction ----------------------------------------------------------------


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_hostile_role_content_renders_without_fetching_anything(
    recruiter_client, plan, local_server
):
    role = plan.roles.get(slug="senior-dashboard-engineer")
    role.role_summary = (
        f'<img src="{local_server}/img"> ![x]({local_server}/md.png) '
        f'<link rel="stylesheet" href="{local_server}/css"> <style>@import url({local_server}/imp);</style> '
        '<iframe src="file:///etc/passwd"></iframe> [passwd](file:///etc/passwd)'
    )
    role.tech_stack = f"url({local_server}/css-url)"
    role.save()
    item = role.items.filter(kind=ItemKind.MUST_HAVE).first()
    item.text = f'<object data="file:///etc/passwd"></object> <img src="{local_server}/item">'
    item.save()
    response = recruiter_client.get(JD)
    assert response.status_code == 200
    text, _ = pdf_text(response.content)
    assert Recorder.hits == []
    assert "root:x:0:0" not in text
    assert "Role summary" in text


def test_fetcher_refuses_everything_but_our_static_files(local_server, tmp_path, caplog):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    html = f"""<html><head>
      <link rel="stylesheet" href="/static/css/print.css">
      <link rel="stylesheet" href="{local_server}/remote.css">
      <link rel="stylesheet" href="file://{secret}">
      <style>body {{ background: url({local_server}/bg.png); }} @import url("file:///etc/passwd");</style>
      </head><body><h1>Hello</h1>
      <img src="{local_server}/img.png"> <img src="https://example.com/x.png">
      <img src="ftp://example.com/x.png"> <img src="/static/../../../../etc/passwd">
      <object data="file://{secret}"></object><iframe src="file://{secret}"></iframe>
      <img src="data:image/png;base64,{"A" * 200_000}">
      </body></html>"""
    pdf, refused = pdf_worker.render(html, "/static/", documents.static_dirs(), 64 * 1024)
    assert pdf.startswith(b"%PDF")
    assert Recorder.hits == []
    text, _ = pdf_text(pdf)
    assert "Hello" in text and "TOP-SECRET" not in text
    assert any("remote.css" in url for url in refused)
    assert any(url.startswith("file://") for url in refused)
    assert any(url.startswith("https://example.com") for url in refused)
    assert any(url.startswith("data:") for url in refused)
    assert not any("print.css" in url for url in refused)


def test_the_app_logs_refused_urls(monkeypatch, caplog, settings):
    html = '<p>x</p><img src="http://127.0.0.1:9/never.png">'
    with caplog.at_level("WARNING", logger="hiringplan.pdf"):
        assert documents.render_pdf(html).startswith(b"%PDF")
    assert "refused to fetch http://127.0.0.1:9/never.png" in caplog.text


def test_huge_input_is_a_clear_error(recruiter_client, plan, settings):
    settings.PDF_MAX_HTML_BYTES = 2048
    response = recruiter_client.get(JD)
    assert response.status_code == 503
    assert "too large to export as a PDF" in response.text


def test_slow_render_is_stopped_with_a_clear_error(settings):
    settings.PDF_RENDER_TIMEOUT_SECONDS = 1
    rows = "".join(f"<tr><td>{i}</td><td>{'word ' * 40}</td></tr>" for i in range(20000))
    with pytest.raises(documents.DocumentError, match="took too long"):
        documents.render_pdf(f"<table>{rows}</table>")
    # The killed worker is replaced: the next render works.
    settings.PDF_RENDER_TIMEOUT_SECONDS = 60
    assert documents.render_pdf("<p>after</p>").startswith(b"%PDF")


def test_queue_mode_renders_off_the_request_path(recruiter_client, plan, settings, render_calls):
    from django_tasks import default_task_backend

    settings.PDF_MODE = "queue"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    first = recruiter_client.get(JD)
    assert first.status_code == 202
    assert "Preparing your PDF" in first.content.decode()
    # Reloads itself without JavaScript only; with htmx the export's status polls (and then
    # downloads it), so no page reloads under a screen reader (Lighthouse's meta-refresh).
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in first.content.decode()
    status = lxml.html.document_fromstring(first.content).xpath("//*[@data-hx-get=$u]", u=JD)
    assert [s.get("class") for s in status] == ["export-status preparing"]
    assert render_calls == []  # Nothing rendered in the request.
    again = recruiter_client.get(JD)
    assert again.status_code == 202
    queued = default_task_backend.results
    assert len(queued) == 1  # One render per document, however often the page refreshes.
    background.render_document_task.call(*queued[0].args)
    ready = recruiter_client.get(JD)
    assert ready.status_code == 200 and ready.content.startswith(b"%PDF")
    assert ready["Content-Disposition"] == 'attachment; filename="senior-dashboard-engineer-jd.pdf"'


KILLED_PARENT = """
import os, sys, time
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "hiringplan.test_settings"
django.setup()
from documents import rendering as documents
executor = documents._get_executor()
executor.submit(time.sleep, 120)  # a render that is still running when the parent dies
time.sleep(1.5)
print(" ".join(str(pid) for pid in executor._processes), flush=True)
time.sleep(120)
"""


def _children_of(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="Reads the process table from /proc.")
def test_the_renderer_and_its_helper_die_with_a_killed_web_worker():
    """SIGKILL the web process mid-render: no renderer or pool helper may outlive it."""
    parent = subprocess.Popen(
        [sys.executable, "-c", KILLED_PARENT],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        renderers = {int(pid) for pid in parent.stdout.readline().split()}
        assert renderers, "the pool started no renderer"
        helpers = _children_of(parent.pid) - renderers  # multiprocessing's resource tracker
        orphans = renderers | helpers
        assert all(_alive(pid) for pid in orphans)
    finally:
        parent.kill()
        parent.wait()
    for _ in range(100):  # the watch runs every half second; allow for a busy machine
        if not any(_alive(pid) for pid in orphans):
            break
        time.sleep(0.1)
    survivors = [pid for pid in orphans if _alive(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == []
