"""Print a load run's figures from locust's CSV statistics (docs/development/load-test.md).

Usage: `python loadtest/report.py /tmp/rollbook-load/run` (the `--csv` prefix given to
locust). Prints one Markdown table: per request, then all together — requests, failures,
requests per second, p50/p95/p99 latency in milliseconds — and the failures locust
recorded. Exits 1 when a file is missing.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of one of locust's CSV files."""
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def figures_table(rows: list[dict[str, str]]) -> str:
    """A Markdown table of the stats rows: the aggregated row last, in bold."""
    lines = [
        "| request | count | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Type"], r["Name"])):
        name = row["Name"] if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        cells = [
            name,
            f"{int(row['Request Count']):,}",
            f"{int(row['Failure Count']):,}",
            f"{float(row['Requests/s']):.1f}",
            row["50%"],
            row["95%"],
            row["99%"],
            f"{float(row['Max Response Time']):.0f}",
        ]
        if row["Name"] == "Aggregated":
            cells = [f"**{cell}**" for cell in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(prefix: str) -> int:
    """Print the table and the failures for the run saved under `prefix`."""
    stats, failures = Path(f"{prefix}_stats.csv"), Path(f"{prefix}_failures.csv")
    if not stats.exists():
        print(f"No statistics at {stats}: did locust run?", file=sys.stderr)
        return 1
    rows = read_rows(stats)
    print(figures_table(rows))
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    if total:
        count, failed = int(total["Request Count"]), int(total["Failure Count"])
        share = 100 * failed / count if count else 0.0
        print(
            f"\n{count:,} requests, {float(total['Requests/s']):.1f} req/s, "
            f"p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms, "
            f"{failed:,} errors ({share:.2f} %)."
        )
    errors = read_rows(failures) if failures.exists() else []
    for row in errors:
        error = " ".join(row["Error"].split())
        error = error if len(error) <= 160 else error[:157] + "…"
        print(f"  error ×{row['Occurrences']}: {row['Method']} {row['Name']}: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/rollbook-load/run"))
