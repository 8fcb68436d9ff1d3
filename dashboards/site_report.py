"""The site report: one printable PDF per site and year, as the Dutch Werkmonitor gives each organisation a quality
report beside the national average.

It reads only through the query functions, with the reader it is given, so a site reader can only get its own report
(the site-level queries refuse another site's figures) and a viewer none. The charts are the dashboard's own, drawn to
PNG by vl-convert (Altair's converter); the text is set in Liberation Sans, shipped in ``dashboards/fonts`` (SIL OFL
1.1), which has every character the figures use (å ä ö, the dash of a withheld cell, the narrow space in 1 234) and is
the font vl-convert draws the charts with.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import altair as alt
import polars as pl
from fpdf import FPDF

from dashboards import charts, queries
from dashboards.language import Language
from pipelines.access.roles import AccessDenied, Reader, Role
from pipelines.publishing.access import Snapshots
from pipelines.publishing.wide import SUPPRESSED

SV = Language.SV
FONTS = Path(__file__).parent / "fonts"
FONT = "Liberation Sans"
MARGIN = 18  # mm
DEFINED = (*queries.SITE_INDICATORS, "DIAG_SHARE", "COMPLETENESS")  # the indicators the report shows


def report_name(site_id: str, year: int) -> str:
    return f"{site_id}_{year}_rapport.pdf"


class _Document(FPDF):
    """A4 in Liberation Sans, with the report's name and the page number at the foot of every page."""

    def __init__(self, foot: str):
        super().__init__(format="A4")
        self.foot = foot
        self.set_margins(MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        self.add_font(FONT, "", FONTS / "LiberationSans-Regular.ttf")
        self.add_font(FONT, "B", FONTS / "LiberationSans-Bold.ttf")
        self.set_text_color(charts.TEXT)
        self.set_draw_color(charts.REFERENCE_LINE)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.cell(0, 5, f"{self.foot}   {self.page_no()} / {{nb}}", align="C")

    def text_block(self, text: str, size: float = 9.5, bold: bool = False, space: float = 1.5) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, text, align="LEFT", new_x="LMARGIN", new_y="NEXT")
        self.ln(space)

    def heading(self, text: str, room: float = 40) -> None:
        """A section's heading, on a new page when less than ``room`` mm would follow it on this one."""
        if self.get_y() + room > self.h - MARGIN:
            self.add_page()
        self.ln(3)
        self.text_block(text, size=12.5, bold=True, space=1)

    def table_of(self, frame: pl.DataFrame, widths: tuple[float, ...]) -> None:
        """A display table: the first column as text, the others (figures) to the right."""
        self.set_font(FONT, "", 9)
        with self.table(col_widths=widths, line_height=5, padding=(0.8, 1.5), borders_layout="HORIZONTAL_LINES") as table:
            for row in (frame.columns, *frame.iter_rows()):
                cells = table.row()
                for i, value in enumerate(row):
                    cells.cell(str(value), align="LEFT" if i == 0 else "RIGHT")
        self.ln(2)

    def chart(self, chart: alt.TopLevelMixin, description: str, width: float) -> None:
        """The chart as the dashboard draws it (Swedish number format), described in words for a screen reader."""
        image = io.BytesIO()
        chart.configure(locale=charts.SWEDISH_NUMBERS).save(image, format="png", scale_factor=2)
        self.image(image, x=MARGIN, w=width, alt_text=description)
        self.ln(2)


def site_report_pdf(snapshots: Snapshots, reader: Reader, site_id: str, year: int, language: Language = SV) -> bytes:
    """The site's report for the year: its own figures beside its county's and the nation's, its place in the funnel
    plot, its fidelity item profile, its diagnosis mix beside the nation's, the completeness of its return and the
    definitions used. Raises AccessDenied when the reader may not receive the site's own figures, LookupError when the
    site has no accepted return for the year."""
    say = language.say
    site = queries.site_identity(snapshots, reader, site_id, year)
    if site is None:
        raise LookupError(f"{site_id} has no accepted return for {year}")
    pdf = _Document(say(f"Verksamhetsrapport {year} · {site_id}", f"Site report {year} · {site_id}"))
    pdf.set_title(say(f"Verksamhetsrapport {year}: {site.name}", f"Site report {year}: {site.name}"))
    pdf.set_author(say("Nationell uppföljning av IPS", "National monitoring of IPS"))
    pdf.set_lang(str(language))
    pdf.add_page()

    pdf.text_block(say(f"Verksamhetsrapport {year}", f"Site report {year}"), size=20, bold=True, space=2)
    pdf.text_block(site.name, size=14, bold=True, space=1)  # the site's own words, as its return gives them
    pdf.text_block(f"{site_id} · {site.municipality} · {site.county}", size=10.5, space=3)
    date = queries.data_date(snapshots, reader, year)
    made = f"{dt.date.today():%Y-%m-%d}"
    source = say("Källa: Nationell uppföljning av IPS, årsrapporter från IPS-verksamheterna.",
                 "Source: National monitoring of IPS, the IPS sites' annual returns.")
    if date is not None:
        source += say(f" Uppgifterna för {year} vilar på {date.current_returns} godkända årsrapporter; den senaste kom in "
                      f"{date.newest_received}. Siffrorna publicerades {date.published_at} (UTC).",
                      f" The figures for {year} rest on {date.current_returns} accepted annual returns; the newest came in on "
                      f"{date.newest_received}. They were published on {date.published_at} (UTC).")
    pdf.text_block(say(f"Framställd {made}. ", f"Made on {made}. ") + source, size=9)
    pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())

    pdf.heading(say("Verksamheten, länet och riket", "The site, its county and the nation"))
    pdf.text_block(say(f"Verksamhetens egna siffror visas utan undertryckning; länets och rikets är skyddade som i all publicering: "
                       f"{SUPPRESSED} betyder att värdet är undertryckt, saknas att det inte finns något att redovisa.",
                       f"The site's own figures are shown unprotected; the county's and the nation's are protected as in everything "
                       f"published: {SUPPRESSED} means the value is withheld, none that there is nothing to report."), size=9)
    pdf.table_of(queries.site_figures(snapshots, reader, site_id, year, language=language), (80, 30, 30, 30))

    rate = queries.indicator_names(language)["EMP_COMP_RATE"]
    pdf.heading(say("Plats i trattdiagrammet", "Place in the funnel plot"), room=100)
    funnel = queries.funnel(snapshots, reader, year)
    own = queries.Funnel(funnel.points.filter(site_id=site_id), funnel.national_rate)
    pdf.chart(charts.funnel_chart(own, language).properties(width=420, height=230),
              say(f"Trattdiagram: verksamhetens {rate.lower()} mot antal deltagare, med rikets andel och kontrollgränser.",
                  f"Funnel plot: the site's {rate.lower()} against its participants, with the national rate and control limits."), 120)
    pdf.text_block(say("Verksamhetens andel i arbete mot antal deltagare, med rikets andel (orange) och 95 % och 99,8 % kontrollgränser "
                       "(streckat): innanför gränserna skiljer sig verksamheten inte från riket mer än slumpen förklarar.",
                       "The site's employment rate against its participants, with the national rate (orange) and 95 % and 99.8 % "
                       "control limits (dashed): inside the limits the site differs from the nation no more than chance explains."), size=9)

    pdf.heading(say("Programtrohet per item, mot riket", "Fidelity by item, against the nation"), room=150)
    profile = queries.site_fidelity_profile(snapshots, reader, site_id, year, language=language)
    if profile.is_empty():
        pdf.text_block(say("Ingen granskning av programtroheten under året.", "No fidelity review in the year."), size=9)
    else:
        pdf.chart(charts.fidelity_profile_chart(profile, language),
                  say("Punktdiagram: verksamhetens poäng för vart och ett av de 25 itemen, mot rikets medelvärde.",
                      "Dot plot: the site's score on each of the 25 items, against the national mean."), 174)

    pdf.heading(say("Diagnoser", "Diagnoses"), room=70)
    pdf.text_block(say("Deltagarna under året per diagnosgrupp (primär diagnos enligt hierarkin) och deras andel av verksamhetens "
                       f"deltagare, utan undertryckning, bredvid rikets andel, skyddad som i all publicering ({SUPPRESSED} undertryckt).",
                       "The participants in the year by diagnosis group (primary diagnosis by the hierarchy) and their share of the "
                       f"site's participants, unprotected, beside the nation's share, protected as in everything published "
                       f"({SUPPRESSED} withheld)."), size=9)
    pdf.table_of(queries.site_diagnosis(snapshots, reader, site_id, year, language=language), (68, 34, 34, 34))

    pdf.heading(say("Ifyllnadsgrad i verksamhetens rapport", "Completeness of the site's return"), room=60)
    pdf.text_block(say("Andel rader där det frivilliga fältet är ifyllt, med fältens namn som i rapportfilen; de obligatoriska fälten "
                       "är alltid ifyllda i en godkänd rapport.",
                       "The share of rows where the optional field is filled in, the fields named as in the return file; the "
                       "required fields always are in an accepted return."), size=9)
    pdf.table_of(queries.site_completeness(snapshots, reader, site_id, year, language=language), (80, 30, 30, 30))

    pdf.heading(say("Definitioner", "Definitions"))
    pdf.text_block(say("Rapportens indikatorer med sina koder; definitionerna är på engelska, som i den internationella rapporteringen.",
                       "The report's indicators with their codes."), size=9)
    definitions = queries.indicator_definitions(language)
    name, code, _, text = definitions.columns[:4]
    for row in definitions.filter(pl.col(code).is_in(DEFINED)).iter_rows(named=True):
        pdf.text_block(f"{row[name]} · {row[code]}", size=9, bold=True, space=0.3)
        pdf.text_block(row[text], size=8.5, space=1.5)
    return bytes(pdf.output())


def all_site_reports_zip(snapshots: Snapshots, reader: Reader, year: int, language: Language = SV) -> bytes:
    """Every site's report of the year in one zip (``IPS0001_2025_rapport.pdf`` …): for the national function only."""
    if reader.role != Role.ANALYST:
        raise AccessDenied(reader, "every site's report")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as reports:
        for site_id in sorted(queries.site_choices(snapshots, reader, year)):
            reports.writestr(report_name(site_id, year), site_report_pdf(snapshots, reader, site_id, year, language))
    return archive.getvalue()
