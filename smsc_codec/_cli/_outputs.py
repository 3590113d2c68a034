"""Where rows go: JSON Lines or CSV to a file or standard output, or Parquet
to a folder of one file per reply kind.

Every write is a run of whole lines (or of whole row groups), so a run
stopped by Ctrl-C leaves only complete records behind. Parquet needs
pyarrow, the ``parquet`` extra.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any, BinaryIO

from ._sources import UsageError

__all__ = ["PARQUET_HINT", "Output"]

PARQUET_HINT = "Parquet output needs pyarrow: pip install 'smsc-codec[parquet]'"


class Output:
    """The command's output stream, opened once, written chunk by chunk."""

    def __init__(
        self, path: str | None, form: str, header: list[str] | None, tz: str | None = None
    ) -> None:
        self.form = form
        self._parquet: dict[str, Any] | None = None
        self._stream: BinaryIO | None = None
        if form == "parquet":
            self._open_folder(path, tz)
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

    def _open_folder(self, path: str | None, tz: str | None) -> None:
        """Parquet goes to a folder, new or empty: a file per kind, opened
        when its first row comes (a file left by an earlier run of other
        kinds would be taken for this run's)."""
        if path is None or path == "-":
            raise UsageError("Parquet output goes to a folder: give --output FOLDER")
        try:
            import pyarrow.parquet  # noqa: F401, PLC0415 - the optional extra

            from ._tables_out import table_schema  # noqa: PLC0415 - needs pyarrow
        except ImportError:
            raise UsageError(PARQUET_HINT) from None
        folder = Path(path)
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise UsageError(f"{path} is not an empty folder: Parquet output needs one")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot make the folder {path}: {exc.strerror}") from None
        self._folder = folder
        self._tz = tz
        self._table_schema = table_schema
        self._parquet = {}

    def write(self, output: Any) -> None:
        """Write a chunk's output: whole lines, or Arrow tables by kind name."""
        if self._parquet is not None:
            import pyarrow.parquet as pq  # noqa: PLC0415 - the optional extra

            for name, table in output.items():
                writer = self._parquet.get(name)
                if writer is None:
                    path = self._folder / f"{name}.parquet"
                    writer = self._parquet[name] = pq.ParquetWriter(path, table.schema)
                writer.write_table(table)
            return
        assert self._stream is not None
        assert isinstance(output, bytes)
        if output:
            self._stream.write(output)
            self._stream.flush()

    def close(self) -> None:
        if self._parquet is not None:
            for writer in self._parquet.values():
                writer.close()
        elif self._stream is not None:
            self._stream.flush()
            if self._owned:
                self._stream.close()
