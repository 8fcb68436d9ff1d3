"""Lämna rapport: a site uploads its annual return, sees the verdict and every problem at once, confirms a
replacement after seeing what it changes, and gets its receipt."""

from functools import partial

import polars as pl
import streamlit as st

from dashboards import queries, upload
from dashboards.ui import escape_markdown, language, page_reader, recorded, say
from pipelines.access.roles import Reader, Role
from pipelines.returns import archive
from pipelines.returns.feedback import feedback_files
from pipelines.returns.submit import SubmitOutcome
from pipelines.returns.template import template_bytes
from pipelines.returns.verdict import Verdict
from pipelines.settings import load_settings

OUTCOME = "upload_outcome"  # session state: the latest upload's outcome, shown until the next upload


def show_templates() -> None:
    st.caption(say("Mallar för årsrapporten (format v1): en Excel-fil med rullistor och dataordbok, eller tomma CSV-filer.",
                   "Templates for the annual return (format v1): an Excel file with drop-down lists and a data dictionary, "
                   "or empty CSV files."))
    row = st.container(horizontal=True)
    for template, label in ((template_bytes("xlsx"), say("Mall: Excel", "Template: Excel")),
                            (template_bytes("csv"), say("Mall: CSV", "Template: CSV"))):
        row.download_button(label, recorded(partial(bytes, template.content), template.file_name), file_name=template.file_name,
                            mime=template.mime_type,
                            icon=":material/download:", key=f"template-{template.file_name}", on_click="ignore")


def show_problems(outcome: SubmitOutcome) -> None:
    st.subheader(say("Problem per tabell och regel", "Problems by table and rule"))
    st.dataframe(upload.problems_by_rule(outcome.problems, language()), hide_index=True, width="stretch")
    with st.expander(say(f"Alla {len(outcome.problems)} problem, med rad och kolumn", f"All {len(outcome.problems)} problems, with row and column")):
        st.dataframe(upload.problem_list(outcome.problems, language()), hide_index=True, width="stretch")
    row = st.container(horizontal=True)
    for name, content in feedback_files(outcome.heading, outcome.problems).items():
        site_id, year = outcome.site_and_year
        row.download_button(say("Rapport: ", "Report: ") + name.rsplit(".", 1)[1].upper(),
                            recorded(partial(bytes, content), name, site_id, year), file_name=name,
                            icon=":material/download:", key=f"report-{name}", on_click="ignore")


def show_change_summary(receipt: archive.Receipt, reader: Reader) -> None:
    st.warning(say(f"Ni har redan en godkänd rapport för {receipt.reporting_year}. Den nya ersätter den först när ni bekräftar.",
                   f"You already have an accepted return for {receipt.reporting_year}. The new one replaces it only when you confirm."))
    with st.spinner(say("Räknar fram vad den nya rapporten ändrar …", "Working out what the new return changes …")):
        summary = upload.summarise(reader, load_settings(), receipt.return_id)
    st.subheader(say("Vad den nya rapporten ändrar", "What the new return changes"))
    st.markdown(say(f"**{len(summary.added)}** deltagare tillkommer, **{len(summary.removed)}** tas bort och **{len(summary.changed)}** ändras.",
                    f"**{len(summary.added)}** participants are added, **{len(summary.removed)}** removed and **{len(summary.changed)}** changed."))
    names = queries.indicator_names(language())
    before, after = say("Nu", "Now"), say("Med den nya rapporten", "With the new return")
    figures = pl.DataFrame([(names[code], queries.display_value(old, code, old is not None), queries.display_value(new, code, new is not None))
                            for code, (old, new) in summary.figures.items()],
                           schema={say("Indikator", "Indicator"): pl.String, before: pl.String, after: pl.String}, orient="row")
    st.dataframe(figures, hide_index=True, width="stretch")
    changes = [(pid, say("tillkommer", "added"), "") for pid in summary.added] + [(pid, say("tas bort", "removed"), "") for pid in summary.removed]
    changes += [(pid, say("ändras", "changed"), ", ".join(fields)) for pid, fields in summary.changed.items()]
    if changes:
        with st.expander(say("Deltagare som ändras", "Participants that change")):
            st.dataframe(pl.DataFrame(changes, schema={say("Löpnummer", "Participant id"): pl.String, say("Ändring", "Change"): pl.String,
                                                       say("Fält", "Fields"): pl.String}, orient="row"), hide_index=True, width="stretch")
    confirm, cancel = st.columns([1, 1, 4])[:2]
    for column, confirmed, label in ((confirm, True, say("Bekräfta och ersätt", "Confirm and replace")),
                                     (cancel, False, say("Avbryt", "Cancel"))):
        if column.button(label, type="primary" if confirmed else "secondary", key=f"decide-{confirmed}"):
            decided = upload.decide(reader, load_settings(), receipt.return_id, confirmed)
            st.session_state[OUTCOME].receipt = decided
            st.rerun()


def show_receipt(receipt: archive.Receipt) -> None:
    st.subheader(say("Kvitto", "Receipt"))
    items = ((say("Rapportens id", "Return id"), receipt.return_id), (say("Verksamhet", "Site"), receipt.site_id),
             (say("År", "Year"), receipt.reporting_year), (say("Mottagen (UTC)", "Received (UTC)"), receipt.received_at[:19].replace("T", " ")),
             (say("Kontrollsumma (SHA-256)", "Checksum (SHA-256)"), receipt.checksum),
             (say("Ersätter", "Supersedes"), receipt.supersedes or say("ingen tidigare rapport", "no earlier return")))
    st.markdown("\n".join(f"- **{label}:** `{value}`" for label, value in items))
    st.caption(say("Siffrorna syns på instrumentpanelen när nästa körning är klar.",
                   "The figures show on the dashboard when the next run has finished."))


def show_outcome(outcome: SubmitOutcome, reader: Reader) -> None:
    sv, en = outcome.verdict.words
    site, year = outcome.site_and_year
    about = escape_markdown(outcome.source.name + (f" ({site}, {year})" if site else ""))  # the sender's file name, and its return's site
    receipt = outcome.receipt
    if outcome.verdict == Verdict.ACCEPTED and receipt is not None and receipt.decision is not None and not receipt.decision.confirmed:
        st.info(say(f"{about}: avbruten. Inlämningen är sparad som avbruten; den tidigare rapporten gäller.",
                    f"{about}: cancelled. The upload is kept as cancelled; the earlier return stands."))
    elif outcome.ok:
        st.success(f"{about}: {say(sv, en).upper()}")
    else:
        st.error(f"{about}: {sv.upper()} / {en.upper()}")
    if outcome.verdict == Verdict.DUPLICATE and receipt is not None:
        earlier_sv, earlier_en = receipt.verdict.words
        st.caption(say(f"Samma innehåll kom in {receipt.received_at[:19].replace('T', ' ')} (UTC) som {receipt.return_id} och blev {earlier_sv}.",
                       f"The same content came in at {receipt.received_at[:19].replace('T', ' ')} (UTC) as {receipt.return_id} and was "
                       f"{earlier_en}."))
        if receipt.rule_counts:
            st.dataframe(upload.rule_counts(receipt.rule_counts, language()), hide_index=True, width="stretch")
    if outcome.problems:
        show_problems(outcome)
    if outcome.awaits_confirmation and receipt is not None:
        show_change_summary(receipt, reader)
    elif outcome.verdict == Verdict.ACCEPTED and receipt is not None and receipt.accepted_and_final:
        show_receipt(receipt)


st.title(say("Lämna årsrapport", "Submit the annual return"))
reader = page_reader(roles=(Role.SITE,))
if reader is not None:
    st.caption(say(f"För {reader.site_id}. Ladda upp verksamhetens fem CSV-filer på en gång, en zip-fil eller en Excel-fil. "
                   "Rapporten kontrolleras direkt med samma regler som alltid.",
                   f"For {reader.site_id}. Upload the site's five CSV files at once, a zip file or an Excel file. "
                   "The return is checked at once by the same rules as always."))
    show_templates()
    with st.form("upload", clear_on_submit=True):
        files = st.file_uploader(say("Årsrapportens filer", "The return's files"), type=["csv", "zip", "xlsx"], accept_multiple_files=True)
        sent = st.form_submit_button(say("Kontrollera och skicka in", "Check and submit"), type="primary")
    if sent and files:
        with st.spinner(say("Kontrollerar …", "Checking …")):
            st.session_state[OUTCOME] = upload.submit_upload([(f.name, f.getvalue()) for f in files], load_settings(), reader)
    elif sent:
        st.warning(say("Välj filerna först.", "Choose the files first."))
    if OUTCOME in st.session_state:
        show_outcome(st.session_state[OUTCOME], reader)
