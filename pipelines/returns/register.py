"""Which returns came in for a reporting year, site by site: the national function's follow-up of the cycle."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import polars as pl

from pipelines.returns import archive
from pipelines.returns.verdict import Verdict


def returns_of_year(archive_dir: Path, year: int) -> pl.DataFrame:
    """One row per site with a return for ``year``: returns received, accepted and rejected, and the latest
    verdict and time. A return that could not be read has no site or year and is not counted here."""
    by_site: defaultdict[str, list[archive.Receipt]] = defaultdict(list)
    for receipt in archive.read_receipts(archive_dir):  # oldest first
        if receipt.reporting_year == year and receipt.site_id is not None:
            by_site[receipt.site_id].append(receipt)
    rows = []
    for site, of_site in sorted(by_site.items()):
        rows.append((site, len(of_site), sum(r.verdict == Verdict.ACCEPTED for r in of_site),
                     sum(r.verdict == Verdict.REJECTED for r in of_site), str(of_site[-1].verdict), of_site[-1].received_at[:16]))
    return pl.DataFrame(rows, schema={"site_id": pl.String, "received": pl.Int64, "accepted": pl.Int64, "rejected": pl.Int64,
                                      "latest_verdict": pl.String, "latest_at": pl.String}, orient="row")


def rules_broken(archive_dir: Path, year: int) -> list[tuple[str, int, int]]:
    """(rule id, problems, returns) over the year's rejected returns, the most problems first."""
    rejected = [r for r in archive.read_receipts(archive_dir) if r.reporting_year == year and r.verdict == Verdict.REJECTED]
    problems: Counter[str] = Counter()
    returns: Counter[str] = Counter()
    for receipt in rejected:
        problems.update(receipt.rule_counts)
        returns.update(receipt.rule_counts.keys())
    return [(rule_id, count, returns[rule_id]) for rule_id, count in problems.most_common()]
