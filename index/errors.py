"""Errors raised by the matching engine.

``index/`` never imports ``desk``, so it has its own small hierarchy; the desk
(CLI, services) turns these into its domain errors.  Both subclass
``ValueError`` so plain callers can catch them without importing this module.
"""
from __future__ import annotations


class EngineError(ValueError):
    """Base class for problems the engine reports to its caller."""


class BadInput(EngineError):
    """A claim or document text the engine refuses (empty, too long, not text)."""


class DataFileError(EngineError):
    """A glossary, benchmark or pairs file that cannot be read as documented."""

    def __init__(self, message: str, *, path: object = None, line: int | None = None):
        where = f"{path}" if path is not None else ""
        if line is not None:
            where = f"{where}:{line}" if where else f"line {line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.line = line
