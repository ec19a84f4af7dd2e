"""PDF documents: render HTML with WeasyPrint in a time-bounded worker, cache the bytes.

A PDF is a pure function of its HTML, the print stylesheet and the templates,
and the HTML is a function of the plan's content. So the cache key is the
plan's revision (changed by every edit, see hiringplan.signals) plus a
fingerprint of the templates and stylesheet; the same key is the ETag, and a
matching If-None-Match gets a 304 without rendering anything.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from hiringplan import pdf_worker

logger = logging.getLogger("hiringplan.pdf")


class DocumentError(Exception):
    """The document could not be produced; the message is safe to show to the user."""


_executor: ProcessPoolExecutor | None = None
_executor_lock = threading.Lock()


def _get_executor() -> ProcessPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            # spawn, not fork: the web process has threads and open database
            # connections that a forked child must not inherit.
            _executor = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        return _executor


def _discard_executor(kill: bool) -> None:
    global _executor
    with _executor_lock:
        executor, _executor = _executor, None
    if executor is None:
        return
    if kill:
        for process in list(getattr(executor, "_processes", {}).values()):
            process.kill()
    executor.shutdown(wait=False, cancel_futures=True)


@lru_cache(maxsize=1)
def static_dirs() -> list[str]:
    """Folders the PDF may load static files from: ours, the apps', and collected files."""
    dirs = [str(path) for path in settings.STATICFILES_DIRS]
    for config in apps.get_app_configs():
        candidate = Path(config.path) / "static"
        if candidate.is_dir():
            dirs.append(str(candidate))
    if settings.STATIC_ROOT and Path(settings.STATIC_ROOT).is_dir():
        dirs.append(str(settings.STATIC_ROOT))
    return dirs


def render_pdf(html: str) -> bytes:
    """HTML to PDF bytes, refusing any URL but our static files, within the time bound."""
    if len(html.encode("utf-8")) > settings.PDF_MAX_HTML_BYTES:
        raise DocumentError(
            "This document is too large to export as a PDF. "
            "Shorten the longest sections and try again."
        )
    args = (html, settings.STATIC_URL, static_dirs(), settings.PDF_MAX_DATA_URL_BYTES)
    for attempt in (1, 2):
        future = _get_executor().submit(pdf_worker.render, *args)
        try:
            pdf, refused = future.result(timeout=settings.PDF_RENDER_TIMEOUT_SECONDS)
        except FutureTimeout:
            _discard_executor(kill=True)
            logger.error(
                "PDF render exceeded %ss; worker killed.", settings.PDF_RENDER_TIMEOUT_SECONDS
            )
            raise DocumentError(
                "Rendering this PDF took too long and was stopped. Try again later or shorten "
                "the document."
            ) from None
        except BrokenProcessPool:
            _discard_executor(kill=True)
            if attempt == 2:
                raise DocumentError("The PDF renderer stopped unexpectedly. Try again.") from None
            continue
        for url in refused:
            logger.warning("PDF render refused to fetch %s", url)
        return pdf
    raise AssertionError("unreachable")


def render_html_direct(html: str) -> bytes:
    """Render in this process without the worker or the cache (benchmarks' floor)."""
    pdf, _ = pdf_worker.render(
        html, settings.STATIC_URL, static_dirs(), settings.PDF_MAX_DATA_URL_BYTES
    )
    return pdf


DOCUMENT_TEMPLATES = (
    "documents/base.html",
    "documents/jd.html",
    "documents/proposal.html",
    "documents/guide.html",
    "roles/_jd_body.html",
)


@lru_cache(maxsize=1)
def layout_fingerprint() -> str:
    """Changes when the print stylesheet or document templates change (a deploy)."""
    digest = hashlib.sha256()
    for static_path in ("css/print.css",):
        for folder in static_dirs():
            candidate = Path(folder) / static_path
            if candidate.is_file():
                digest.update(candidate.read_bytes())
                break
    template_dir = Path(settings.BASE_DIR) / "templates"
    for name in DOCUMENT_TEMPLATES:
        path = template_dir / name
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def pdf_response(
    request,
    *,
    plan,
    document: str,
    filename: str,
    template: str,
    context: Callable[[], dict],
) -> HttpResponse:
    """Serve a cached PDF, a 304, or render one; ``context`` is only called to render."""
    # Today's date is part of the key: documents flag overdue next steps.
    today = timezone.localdate().isoformat()
    key = f"pdf:{document}:{plan.pk}:{plan.revision}:{today}:{layout_fingerprint()}"
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    last_modified = int(plan.updated_at.timestamp())
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified

    cache = caches["documents"]
    pdf = cache.get(key)
    if pdf is None:
        html = render_to_string(template, context(), request=request)
        try:
            pdf = render_pdf(html)
        except DocumentError as error:
            response = HttpResponse(
                render_to_string("documents/error.html", {"message": str(error)}, request=request),
                status=503,
            )
            response["Retry-After"] = "60"
            return response
        cache.set(key, pdf)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "private, no-cache"
    return response
