"""The report as one self-contained HTML file (Jinja2; inline SVG charts; no script, no external
resource) and the same HTML as PDF through WeasyPrint."""
from __future__ import annotations

from html import escape

from markupsafe import Markup  # with jinja2 (the report extra): import this module after require()

from .. import __version__
from . import charts
from .model import Figure, Mark, Report, Sentence

from .extra import INSTALL_HINT, require  # noqa: F401 - re-exported


# -- figures as HTML: the value and its cell travel with the number -------------------------------

def _value_attr(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def figure_html(f: Figure) -> Markup:
    attrs = {"class": "fig" + ("" if f.has_data else " nodata"), "data-kind": f.kind,
             "data-value": _value_attr(f.value if f.has_data else None), "title": f.tooltip()}
    if f.ref:
        attrs["data-ref"] = f.ref
    if f.derived:
        attrs["data-op"] = f.derived.op
        attrs["data-refs"] = "|".join(r for r in f.derived.refs if r)
        attrs["data-formula"] = f.derived.formula
    text = "".join(f'{k}="{escape(v, quote=True)}" ' for k, v in attrs.items()).strip()
    return Markup(f"<span {text}>{escape(f.text)}</span>")


def cell_html(cell: object) -> Markup:
    if isinstance(cell, Figure):
        return figure_html(cell)
    if isinstance(cell, Mark):
        return Markup(f'<span class="{escape(cell.css)}">{escape(cell.text)}</span>')
    if isinstance(cell, list):
        return Markup("").join(cell_html(part) for part in cell)
    return Markup(escape("" if cell is None else str(cell)).replace("\n", "<br>"))


def sentence_html(sentence: Sentence) -> Markup:
    return cell_html(sentence.parts)


def align(cell: object) -> str:
    first = cell[0] if isinstance(cell, list) and cell else cell
    return "num" if isinstance(first, Figure) and first.kind != "text" else ""


# -- charts from the tables ---------------------------------------------------------------------

def add_charts(report: Report) -> None:
    """Draw each section's charts from the figures of its tables (the same data, twice)."""
    brand = report.brand
    sections = {s.id: s for s in report.sections}
    tables = {t.id: t for t in report.tables()}
    kpis = [(c.name, c.changes["previous"][1] if c.changes["previous"][1].has_data else c.changes["previous"][1],
             c.changes["previous"][2]) for c in report.scorecards if c.better]
    sections["kpis"].charts.append(charts.kpi_changes(kpis, "kpis"))
    stack = [(row[0], row[1], row[2]) for row in tables["cost-stack"].rows[:-1]]
    sections["money"].charts.append(charts.cost_stack(stack, brand.primary, "cost-stack"))
    roi_rows = tables["channel-roi"].rows[:-1]
    if roi_rows:
        sections["channels"].charts.append(charts.channel_roi([(row[0], row[4]) for row in roi_rows], brand.primary,
                                                              "channel-roi"))
        sections["channels"].charts.append(charts.investment_and_return([(row[0], row[1], row[2]) for row in roi_rows],
                                                                        brand.primary, brand.accent, "channel-roi"))
    op = tables["organic-paid"]
    metric = _return_metric(op.columns)
    by_channel: dict[str, list] = {}
    for row in op.rows[:-3]:
        entry = by_channel.setdefault(row[0].text, [row[0], Figure(0.0, "count"), Figure(0.0, "count")])
        entry[1 if row[1] == "Organic" else 2] = row[op.columns.index(metric)]
    if by_channel:
        sections["channels"].charts.append(charts.organic_and_paid(metric, [tuple(v) for v in by_channel.values()],
                                                                   brand.primary, brand.accent, "organic-paid"))
    goals = [row for row in tables["goals"].rows if isinstance(row[0], list)]
    if goals:
        sections["goals"].charts.append(charts.goal_progress([(row[0][0], row[3], row[9]) for row in goals], brand.primary,
                                                             "goals"))


def _return_metric(columns: list[str]) -> str:
    return "Leads" if "Leads" in columns else columns[-1]


# -- HTML and PDF -----------------------------------------------------------------------------------

def environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("xlroi.report", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(fig=figure_html, cell=cell_html, sentence=sentence_html, align=align)
    return env


def period_text(report: Report) -> str:
    start, end, _ = report.period
    return f"{start.text} – {end.text}"


def render_html(report: Report) -> str:
    env = environment()
    brand = report.brand
    footer = " · ".join(x for x in (brand.client, report.campaign.text if report.campaign.has_data else "",
                                     period_text(report)) if x)
    css = env.get_template("report.css.j2").render(brand=brand, footer=footer)
    engine = {"fast": "the fast engine (IronCalc)", "formulas": "the reference engine (formulas)"}.get(report.engine, report.engine)
    engine_text = (f"xlroi {__version__}, {engine}" if brand.credit else engine) + \
        f"; {report.formula_cells} formula cells"
    from .provenance import provenance_map

    return env.get_template("report.html.j2").render(
        report=report, brand=brand, css=Markup(css), period_text=period_text(report), engine_text=engine_text,
        provenance=provenance_map(report),
        generator=f"xlroi {__version__}" if brand.credit else "")


def _data_only_fetcher():
    """WeasyPrint's URL fetcher for our self-contained HTML: data: URLs only (the logo), never a
    file or the network. WeasyPrint 70 takes a ``URLFetcher`` object; earlier versions a function."""
    import weasyprint.urls as urls

    if hasattr(urls, "URLFetcher"):
        return urls.URLFetcher(allowed_protocols={"data"})

    def fetch(url: str, *args, **kwargs):
        if not url.startswith("data:"):
            raise ValueError(f"the report loads no external resource ({url[:60]})")
        return urls.default_url_fetcher(url, *args, **kwargs)

    return fetch


def render_pdf(html: str) -> bytes:
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, url_fetcher=_data_only_fetcher(), base_url=None)
    return document.write_pdf(pdf_tags=True)


def index_html(reports: list[Report], names: list[str], brand) -> str:
    """The folder's index: one row per workbook, its headline figures and a link to its report."""
    env = environment()
    footer = " · ".join(x for x in (brand.client, f"{len(reports)} reports") if x)
    css = env.get_template("report.css.j2").render(brand=brand, footer=footer)
    return env.get_template("index.html.j2").render(rows=list(zip(reports, names)), brand=brand, css=Markup(css),
                                                   generator=f"xlroi {__version__}" if brand.credit else "")
