"""Write one benchmark's section into docs/performance.md between its markers."""

from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
HEADER = "# Performance\n\nFigures measured by `make bench` on the project's 2-core machine. Each section is rewritten by its benchmark.\n"


def write_section(name, text):
    """Replace the text between <!-- name:start --> and <!-- name:end -->, adding the markers if missing."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    doc = DOC.read_text() if DOC.exists() else HEADER
    if start in doc and end in doc:
        before, rest = doc.split(start, 1)
        after = rest.split(end, 1)[1]
        doc = f"{before}{start}\n{text}\n{end}{after}"
    else:
        doc = f"{doc.rstrip()}\n\n{start}\n{text}\n{end}\n"
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(doc)
