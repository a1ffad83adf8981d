"""The rows of one resource, rendered once for every format.

A department-year's rows go into its own files *and* into the whole-dataset
files. Rendering is the expensive part of the export (a synthetic record has
about 11,000 cells), so each representation — cell texts, data CSV, Excel
CSV, XLSX cells, JSON objects, and the UTF-8 bytes of the CSVs — is computed
at most once, on first use, and shared by both exports. The renderers are
generated per resource (:mod:`gongkai.export.render`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from gongkai.export import render
from gongkai.export.csv_package import csv_from_texts, csv_head_bytes, texts_from_csv
from gongkai.normalise import Row


class Prepared:
    """One resource's rows and their lazily rendered forms."""

    def __init__(self, name: str, rows: list[Row]) -> None:
        self.name = name
        self.rows = rows
        self.size = len(rows)

    def __bool__(self) -> bool:
        return self.size > 0

    def forms(self, names: Iterable[str]) -> dict[str, Any]:
        """The rendered forms ``names`` (computed now), to send to another process."""
        return {name: getattr(self, name) for name in names}

    @classmethod
    def from_forms(cls, name: str, size: int, forms: dict[str, Any]) -> Prepared:
        """A table known only by rendered forms (the rows stayed in a worker process)."""
        prepared = cls(name, [])
        prepared.size = size
        prepared.__dict__.update(forms)  # where cached_property keeps its values
        return prepared

    @classmethod
    def from_csv(cls, name: str, size: int, data: bytes) -> Prepared | None:
        """The table of a department-year data CSV file (header included), or ``None``.

        A cached folder's CSV gives back the cell texts it was written
        from, exactly (:func:`~gongkai.export.csv_package.texts_from_csv`
        refuses a file it cannot read back exactly); every other form is
        then rendered from them as usual, and the data CSV is the file.
        """
        head = csv_head_bytes(name)
        if not data.startswith(head):
            return None
        body = data[len(head) :]
        texts = texts_from_csv(name, body, size)
        if texts is None:
            return None
        return cls.from_forms(name, size, {"texts": texts, "csv_bytes": body, "csv": body.decode("utf-8")})

    @cached_property
    def texts(self) -> list[list[str]]:
        """Cell texts, as the data CSV has them ("" for a missing value)."""
        return render.texts_function(self.name)(self.rows)

    @cached_property
    def csv(self) -> str:
        return csv_from_texts(self.name, self.texts)

    @cached_property
    def csv_bytes(self) -> bytes:
        """The data CSV rows, UTF-8 (no header)."""
        return self.csv.encode("utf-8")

    @cached_property
    def excel_csv(self) -> str:
        fast = render.excel_from_csv(self.name, self.texts, self.csv, self._text_blob)
        return fast if fast is not None else csv_from_texts(self.name, self.texts, excel=True)

    @cached_property
    def excel_csv_bytes(self) -> bytes:
        """The Excel CSV rows, UTF-8 (no header, no BOM)."""
        if "excel_csv" not in self.__dict__:  # usually the data CSV bytes with CRLF
            fast = render.excel_bytes_from_csv(self.name, self.texts, self.csv_bytes, self._text_blob)
            if fast is not None:
                return fast
        return self.excel_csv.encode("utf-8")

    @cached_property
    def xlsx_cells(self) -> list[str]:
        """The ``<c>`` elements of each row (no cell references: see :mod:`.xlsx`)."""
        return render.xlsx_rows(self.name, self.texts, self._text_blob)

    @cached_property
    def json(self) -> list[str]:
        """Each row as a compact JSON object."""
        return render.json_function(self.name)(self.texts)

    @cached_property
    def _text_blob(self) -> str:
        """The text cells in one string, searched once by the XLSX and Excel CSV renderers."""
        return render.text_blob(self.name, self.texts)
