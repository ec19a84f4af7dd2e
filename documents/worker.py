"""WeasyPrint rendering, run in a separate process so a render can be time-bounded and killed.

Imports nothing from Django: the worker process is spawned fresh and only
needs WeasyPrint, pikepdf and the list of folders static files may come from.

Every PDF is PDF/UA-1 (WeasyPrint's ``pdf/ua-1`` variant): a structure tree
built from the HTML, MarkInfo, the document language, the title shown in the
window, and XMP metadata from the page's <title> and <meta> tags. WeasyPrint
leaves table header cells without a /Scope; ``scope_table_headers`` gives
each one (a header in THead heads its column, any other its row).
"""

import base64
import io
import logging
import mimetypes
import os
import threading
import time
from pathlib import Path

import pikepdf
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Documents reference static files as {STATIC_BASE}<path>; the host cannot
# resolve (.invalid is reserved), so nothing here can reach a network.
STATIC_HOST = "https://hiringplan.invalid"

logger = logging.getLogger("hiringplan.pdf")


class StaticOnlyFetcher(URLFetcher):
    """Serve the app's own static files from disk; refuse every other URL."""

    def __init__(self, static_url: str, static_dirs: list[str], max_data_bytes: int):
        super().__init__(allowed_protocols=set(), fail_on_errors=False)
        self.static_prefix = STATIC_HOST + static_url
        self.static_dirs = [Path(d).resolve() for d in static_dirs]
        self.max_data_bytes = max_data_bytes
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith(self.static_prefix):
            relative = url[len(self.static_prefix) :].split("?", 1)[0].split("#", 1)[0]
            path = self._find(relative)
            if path is not None:
                mime, _ = mimetypes.guess_type(path.name)
                return URLFetcherResponse(
                    url, path.read_bytes(), {"Content-Type": mime or "application/octet-stream"}
                )
        elif url.startswith("data:") and len(url) <= self.max_data_bytes:
            return self._data_url(url)
        self.refused.append(url[:200])
        raise ValueError(
            f"Refused to fetch {url[:200]!r}: only the app's static files are allowed."
        )

    def _find(self, relative: str) -> Path | None:
        if not relative or "\x00" in relative:
            return None
        for root in self.static_dirs:
            candidate = (root / relative).resolve()
            # Stay inside the static folder whatever '..' or links the URL holds.
            if candidate.is_relative_to(root) and candidate.is_file():
                return candidate
        return None

    @staticmethod
    def _data_url(url: str) -> URLFetcherResponse:
        header, _, payload = url[5:].partition(",")
        mime = header.split(";")[0] or "text/plain"
        body = base64.b64decode(payload) if header.endswith(";base64") else payload.encode("utf-8")
        return URLFetcherResponse(url, body, {"Content-Type": mime})


def render(
    html: str, static_url: str, static_dirs: list[str], max_data_bytes: int, tagged: bool = True
):
    """Render ``html`` to PDF bytes; returns (pdf, refused URLs).

    ``tagged=False`` (benchmarks only) renders the untagged PDF the app made before #30.
    """
    fetcher = StaticOnlyFetcher(static_url, static_dirs, max_data_bytes)
    document = HTML(string=html, base_url=STATIC_HOST + "/", url_fetcher=fetcher)
    if not tagged:
        return document.write_pdf(), fetcher.refused
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    return scope_table_headers(pdf), fetcher.refused


PDF_VARIANT = "pdf/ua-1"


def scope_table_headers(pdf: bytes) -> bytes:
    """Give every /TH structure element a /Scope: /Column in a THead, /Row elsewhere."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root.get("/StructTreeRoot")
        if root is None:
            return pdf
        changed = 0
        # Depth-first over the structure tree, knowing each element's row group.
        stack = [(root, None)]
        while stack:
            element, group = stack.pop()
            kind = element.get("/S")
            if kind in ("/THead", "/TBody", "/TFoot"):
                group = kind
            elif kind == "/TH":
                attributes = element.get("/A")
                scope = pikepdf.Name.Column if group == "/THead" else pikepdf.Name.Row
                table = pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=scope)
                if isinstance(attributes, pikepdf.Dictionary):
                    if attributes.get("/O") == pikepdf.Name.Table:
                        # A copy: WeasyPrint could share one attribute object between cells.
                        table = pikepdf.Dictionary({**dict(attributes.items()), "/Scope": scope})
                        element.A = table
                    else:
                        element.A = pikepdf.Array([attributes, table])
                elif isinstance(attributes, pikepdf.Array):
                    element.A = pikepdf.Array([*attributes, table])
                else:
                    element.A = table
                changed += 1
            kids = element.get("/K")
            if isinstance(kids, pikepdf.Dictionary):
                kids = [kids]
            if isinstance(kids, pikepdf.Array):
                stack.extend(
                    (kid, group)
                    for kid in kids
                    if isinstance(kid, pikepdf.Dictionary) and "/S" in kid
                )
        if not changed:
            return pdf
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def die_with_parent(parent_pid: int, interval: float = 0.5) -> None:
    """Process-pool initializer: exit as soon as the web process that started us is gone.

    A killed gunicorn worker (timeout, OOM, deploy) cannot shut its pool down,
    and a renderer left behind keeps ~130 MB and the pool's helper process
    alive for as long as its render takes, or forever if it is idle. A daemon
    thread watches the parent: when it changes (we were re-parented), exit at
    once, whatever the main thread is doing.
    """

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(interval)
        os._exit(0)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
