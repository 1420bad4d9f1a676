"""JSON and JSON Lines reading with a nesting cap, a row cap and per-item line numbers.

Items are decoded one at a time with ``JSONDecoder.raw_decode`` so that each
knows its line and a huge array is refused at ``max_rows`` without building
it.  Accepted shapes: an array of objects (or of strings, read as texts), an
object holding one such array (``{"claims": [...]}``), a single object, or
one object per line (JSON Lines).
"""
from __future__ import annotations

import bisect
import json
import re

from desk.errors import ImportFailed
from desk.intake.limits import IntakeLimits
from desk.intake.records import RowError
from desk.intake.tabular_raw import RawTable

_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_WS = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()
# Preferred keys when an object wraps the array of records.
_ARRAY_KEYS = ("claims", "items", "records", "rows", "data", "results", "messages", "दावे")


def read_json(text: str, *, limits: IntakeLimits, lines_format: bool = False) -> RawTable:
    """Read a JSON document (or JSON Lines when ``lines_format``) into a ``RawTable``."""
    _check_depth(text, limits.max_json_depth)
    reader = _Reader(text, limits)
    try:
        if lines_format:
            return reader.json_lines()
        return reader.document()
    except RecursionError:
        raise ImportFailed(f"the JSON is nested deeper than {limits.max_json_depth} levels") from None


def _check_depth(text: str, cap: int) -> None:
    # Strings are blanked first so brackets inside them do not count.
    brackets = _NOT_BRACKET.sub("", _STRING.sub('""', text))
    depth = 0
    for ch in brackets:
        if ch in "[{":
            depth += 1
            if depth > cap:
                raise ImportFailed(f"the JSON is nested deeper than {cap} levels")
        else:
            depth -= 1


class _Reader:
    def __init__(self, text: str, limits: IntakeLimits):
        self.text = text
        self.limits = limits
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.table = RawTable(fmt="json")

    def line(self, pos: int) -> int:
        return bisect.bisect_right(self.newlines, pos - 1) + 1

    def skip(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()  # type: ignore[union-attr]

    def decode(self, pos: int) -> tuple[object, int]:
        try:
            return _DECODER.raw_decode(self.text, pos)
        except json.JSONDecodeError as exc:
            raise ImportFailed(f"invalid JSON: {exc.msg}", line=exc.lineno) from None

    def fail(self, pos: int, what: str) -> ImportFailed:
        return ImportFailed(f"invalid JSON: {what}", line=self.line(pos))

    def document(self) -> RawTable:
        pos = self.skip(0)
        if pos >= len(self.text):
            raise ImportFailed("the file is empty")
        ch = self.text[pos]
        if ch == "[":
            end, items = self.array(pos)
        elif ch == "{":
            end, items = self.object(pos)
            if self.skip(end) < len(self.text):
                # More values after the first object: JSON Lines.
                return self.json_lines()
        else:
            raise self.fail(pos, "expected an array or an object of records")
        if self.skip(end) < len(self.text):
            raise self.fail(self.skip(end), "extra data after the end of the document")
        for line, item in items:
            self.add(line, item)
        return self.finish()

    def array(self, pos: int) -> tuple[int, list[tuple[int, object]]]:
        """Read ``[item, …]`` at ``pos``; return the position after it and the items."""
        items: list[tuple[int, object]] = []
        pos = self.skip(pos + 1)
        if self.text.startswith("]", pos):
            return pos + 1, items
        while True:
            if len(items) >= self.limits.max_rows:
                raise ImportFailed(f"the file has more than {self.limits.max_rows} records; "
                                   "split it", line=self.line(pos))
            item, end = self.decode(pos)
            items.append((self.line(pos), item))
            pos = self.skip(end)
            ch = self.text[pos:pos + 1]
            if ch == "]":
                return pos + 1, items
            if ch != ",":
                raise self.fail(pos, "expected ',' or ']' between items")
            pos = self.skip(pos + 1)

    def object(self, pos: int) -> tuple[int, list[tuple[int, object]]]:
        """Read a top-level object: the array of records it wraps, or itself as one record."""
        start = pos
        arrays: list[tuple[str, list[tuple[int, object]]]] = []
        pos = self.skip(pos + 1)
        if self.text.startswith("}", pos):
            raise self.fail(start, "the object holds no records")
        while True:
            key, pos = self.decode(pos)
            if not isinstance(key, str):
                raise self.fail(pos, "expected a key")
            pos = self.skip(pos)
            if not self.text.startswith(":", pos):
                raise self.fail(pos, "expected ':' after a key")
            pos = self.skip(pos + 1)
            if self.text.startswith("[", pos):
                pos, items = self.array(pos)
                arrays.append((key, items))
            else:
                _, pos = self.decode(pos)
            pos = self.skip(pos)
            ch = self.text[pos:pos + 1]
            if ch == "}":
                end = pos + 1
                break
            if ch != ",":
                raise self.fail(pos, "expected ',' or '}' between members")
            pos = self.skip(pos + 1)
        chosen = next((items for k, items in arrays if k.casefold() in _ARRAY_KEYS), None)
        if chosen is None and len(arrays) == 1:
            chosen = arrays[0][1]
        if chosen is not None:
            return end, chosen
        if arrays:
            names = ", ".join(repr(k) for k, _ in arrays[:5])
            raise self.fail(start, f"several arrays ({names}); put the records under 'claims'")
        item, _ = self.decode(start)
        return end, [(self.line(start), item)]

    def json_lines(self) -> RawTable:
        self.table.fmt = "jsonl"
        for index, raw in enumerate(self.text.split("\n")):
            if not raw.strip():
                continue
            try:
                item = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ImportFailed(f"invalid JSON Lines: {exc.msg}", line=index + 1) from None
            self.add(index + 1, item)
        return self.finish()

    def add(self, line: int, item: object) -> None:
        table = self.table
        if len(table.rows) + len(table.errors) + table.skipped_blank >= self.limits.max_rows:
            raise ImportFailed(f"the file has more than {self.limits.max_rows} records; split it",
                               line=line)
        if isinstance(item, str):
            # A bare string is a claim text, whatever the text column is called.
            table.rows.append((line, item))
            return
        if not isinstance(item, dict):
            table.errors.append(RowError(line, f"each record must be an object, "
                                               f"not {_json_type(item)}"))
            return
        if not item:
            table.skipped_blank += 1
            return
        table.rows.append((line, item))

    def finish(self) -> RawTable:
        seen: dict[str, None] = {}
        for _, item in self.table.rows:
            if isinstance(item, dict):
                for key in item:
                    seen.setdefault(key, None)
        self.table.columns = list(seen)
        return self.table


def _json_type(value: object) -> str:
    return {list: "an array", int: "a number", float: "a number", bool: "true/false",
            type(None): "null"}.get(type(value), type(value).__name__)
