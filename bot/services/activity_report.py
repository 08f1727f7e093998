"""The activity report written out: PNG charts (matplotlib) and one HTML page that shows
them with the key figures, in the bot's language (French by default).

matplotlib is imported here, when a report is written, never by the running bot.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from babel.dates import format_skeleton

from bot.i18n import Period as DatePeriod
from bot.i18n import Translator, format_number
from bot.services.activity import Activity

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: the charts, in the page's order: (file name, i18n key of the title)
CHARTS = (
    ("cas-par-mois.png", "report.chart.cases"),
    ("themes.png", "report.chart.themes"),
    ("territoires.png", "report.chart.territories"),
    ("salons.png", "report.chart.room_kinds"),
    ("delais.png", "report.chart.delays"),
)
_BLUE, _GREEN = "#2f5d8a", "#4f9a6b"


def write_report(activity: Activity, out: Path, *, lang: str, centre: str) -> Path:
    """Write `rapport.html` and its charts into `out`; returns the page's path."""
    out.mkdir(parents=True, exist_ok=True)
    tr = Translator(lang)
    drawn = _draw_charts(activity, out, tr, lang)
    page = out / "rapport.html"
    page.write_text(_page(activity, tr, lang, centre, drawn), encoding="utf-8")
    return page


# -- charts -------------------------------------------------------------------------------


def _draw_charts(activity: Activity, out: Path, tr: Translator, lang: str) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    months = list(activity.cases_per_month)
    month_labels = [
        format_skeleton("MMMyyyy", date(int(m[:4]), int(m[5:]), 1), locale=lang) for m in months
    ]
    drawn: list[str] = []

    def save(name: str, figure: Figure) -> None:
        figure.savefig(out / name, dpi=110, bbox_inches="tight")
        plt.close(figure)
        drawn.append(name)

    fig, ax = plt.subplots(figsize=(8, 3.6))
    xs = range(len(months))
    ax.bar(
        [x - 0.2 for x in xs],
        list(activity.cases_per_month.values()),
        0.4,
        color=_BLUE,
        label=tr("report.legend.cases"),
    )
    ax.bar(
        [x + 0.2 for x in xs],
        list(activity.published_per_month.values()),
        0.4,
        color=_GREEN,
        label=tr("report.legend.published"),
    )
    ax.set_xticks(list(xs), month_labels, rotation=45, ha="right")
    ax.set_title(tr("report.chart.cases"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()
    save(CHARTS[0][0], fig)

    for (name, key), items in zip(
        CHARTS[1:3], (activity.themes, activity.territories), strict=True
    ):
        save(name, _barh(tr(key), items, tr("report.none")))
    kinds = [
        (tr(f"room_kind.{kind}") if kind else tr("report.kind_unset"), count)
        for kind, count in sorted(activity.room_kinds.items(), key=lambda kv: -kv[1])
    ]
    save(CHARTS[3][0], _barh(tr(CHARTS[3][1]), kinds, tr("report.none")))

    fig, ax = plt.subplots(figsize=(8, 3.2))
    if activity.days_to_publication:
        ax.hist(
            activity.days_to_publication,
            bins=min(20, len(activity.days_to_publication)),
            color=_GREEN,
        )
        ax.set_xlabel(tr("report.axis.days"))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        _empty(ax, tr("report.none"))
    ax.set_title(tr("report.chart.delays"))
    save(CHARTS[4][0], fig)
    return drawn


def _barh(title: str, items: Sequence[tuple[str, int]], empty: str) -> Figure:
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(8, 0.6 + 0.35 * max(3, len(items))))
    if items:
        ax.barh(
            [label for label, _ in items][::-1], [count for _, count in items][::-1], color=_BLUE
        )
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        _empty(ax, empty)
    ax.set_title(title)
    return fig


def _empty(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()


# -- page ---------------------------------------------------------------------------------


def _text(value: str) -> str:
    """Text between tags: `<`, `>`, `&` escaped; quotes read as written."""
    return html.escape(value, quote=False)


def _page(activity: Activity, tr: Translator, lang: str, centre: str, charts: list[str]) -> str:
    period = activity.period
    when = tr("report.period", period=DatePeriod(period.start, period.end))
    title = tr("report.title", centre=centre) if centre else tr("report.title_plain")
    median = activity.median_days
    figures = [
        (tr("report.figure.cases"), activity.cases),
        (tr("report.figure.fiches"), activity.fiches),
        (tr("report.figure.publications"), activity.publications),
        (tr("report.figure.annotations"), activity.annotations),
        (tr("report.figure.directory"), activity.directory),
    ]
    rows = "\n".join(
        f'<tr><th scope="row">{_text(label)}</th><td>{format_number(lang, value)}</td></tr>'
        for label, value in figures
    )
    delay = (
        tr("report.figure.median", days=format_number(lang, round(median, 1)))
        if median is not None
        else tr("report.figure.no_median")
    )
    titles = dict(CHARTS)
    images = "\n".join(  # each chart carries its own title: the alt text says it again
        f'<figure><img src="{name}" alt="{html.escape(tr(titles[name]))}"></figure>'
        for name in charts
    )
    return _TEMPLATE.format(
        lang=lang,
        title=_text(title),
        when=_text(when),
        rows=rows,
        delay=_text(delay),
        images=images,
        count=len(charts),
        note=_text(tr("report.note")),
    )


_TEMPLATE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 60em;
       color: #222; }}
h1 {{ font-size: 1.6em; margin-bottom: 0.2em; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ padding: 0.3em 1em; border-bottom: 1px solid #ddd; text-align: left; }}
td {{ text-align: right; font-variant-numeric: tabular-nums; }}
figure {{ margin: 1.5em 0; }}
img {{ max-width: 100%; }}
.note {{ color: #555; font-size: 0.9em; }}
</style>
</head>
<body data-charts="{count}">
<h1>{title}</h1>
<p>{when}</p>
<table>
{rows}
</table>
<p>{delay}</p>
{images}
<p class="note">{note}</p>
<script>
// Marks the page once every chart is decoded (a headless browser's test reads it).
window.addEventListener("load", function () {{
  var ok = Array.prototype.filter.call(document.images, function (img) {{
    return img.complete && img.naturalWidth > 0;
  }});
  document.body.setAttribute("data-charts-loaded", String(ok.length));
}});
</script>
</body>
</html>
"""
