"""The desk's SQLite store: the only package that runs SQL.

``Store.open(path)`` gives one connection with migrations applied; the
sibling modules are repositories of plain functions taking that store.
"""
from desk.store.db import Store, StoreError

__all__ = ["Store", "StoreError"]
