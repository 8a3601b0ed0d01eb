"""Build the demo bakery's PDF document (``knowledge/demo/bakery/wholesale-price-list.pdf``).

A dev-only tool: the PDF is committed, so running the app never needs fpdf2. To rebuild it:

    . .venv/bin/activate && pip install fpdf2
    python scripts/build_demo_pdf.py

The source below is a small Markdown-like format: ``# `` is the title, ``## `` a section heading,
``- `` a bullet, ``| a | b | c |`` a table row (the first row of a table is its header), and any
other non-empty line a paragraph. Only Latin-1 characters are allowed (the PDF uses the built-in
Helvetica font, which keeps the file small and its text extractable).
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "knowledge" / "demo" / "bakery" / "wholesale-price-list.pdf"

SOURCE = """
# Crumb & Co. Bakery - Wholesale price list 2025/26
Prices valid from 1 September 2025 to 31 August 2026. Crumb & Co. Bakery, 14 Larch Street, Alder Green, London SE15. Wholesale enquiries: wholesale@crumbandco.example

## Who we supply
We bake for cafés, restaurants, delis and offices within 4 miles of the bakery. Everything is baked fresh the same morning it is delivered, with the same recipes and ingredients as in our shop.

## Bread
Prices per item, excluding VAT.
| Product | Unit | Price |
| Country sourdough | 800 g loaf | £3.40 |
| Seeded rye | 750 g loaf | £3.70 |
| White tin loaf (sliced on request) | 800 g loaf | £2.60 |
| Baguette | each | £1.40 |
| Brioche burger buns | pack of 6 | £3.90 |
| Focaccia tray | half gastronorm, 12 portions | £14.00 |

## Pastries and cakes
| Product | Unit | Price |
| Butter croissant | each | £1.20 |
| Pain au chocolat | each | £1.40 |
| Cinnamon bun | each | £1.60 |
| Banana bread | loaf, 10 slices | £9.50 |
| Chocolate brownie tray | 16 pieces | £22.00 |
| Vegan brownie tray | 16 pieces | £24.00 |

## Minimum order and delivery
- Minimum order: £80 per delivery, excluding VAT. Delivery is free for orders above the minimum.
- Deliveries Tuesday to Saturday, between 5:30 and 7:30 in the morning. No deliveries on Sunday or Monday.
- Order deadline: 12:00 noon the day before delivery. For Tuesday deliveries, order by 12:00 on Sunday.
- Standing orders can be changed or paused until 12:00 two days before the delivery.
- Orders travel in our reusable crates, collected on your next delivery. Crates that go missing are charged at £12 each.

## Invoicing and payment terms
- New accounts pay pro forma (by bank transfer before delivery) for the first 4 weeks.
- After that, we send one invoice every Monday covering the previous week's deliveries, payable by bank transfer within 14 days.
- If an invoice is more than 30 days overdue, deliveries are paused until the account is settled.
- Prices exclude VAT. Most bread and cakes are zero-rated; where VAT applies, it is shown on the invoice.

## Quality issues
Please check your delivery when it arrives. Report any shortage or quality problem by 10:00 on the day of delivery, with a photo, to wholesale@crumbandco.example. We credit the items on your next invoice.

## How to apply
- Email wholesale@crumbandco.example with your business name and address, a contact name and phone number, the products you're interested in, your estimated weekly volume and your preferred delivery days.
- We reply within 3 working days and send a free sample box so that you and your team can taste before committing.
- Every new account starts with a 2-week trial, with no commitment after it.
"""

INK = (45, 35, 30)
ACCENT = (150, 85, 40)


class PriceListPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(*INK)
        self.cell(0, 6, f"Crumb & Co. Bakery - wholesale price list - page {self.page_no()}", align="C")


def build(source: str, output: Path) -> None:
    pdf = PriceListPDF(format="A4")
    pdf.set_title("Crumb & Co. Bakery - Wholesale price list 2025/26")
    pdf.set_author("Crumb & Co. Bakery")
    pdf.set_creator("scripts/build_demo_pdf.py")
    pdf.set_creation_date(datetime(2025, 9, 1, tzinfo=timezone.utc))  # fixed: reproducible output
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    pdf.set_text_color(*INK)

    table_rows: list[list[str]] = []

    def flush_table() -> None:
        if not table_rows:
            return
        pdf.set_font("Helvetica", size=10)
        with pdf.table(
            col_widths=(50, 30, 20),
            text_align=("LEFT", "LEFT", "RIGHT"),
            headings_style=FontFace(emphasis="BOLD", fill_color=(240, 228, 214)),
            line_height=6.5,
        ) as table:
            for cells in table_rows:
                row = table.row()
                for cell in cells:
                    row.cell(cell)
        pdf.ln(3)
        table_rows.clear()

    for raw in source.strip().splitlines():
        line = raw.strip()
        if line.startswith("|"):
            table_rows.append([c.strip() for c in line.strip("|").split("|")])
            continue
        flush_table()
        if not line:
            continue
        if line.startswith("# "):
            pdf.set_font("Helvetica", style="B", size=17)
            pdf.set_text_color(*ACCENT)
            pdf.multi_cell(0, 9, line[2:], new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(*INK)
            pdf.ln(1)
        elif line.startswith("## "):
            pdf.ln(2)
            pdf.set_font("Helvetica", style="B", size=13)
            pdf.set_text_color(*ACCENT)
            pdf.multi_cell(0, 7, line[3:], new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(*INK)
            pdf.ln(1)
        elif line.startswith("- "):
            pdf.set_font("Helvetica", size=10)
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(0, 5.5, "- " + line[2:], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(0.8)
        else:
            pdf.set_font("Helvetica", size=10)
            pdf.multi_cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
    flush_table()

    output.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(output))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the PDF")
    args = parser.parse_args()
    build(SOURCE, args.output)
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
