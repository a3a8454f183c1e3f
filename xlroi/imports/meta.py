"""Meta Ads Manager exports (Facebook, Instagram, Messenger, Audience Network), CSV or XLSX.

Layout: one header row; the columns the user chose, in their order; money headers carry the
currency (``Amount spent (USD)``) and a ``Currency`` column may be there too; dates in
``Reporting starts`` / ``Reporting ends`` (ISO), or a ``Day`` column with a day breakdown; UTF-8,
maybe with a BOM; headers in the UI's language (``Montant dépensé (EUR)``). With "include
summary row", the first row has a blank campaign name and the totals: never counted.

Facebook vs Instagram comes only from a ``Platform`` breakdown column; without one the reader
asks (``--channel``) rather than guess.
"""
from __future__ import annotations

from ..errors import ExportConflict
from .base import Reader, Vocabulary, empty_row, no_dates, norm
from .rows import CONVERSIONS, ExportRow, LeftOut, ParsedExport, Span
from .sniff import Table

PLATFORM = "Meta"

VOCABULARY = Vocabulary(
    fields={
        "campaign": ("Campaign name",),
        "adset": ("Ad set name",),
        "ad": ("Ad name",),
        "account": ("Account name",),
        "day": ("Day",),
        "start": ("Reporting starts",),
        "end": ("Reporting ends",),
        "spend": ("Amount spent",),
        "currency": ("Currency",),
        "platform": ("Platform",),
        "Reach": ("Reach",),
        "Impressions": ("Impressions",),
        "Clicks": ("Link clicks",),
        "Engagements": ("Post engagement", "Post engagements"),
        "Leads": ("Leads", "On-Facebook leads", "Website leads", "Meta leads"),
        "results": ("Results",),
        "result_type": ("Result type", "Result indicator"),
    },
    translations={
        "campaign": ("Nom de la campagne", "Kampagnenname", "Nombre de la campaña", "Nome da campanha"),
        "adset": ("Nom de l'ensemble de publicités", "Name der Anzeigengruppe", "Nombre del conjunto de anuncios"),
        "ad": ("Nom de la publicité", "Anzeigenname", "Nombre del anuncio", "Nome do anúncio"),
        "account": ("Nom du compte", "Kontoname", "Nombre de la cuenta", "Nome da conta"),
        "day": ("Jour", "Tag", "Día", "Dia"),
        "start": ("Début des rapports", "Berichtsbeginn", "Inicio del informe", "Início dos relatórios"),
        "end": ("Fin des rapports", "Berichtsende", "Fin del informe", "Término dos relatórios"),
        "spend": ("Montant dépensé", "Budget dépensé", "Ausgegebener Betrag", "Importe gastado", "Valor usado",
                  "Valor gasto"),
        "currency": ("Devise", "Währung", "Divisa", "Moeda"),
        "platform": ("Plateforme", "Plattform", "Plataforma"),
        "Reach": ("Couverture", "Reichweite", "Alcance"),
        "Impressions": ("Impressionen", "Impresiones", "Impressões"),
        "Clicks": ("Clics sur un lien", "Link-Klicks", "Clics en el enlace", "Cliques no link"),
        "Engagements": ("Interactions avec la publication", "Beitragsinteraktionen", "Interacciones con la publicación"),
        "results": ("Résultats", "Ergebnisse", "Resultados"),
        "result_type": ("Type de résultat", "Indicateur de résultat", "Ergebnistyp", "Tipo de resultado",
                        "Indicador de resultado"),
    },
    required=("spend",),
    markers=("start", "end", "day", "platform", "result_type", "adset", "Clicks", "results"),
)

METRICS = ("Reach", "Impressions", "Clicks", "Engagements", "Leads")
# Meta's Platform breakdown values, as the export writes them (case and _ vary)
PLATFORM_CHANNELS = {"facebook": "Facebook", "instagram": "Instagram", "messenger": "Messenger",
                     "audience network": "Audience Network", "threads": "Threads", "whatsapp": "WhatsApp"}


LEAD_WORDS = ("lead", "prospect", "interessent", "cliente potencial", "contacto")


def score(header: list[str]) -> int:
    return VOCABULARY.score(header)


def read(table: Table, channel: str | None = None) -> ParsedExport:
    r = Reader(table, VOCABULARY, PLATFORM, date_order="MDY")
    parsed = r.new_export()
    if not r.has("platform") and not channel:
        raise ExportConflict(f"{table.path}: a Meta export without a Platform column: say which channel its spend is "
                             "with --channel Facebook or --channel Instagram (or export it with the Platform breakdown)")
    if not (r.has("day") or (r.has("start") and r.has("end"))):
        raise no_dates(table.path)
    names = [n for n in ("campaign", "adset", "ad") if r.has(n)]
    for line, cells in table.records:
        if empty_row(cells):
            continue
        if names and not any(r.text(cells, n) for n in names):
            r.leave_out_totals(cells, line, parsed, "summary row (blank campaign name): Meta's totals")
            continue
        span = _span(r, cells)
        if span is None:
            parsed.left_out.append(LeftOut(line, "no reporting date"))
            continue
        ok, spend = r.spend(cells, line, parsed)
        if not ok:
            continue
        metrics = r.metrics(cells, METRICS + ("results",), line, parsed)
        _results_to_metric(r, cells, metrics, parsed)
        row_channel = _channel(r.text(cells, "platform")) if r.has("platform") else channel
        parsed.rows.append(ExportRow(line, PLATFORM, row_channel or "", r.text(cells, "campaign") or "Meta ads",
                                     span, spend, r.currency(cells), metrics=metrics, account=r.text(cells, "account")))
    if not r.has("platform"):
        parsed.notes.append(f"no Platform column: all spend counted as {channel} (--channel)")
    return parsed


def _span(r: Reader, cells: list[object]) -> Span | None:
    if r.has("day"):
        day = r.date(cells, "day")
        if day is not None:
            return Span.day(day)
    start, end = (r.date(cells, "start"), r.date(cells, "end")) if r.has("start") else (None, None)
    if start is not None and end is not None and start <= end:
        return Span(start, end)
    return None


def _results_to_metric(r: Reader, cells: list[object], metrics: dict, parsed: ParsedExport) -> None:
    """``Results`` count what the campaign optimised for; ``Result type`` / ``Result indicator``
    says what (``Leads``, ``actions:lead``, ``On-Facebook leads``): leads go to Leads, anything
    else is a generic conversion."""
    results = metrics.pop("results", None)
    if results is None:
        return
    kind = norm(r.text(cells, "result_type"))
    lead = any(word in kind for word in LEAD_WORDS)
    if lead and "Leads" not in r.cols:
        metrics["Leads"] = metrics.get("Leads", 0) + results
        parsed.metric_sources.setdefault("Leads", "Results (lead results)")
    elif not lead:
        metrics[CONVERSIONS] = results
        parsed.metric_sources.setdefault(CONVERSIONS, "Results")


def _channel(value: str) -> str:
    key = norm(value).replace("_", " ")
    return PLATFORM_CHANNELS.get(key, value.strip() or "Unknown platform")
