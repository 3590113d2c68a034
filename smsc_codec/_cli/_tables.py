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
    widths = _widths(headings, cells)
    numeric = [_numeric(rows, column) for column in range(len(headings))]

    def line(values: Sequence[str]) -> str:
        padded = zip(values, widths, numeric, strict=True)
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headings), rule, *(line(row) for row in cells)]) + "\n"


def _widths(headings: Sequence[str], cells: list[list[str]]) -> list[int]:
    """Each column's width: its widest cell or heading."""
    widths = [len(h) for h in headings]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    return widths


def _is_number(value: object) -> bool:
    return isinstance(value, (int, Decimal))


def _numeric(rows: Sequence[Sequence[object]], column: int) -> bool:
    """Whether a column holds numbers: some, and nothing else but empty cells."""
    values = [row[column] for row in rows]
    return all(_is_number(v) or v == "" for v in values) and any(map(_is_number, values))


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
    totals = [
        ["records", records],
        ["decoded", stats.answers],
        ["rejected", rejected],
        ["replies", stats.items],
        ["message parts", stats.parts],
    ]
    parts = [render_table(["total", "value"], totals)]
    if stats.costs:
        parts.append(_costs_table(stats))
    for name, heading in COUNTERS:
        counter: Counter[str] = getattr(stats, name)
        if counter:
            parts.append(_counter_table(counter, heading))
    return "\n".join(parts)


def _costs_table(stats: Stats) -> str:
    """The costs by kind, currency and role, then the total spent per currency."""
    cost_rows: list[list[object]] = [
        [kind, currency or "-", replies, total, COST_ROLES[role]]
        for (kind, currency, role), (replies, total) in sorted(stats.costs.items())
    ]
    cost_rows += [
        ["spent", currency or "-", "", total, "the total: charged costs only"]
        for currency, total in stats.charged().items()
    ]
    return render_table(["cost of", "currency", "replies", "total", "in the total"], cost_rows)


def _counter_table(counter: Counter[str], heading: str) -> str:
    """A counter's most common keys; the rest summed in one row."""
    common = counter.most_common(_TOP)
    rows: list[list[object]] = [[key, count] for key, count in common]
    rest = sum(counter.values()) - sum(count for _, count in common)
    if rest:
        rows.append([f"({len(counter) - _TOP:,} more)", rest])
    return render_table([heading, "count"], rows)
