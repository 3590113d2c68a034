"""Plain-text tables for the terminal: the validate summary and the stats."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from ._stats import COST_ROLES, COUNTERS, Stats

__all__ = ["render_table", "stats_tables", "validate_summary"]

#: Rows shown per counter of the stats; the rest are summed in one row.
_TOP = 20


def render_table(headings: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns padded to their widest cell; numbers right-aligned."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [len(h) for h in headings]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    numeric = [
        all(isinstance(row[i], (int, Decimal)) or row[i] == "" for row in rows)
        and any(isinstance(row[i], (int, Decimal)) for row in rows)
        for i in range(len(headings))
    ]

    def line(values: Sequence[str]) -> str:
        padded = zip(values, widths, numeric, strict=True)
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headings), rule, *(line(row) for row in cells)]) + "\n"


def _cell(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def validate_summary(verdicts: Counter[tuple[str, str, str]]) -> str:
    groups = sorted({(script, fmt) for script, fmt, _ in verdicts})
    rows: list[list[object]] = []
    for script, fmt in groups:
        valid = verdicts[(script, fmt, "valid")]
        invalid = verdicts[(script, fmt, "invalid")]
        rows.append([script, fmt, valid + invalid, valid, invalid])
    valid = sum(n for (_, _, v), n in verdicts.items() if v == "valid")
    invalid = sum(n for (_, _, v), n in verdicts.items() if v == "invalid")
    rows.append(["total", "", valid + invalid, valid, invalid])
    return render_table(["script", "fmt", "answers", "valid", "invalid"], rows)


def stats_tables(stats: Stats, records: int, rejected: int) -> str:
    parts = [
        render_table(
            ["total", "value"],
            [
                ["records", records],
                ["decoded", stats.answers],
                ["rejected", rejected],
                ["replies", stats.items],
                ["message parts", stats.parts],
            ],
        )
    ]
    if stats.costs:
        cost_rows: list[list[object]] = [
            [kind, currency or "-", replies, total, COST_ROLES[role]]
            for (kind, currency, role), (replies, total) in sorted(stats.costs.items())
        ]
        cost_rows += [
            ["spent", currency or "-", "", total, "the total: charged costs only"]
            for currency, total in stats.charged().items()
        ]
        parts.append(
            render_table(["cost of", "currency", "replies", "total", "in the total"], cost_rows)
        )
    for name, heading in COUNTERS:
        counter: Counter[str] = getattr(stats, name)
        if not counter:
            continue
        common = counter.most_common(_TOP)
        rows: list[list[object]] = [[key, count] for key, count in common]
        rest = sum(counter.values()) - sum(count for _, count in common)
        if rest:
            rows.append([f"({len(counter) - _TOP:,} more)", rest])
        parts.append(render_table([heading, "count"], rows))
    return "\n".join(parts)
