"""The campaign-log workload W(n): n rows of social-media activity, each costed and valued with
the four functions, and a summary sheet of SUMIFS per channel with ROI.

``build(path, n, form="functions")`` writes it with openpyxl (no cached values, like a workbook
fresh from a generator: one formula per cell); ``shared=True`` lays each filled-down column out
as Excel saves it, one shared formula (``<f t="shared" ref="K2:K50001" si="0">``) whose other
cells point at it. The same rows come in three forms:

* ``functions`` — ``=HR_COST(B2,C2)``, ``=ROI(M2,N2)``, …: what xlroi recalculates;
* ``portable``  — every call replaced by its plain-formula equivalent from the registry (the
  long formulas ``xlroi portable`` writes: same coercion and error rules, for LibreOffice);
* ``plain``     — the simplest formulas a user without xlroi would type (``=B2*C2``,
  ``=(M2-N2)/N2``): no coercion or error rules, the baseline LibreOffice is compared on.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xlroi.functions import FUNCTIONS  # noqa: E402

FORMS = ("functions", "portable", "plain")
CHANNELS = ["LinkedIn", "Instagram", "Facebook", "X", "YouTube"]
HEADER = ["Channel", "Hourly rate", "Hours", "Tool cost", "Share used", "Share total", "Ad spend",
          "Actions", "Conversion rate", "Value per conversion",
          "HR cost", "Tool share", "Goal value", "Total cost", "ROI"]
_CALL = re.compile(r"\b(ROI|HR_COST|GOAL_VALUE|PRORATE)\(([^()]*)\)")
# What a user would write for each function without its rules (no coercion, no error checks).
_PLAIN = {
    "HR_COST": "{0}*{1}",
    "PRORATE": "{0}*{1}/{2}",
    "GOAL_VALUE": "{0}*{1}*{2}",
    "ROI": "({0}-{1})/{1}",
}


def _portable(formula: str) -> str:
    """Replace the (non-nested, simple-argument) calls the workload uses by plain formulas."""
    def replace(m: re.Match) -> str:
        return "(" + FUNCTIONS[m.group(1)].inline_formula(m.group(2).split(",")) + ")"

    return _CALL.sub(replace, formula)


def _plain(formula: str) -> str:
    """Replace each call by the bare arithmetic (``=ROI(M2,N2)`` → ``=(M2-N2)/N2``)."""
    def replace(m: re.Match) -> str:
        text = _PLAIN[m.group(1)].format(*m.group(2).split(","))
        return text if m.start() == 1 and m.end() == len(formula) else f"({text})"

    return _CALL.sub(replace, formula)


CONVERT = {"functions": lambda f: f, "portable": _portable, "plain": _plain}


def row_formulas(r: int) -> list[str]:
    return [
        f"=HR_COST(B{r},C{r})",
        f"=PRORATE(D{r},E{r},F{r})",
        f"=GOAL_VALUE(H{r},I{r},J{r})",
        f"=SUM(K{r}:L{r})+G{r}",
        f"=ROI(M{r},N{r})",
    ]


def build(path: Path, n: int, form: str = "functions", shared: bool = False) -> Path:
    import openpyxl

    convert = CONVERT[form]
    wb = openpyxl.Workbook(write_only=True)
    log = wb.create_sheet("Log")
    log.append(HEADER)
    for i in range(n):
        r = i + 2
        inputs = [CHANNELS[i % 5], 40 + i % 30, 1 + i % 12, 1200 + 10 * (i % 7), 0.25, 1,
                  100 + 3 * (i % 50), 200 + i % 400, 0.02 + (i % 10) / 100, 150]
        log.append(inputs + [convert(f) for f in row_formulas(r)])
    summary = wb.create_sheet("Summary")
    summary.append(["Channel", "Cost", "Value", "ROI"])
    last = n + 1
    for k, channel in enumerate(CHANNELS, start=2):
        summary.append([channel, f"=SUMIFS(Log!$N$2:$N${last},Log!$A$2:$A${last},A{k})",
                        f"=SUMIFS(Log!$M$2:$M${last},Log!$A$2:$A${last},A{k})", convert(f"=ROI(C{k},B{k})")])
    summary.append(["Total", "=SUM(B2:B6)", "=SUM(C2:C6)", convert("=ROI(C7,B7)")])
    wb.save(path)
    return as_excel_lays_it_out(path) if shared else path


def as_excel_lays_it_out(path: Path) -> Path:
    """The workbook's filled-down formulas as shared formulas, the layout Excel saves them in."""
    import zipfile

    from xlroi.xlsx.shared_formulas import share_formulas

    with zipfile.ZipFile(path) as archive:
        parts = {info: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            archive.writestr(info, (share_formulas(data) if info.filename.startswith("xl/worksheets/") else None) or data)
    return path


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3].lstrip("-") not in FORMS):
        sys.exit(f"usage: python {sys.argv[0]} OUT.xlsx ROWS [--{'|--'.join(FORMS)}]")
    build(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3].lstrip("-") if len(sys.argv) == 4 else "functions")
