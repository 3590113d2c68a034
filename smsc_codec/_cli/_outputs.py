"""Where rows go: JSON Lines or CSV to a file or standard output, or Parquet
to a folder holding a dataset per reply kind.

A kind's dataset is a folder named after it (``SmsStatus.parquet/``) of
part files (``part-00000.parquet``, ...): one part when a single process
writes, one per byte range of the input when ``--jobs N`` workers each write
their own (``_ranges``). Parts are numbered in input order, and a kind's
schema is fixed by the model, so the parts read as one table
(``pyarrow.parquet.read_table("tables/SmsStatus.parquet")``) in input order.

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

__all__ = ["PARQUET_HINT", "Output", "PartWriters"]

PARQUET_HINT = "Parquet output needs pyarrow: pip install 'smsc-codec[parquet]'"


class PartWriters:
    """One part file per reply kind, opened when the kind's first rows come."""

    def __init__(self, folder: Path, part: int) -> None:
        self.folder = folder
        self.name = f"part-{part:05d}.parquet"  #: (names sort in input order)
        self.writers: dict[str, Any] = {}

    def write(self, tables: dict[str, Any]) -> None:
        """Write a chunk's Arrow tables (by kind name), each as row groups."""
        import pyarrow.parquet as pq  # noqa: PLC0415 - the optional extra

        for name, table in tables.items():
            writer = self.writers.get(name)
            if writer is None:
                kind = self.folder / f"{name}.parquet"
                kind.mkdir(exist_ok=True)  # (another worker's part may have made it)
                writer = self.writers[name] = pq.ParquetWriter(kind / self.name, table.schema)
            writer.write_table(table)

    def paths(self) -> list[Path]:
        return [self.folder / f"{name}.parquet" / self.name for name in self.writers]

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


class Output:
    """The command's output stream, opened once, written chunk by chunk."""

    def __init__(
        self, path: str | None, form: str, header: list[str] | None, tz: str | None = None
    ) -> None:
        self.form = form
        self._parquet: PartWriters | None = None
        self.folder: Path | None = None  #: Parquet's
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
        """Parquet goes to a folder, new or empty: a dataset per kind, made
        when its first row comes (one left by an earlier run of other kinds
        would be taken for this run's)."""
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
        self.folder = folder
        self._tz = tz
        self._table_schema = table_schema
        self._parquet = PartWriters(folder, 0)

    def write(self, output: Any) -> None:
        """Write a chunk's output: whole lines, or Arrow tables by kind name."""
        if self._parquet is not None:
            self._parquet.write(output)
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
