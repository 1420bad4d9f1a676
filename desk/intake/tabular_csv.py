"""Strict CSV reading: header row, ragged rows reported by line, capped sizes."""
from __future__ import annotations

import csv
import io

from desk.errors import ImportFailed
from desk.intake.limits import IntakeLimits
from desk.intake.records import RowError
from desk.intake.tabular_raw import RawTable

_DELIMITERS = (",", ";", "\t", "|")


def read_csv(text: str, *, limits: IntakeLimits) -> RawTable:
    """Read ``text`` as CSV with a header row.

    The delimiter (comma, semicolon, tab or pipe) is the one the header line
    uses most.  Quoting errors (and fields over the csv module's own size
    limit) raise ``ImportFailed`` with the line; rows with the wrong number of
    fields become row errors; blank rows are counted and skipped.  Field
    lengths are checked in validation, because ``csv.field_size_limit()`` is
    process-wide and other code changes it.
    """
    first_line = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    table = RawTable(fmt="csv")
    header: list[str] | None = None
    last_line = 0
    while True:
        start = last_line + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ImportFailed(f"malformed CSV: {_csv_problem(exc)}", line=start) from None
        last_line = reader.line_num
        if header is None:
            if not any(cell.strip() for cell in row):
                continue
            header = _header_names(row, table)
            table.columns = header
            continue
        if not any(cell.strip() for cell in row):
            table.skipped_blank += 1
            continue
        if len(table.rows) + len(table.errors) >= limits.max_rows:
            raise ImportFailed(f"the file has more than {limits.max_rows} rows; split it",
                               line=start)
        if len(row) != len(header):
            table.errors.append(RowError(start, f"expected {len(header)} fields, "
                                                f"found {len(row)}"))
            continue
        table.rows.append((start, dict(zip(header, row))))
    if header is None:
        raise ImportFailed("the file is empty")
    return table


def _header_names(row: list[str], table: RawTable) -> list[str]:
    names: list[str] = []
    for i, cell in enumerate(row, start=1):
        name = cell.strip().lstrip("\ufeff") or f"column {i}"
        if name in names:
            table.warnings.append(f"The column name {name!r} appears twice; "
                                  "the later one is ignored.")
            name = f"{name} ({i})"
        names.append(name)
    return names


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a field is longer than {csv.field_size_limit()} characters"
    return text
