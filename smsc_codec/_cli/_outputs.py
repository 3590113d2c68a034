"""Where rows go: JSON Lines, CSV or Parquet, to a file or standard output.

Every write is a run of whole lines, so a run stopped by Ctrl-C leaves only
complete lines behind. Parquet needs pyarrow, the ``parquet`` extra.
"""

from __future__ import annotations

import csv
import functools
import io
import sys
from collections.abc import Sequence
from typing import Any, BinaryIO

from ._rows import table_columns
from ._sources import UsageError

__all__ = ["PARQUET_HINT", "Output", "parquet_table"]

PARQUET_HINT = "Parquet output needs pyarrow: pip install 'smsc-codec[parquet]'"


@functools.cache
def _parquet_schema() -> Any:
    import pyarrow as pa  # noqa: PLC0415 - the optional extra

    types = {"int": pa.int64(), "bool": pa.bool_(), "str": pa.string()}
    return pa.schema([(column.name, types[column.type]) for column in table_columns()])


def parquet_table(records: Sequence[list[dict[str, Any]]]) -> tuple[Any, dict[int, Exception]]:
    """The Arrow table of the records' rows that the Parquet schema can hold, and
    for each record it cannot (an integer past 64 bits, say), its index and why.

    The rows of all records are converted at once; only when that fails are the
    records split in halves and converted again, down to the records at fault:
    one bad record costs a few conversions, not one per record.
    """
    import pyarrow as pa  # noqa: PLC0415 - the optional extra

    schema = _parquet_schema()
    tables: list[Any] = []
    refused: dict[int, Exception] = {}

    def convert(start: int, stop: int) -> None:
        rows = [row for record in records[start:stop] for row in record]
        try:
            tables.append(pa.Table.from_pylist(rows, schema=schema))
        except Exception as exc:  # whatever Arrow says of a value: that record's reject
            if stop - start == 1:
                refused[start] = exc
                return
            middle = (start + stop) // 2
            convert(start, middle)
            convert(middle, stop)

    if records:
        convert(0, len(records))
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    return table, refused


class Output:
    """The command's output stream, opened once, written chunk by chunk."""

    def __init__(self, path: str | None, form: str, header: list[str] | None) -> None:
        self.form = form
        self._parquet: Any = None
        if form == "parquet":
            if path is None or path == "-":
                raise UsageError("Parquet output goes to a file: give --output FILE")
            try:
                import pyarrow.parquet as pq  # noqa: PLC0415 - the optional extra
            except ImportError:
                raise UsageError(PARQUET_HINT) from None
            self._schema = _parquet_schema()
            self._parquet = pq.ParquetWriter(path, self._schema)
            self._stream: BinaryIO | None = None
            return
        if path is None or path == "-":
            self._stream = sys.stdout.buffer
            self._owned = False
        else:
            self._stream = open(path, "wb")  # noqa: SIM115 - closed in close()
            self._owned = True
        if form == "csv" and header is not None:
            text = io.StringIO()
            csv.writer(text, lineterminator="\n").writerow(header)
            self.write(text.getvalue().encode("utf-8"))

    def write(self, output: Any) -> None:
        """Write a chunk's output: whole lines, or an Arrow table made by :func:`parquet_table`."""
        if self._parquet is not None:
            if output.num_rows:
                self._parquet.write_table(output)
            return
        assert self._stream is not None
        assert isinstance(output, bytes)
        if output:
            self._stream.write(output)
            self._stream.flush()

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        elif self._stream is not None:
            self._stream.flush()
            if self._owned:
                self._stream.close()
