"""Where rows go: JSON Lines, CSV or Parquet, to a file or standard output.

Every write is a run of whole lines, so a run stopped by Ctrl-C leaves only
complete lines behind. Parquet needs pyarrow, the ``parquet`` extra.
"""

from __future__ import annotations

import csv
import io
import sys
from typing import Any, BinaryIO

from ._rows import table_columns
from ._sources import UsageError

__all__ = ["PARQUET_HINT", "Output"]

PARQUET_HINT = "Parquet output needs pyarrow: pip install 'smsc-codec[parquet]'"


def _parquet_schema() -> Any:
    import pyarrow as pa  # noqa: PLC0415 - the optional extra

    types = {"int": pa.int64(), "bool": pa.bool_(), "str": pa.string()}
    return pa.schema([(column.name, types[column.type]) for column in table_columns()])


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

    def write(self, output: bytes | list[dict[str, Any]]) -> None:
        if self._parquet is not None:
            if output:
                import pyarrow as pa  # noqa: PLC0415 - the optional extra

                self._parquet.write_table(pa.Table.from_pylist(output, schema=self._schema))
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
