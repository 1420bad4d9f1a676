"""Size limits applied to every upload before and while it is parsed."""
from __future__ import annotations

from dataclasses import dataclass

from desk.config import Settings


@dataclass(frozen=True)
class IntakeLimits:
    """Caps that keep a hostile or accidental upload from exhausting memory or time.

    Attributes:
        max_upload_bytes: size of the uploaded file (and of a zip's chat member,
            once decompressed).
        max_message_chars: longest text kept as a claim; longer WhatsApp messages
            are skipped as ``too_long`` and longer CSV/JSON texts are row errors.
        max_messages: messages in one WhatsApp export.
        max_rows: rows in one CSV or JSON file.
        max_field_chars: any CSV/JSON field other than the text.
        max_json_depth: nesting of arrays/objects in a JSON document.
        max_zip_members: entries in a zip's central directory.
    """

    max_upload_bytes: int = 50_000_000
    max_message_chars: int = 20_000
    max_messages: int = 200_000
    max_rows: int = 100_000
    max_field_chars: int = 2_000
    max_json_depth: int = 32
    max_zip_members: int = 10_000

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: int) -> "IntakeLimits":
        """Limits matching the desk's configured upload size and claim length."""
        values = {
            "max_upload_bytes": settings.max_upload_bytes,
            "max_message_chars": settings.max_text_chars,
        }
        values.update(overrides)
        return cls(**values)
