"""Write briefing-template.docx from briefing-template.txt (run again after editing the text template).

    .venv/bin/python data/templates/build_docx_template.py

The Word template holds the same lines: the title as a heading, each field
as a paragraph whose heading is bold, the key features as a bulleted list.
"""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document

HERE = Path(__file__).resolve().parent


def build(text_template: Path, target: Path) -> None:
    lines = [line.strip() for line in text_template.read_text(encoding="utf-8").splitlines() if line.strip()]
    document = Document()
    document.core_properties.title = "Policy briefing template"
    document.add_heading(lines[0], level=1)
    for line in lines[1:]:
        if line.startswith("•"):
            document.add_paragraph(line.lstrip("• "), style="List Bullet")
            continue
        paragraph = document.add_paragraph()
        heading = re.match(r"^([A-Z][A-Za-z /]+):(.*)$", line)
        if heading:
            paragraph.add_run(heading.group(1) + ":").bold = True
            paragraph.add_run(heading.group(2))
        else:
            paragraph.add_run(line)
    document.save(str(target))


if __name__ == "__main__":
    build(HERE / "briefing-template.txt", HERE / "briefing-template.docx")
    print(f"wrote {HERE / 'briefing-template.docx'}")
