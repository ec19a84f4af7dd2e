"""Reading where a PDF puts its text, with pypdf: pages, text lines, sizes and extents.

WeasyPrint writes one text object per line box, so each ``Line`` is a line of
text as printed. Widths come from the embedded fonts' own glyph widths.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from pypdf import PdfReader
from pypdf.generic._font import Font

MM = 72 / 25.4  # points per millimetre
# print.css: @page margin 22mm (top) 16mm (sides) 20mm (bottom).
TOP, SIDE, BOTTOM = 22 * MM, 16 * MM, 20 * MM


@dataclass
class Line:
    text: str
    x0: float  # points from the left edge
    x1: float
    top: float  # points from the top edge (of the line's em box)
    bottom: float  # baseline, points from the top edge
    size: float  # font size in points


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    @property
    def body(self) -> list[Line]:
        """Lines inside the page area (not the running header or the page number)."""
        return [line for line in self.lines if TOP - 2 <= line.bottom <= self.height - BOTTOM + 2]

    @property
    def header(self) -> list[Line]:
        return [line for line in self.lines if line.bottom < TOP - 2]

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)

    @property
    def body_text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(line.text for line in self.body))

    @property
    def fullness(self) -> float:
        """How far down the page area its text reaches (0 empty, 1 full)."""
        body = self.body
        if not body:
            return 0.0
        area = self.height - TOP - BOTTOM
        return (max(line.bottom for line in body) - TOP) / area


class _Widths:
    """Glyph widths of one embedded font, looked up by the text pypdf decoded."""

    def __init__(self, font_dict):
        font = Font.from_font_resource(font_dict)
        to_code = {text: code for code, text in font.character_map.items()}
        self.widths = {
            text: font.character_widths.get(code, font.character_widths.get("default", 600))
            for text, code in to_code.items()
        }
        self.default = font.character_widths.get("default", 600)

    def em(self, text: str) -> float:
        return sum(self.widths.get(char, self.default) for char in text) / 1000


def _times(inner, outer) -> list[float]:
    """The PDF matrix product of inner and outer (each as [a, b, c, d, e, f])."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return [
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    ]


def read_pdf(content: bytes) -> list[Page]:
    reader = PdfReader(io.BytesIO(content))
    pages = []
    for number, pdf_page in enumerate(reader.pages, start=1):
        width, height = float(pdf_page.mediabox.width), float(pdf_page.mediabox.height)
        page = Page(number, width, height)
        fonts: dict[int, _Widths] = {}
        # pypdf reports text inside a form XObject (WeasyPrint draws an SVG as one)
        # relative to the form: remember the matrix in effect where each form is
        # drawn and apply it, or such text would be read at the wrong place.
        outer: list[list[float]] = []

        def before(operator, operands, cm, tm, outer=outer):
            if operator == b"Do":
                outer.append(_times(cm, outer[-1]) if outer else list(cm))

        def after(operator, operands, cm, tm, outer=outer):
            if operator == b"Do" and outer:
                outer.pop()

        def visit(
            text, cm, tm, font_dict, font_size, page=page, fonts=fonts, height=height, outer=outer
        ):
            text = text.rstrip("\n")
            if not text.strip() or font_dict is None:
                return
            if outer:
                cm = _times(cm, outer[-1])
            widths = fonts.setdefault(id(font_dict), _Widths(font_dict))
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            size = font_size * abs(tm[3] or tm[0]) * abs(cm[3] or cm[0])
            page.lines.append(
                Line(
                    text.strip(),
                    x,
                    x + widths.em(text) * size,
                    height - y - size,
                    height - y,
                    size,
                )
            )

        pdf_page.extract_text(
            visitor_text=visit, visitor_operand_before=before, visitor_operand_after=after
        )
        pages.append(page)
    return pages


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text)
