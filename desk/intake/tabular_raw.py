"""What the CSV and JSON readers hand to validation: rows keyed by the file's own column names."""
from __future__ import annotations

from dataclasses import dataclass, field

from desk.intake.records import RowError


@dataclass
class RawTable:
    """Rows as ``(line, {column: value})`` before mapping and validation.

    A JSON array may hold bare strings; such a row is the string itself, a text.
    """

    fmt: str
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, object] | str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped_blank: int = 0
    warnings: list[str] = field(default_factory=list)
