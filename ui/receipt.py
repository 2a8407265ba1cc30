"""The resident's PDF receipt: reference, access code and answers, as plain text.

Resident text goes in with ``multi_cell`` and ``markdown=False``: nothing they typed is read as
markup. DejaVu Sans covers accents and most scripts; without it the core font is used and
characters it lacks are replaced. The receipt is written in the resident's interface language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from fpdf import FPDF

from ui.i18n import _, show_date

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


class _Receipt(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.set_compression(False)  # small file; text stays searchable by simple tools
        self.unicode = FONT.exists() and FONT_BOLD.exists()
        if self.unicode:
            self.add_font("Body", "", str(FONT))
            self.add_font("Body", "B", str(FONT_BOLD))
        self.set_auto_page_break(True, margin=15)

    def font(self, size: int, bold: bool = False) -> None:
        self.set_font("Body" if self.unicode else "Helvetica", "B" if bold else "", size)

    def clean(self, value: str) -> str:
        return value if self.unicode else value.encode("latin-1", "replace").decode("latin-1")

    def line(self, value: str, size: int = 11, bold: bool = False, gap: float = 1.5) -> None:  # type: ignore[override]
        self.font(size, bold)
        self.multi_cell(0, size * 0.5, self.clean(value), markdown=False, new_x="LMARGIN", new_y="NEXT")
        self.ln(gap)


def receipt_pdf(*, form_title: str, reference: str, access_code: str | None, submitted_at: datetime,
                answers: Sequence[dict[str, str]], confirmation: str = "", tracking_url: str = "") -> bytes:
    """A printable receipt; ``answers`` are the (Question, Answer) rows of ui.answers.answer_rows."""
    pdf = _Receipt()
    pdf.add_page()
    pdf.line(_("Receipt of your request"), 18, bold=True, gap=3)
    pdf.line(form_title, 13, bold=True)
    pdf.line(_("Reference: {reference}").format(reference=reference), 12, bold=True)
    if access_code:
        pdf.line(_("Access code: {code}  (keep it private; with the reference it opens your request)").format(
            code=access_code))
    pdf.line(_("Submitted: {when} UTC").format(when=show_date(submitted_at)))
    if tracking_url:
        pdf.line(_("Follow your request: {address}").format(address=tracking_url))
    if confirmation:
        pdf.line(confirmation, gap=4)
    pdf.line(_("Your answers"), 13, bold=True)
    if not answers:
        pdf.line(_("No answers."))
    for row in answers:
        pdf.line(row.get("Question", ""), 10, bold=True, gap=0.5)
        pdf.line(row.get("Answer", "") or "-", 11, gap=2.5)
    return bytes(pdf.output())
