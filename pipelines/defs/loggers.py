"""How a run started by ``ips-monitor run`` reports: every event into a log file under the data home, and one
line per finished stage on screen (Dagster's own console log is hundreds of lines of debug events)."""

import logging
import sys

import dagster as dg

STAGES = {
    "raw_returns": "godkända rapporter inlästa / accepted returns loaded",
    "warehouse_models": "dbt build: modeller och tester / models and tests",
    "published_snapshot": "publicerade siffror / published figures",
    "site_level_snapshot": "verksamheternas egna siffror / each site's own figures",
    "sdmx_exports": "SDMX-CSV",
}


class _StageProgress(logging.Handler):
    """To the terminal itself: ``refresh_in_process`` sends standard output (dbt's echo) to the log file."""

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_meta", {}).get("dagster_event")
        if event is None or event.event_type_value not in ("STEP_SUCCESS", "STEP_FAILURE"):
            return
        stage = STAGES.get(event.step_key, event.step_key)
        if event.event_type_value == "STEP_SUCCESS":
            print(f"  klar / done: {stage} ({event.event_specific_data.duration_ms / 1000:.1f} s)", file=sys.__stdout__, flush=True)
        else:
            print(f"  MISSLYCKADES / FAILED: {stage}", file=sys.__stdout__, flush=True)


@dg.logger(config_schema={"path": dg.Field(str, description="the file that receives every event of the run")})
def run_log(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger(f"ips_monitor.run.{init_context.run_id}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    to_file = logging.FileHandler(init_context.logger_config["path"], encoding="utf-8")
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.handlers = [to_file, _StageProgress()]
    return logger
