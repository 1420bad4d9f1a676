"""The view model every exporter takes, and what the exporters return.

``ExportRebuttal`` is a plain, validated snapshot of one rebuttal version,
built by the publishing service from the store.  Lists and dicts given for
``claim_texts``, ``sources``, ``appearances``, ``translations`` and ``topics``
are converted to tuples and dataclasses, so the service can pass rows as they
come.  Construction fails with ``ValidationError`` on anything malformed
(wrong types, bytes instead of text, unknown verdict or status, bad timestamps,
huge fields), so exporters only ever see well-formed input.

Text is *not* cleaned here: ``desk.publish.clean.clean_rebuttal`` does that, so
it can report what it removed.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime, timezone
from typing import Any, Generic, Iterable, Mapping, TypeVar

from desk.errors import ValidationError
from desk.publish.sanitize import is_http_url
from desk.publish.verdicts import get_verdict

#: Every rebuttal state the desk knows; only the exportable ones leave the desk.
STATUSES = ("draft", "in_review", "approved", "published", "retracted")
EXPORTABLE_STATUSES = ("approved", "published")

#: Far above the desk's own limits (``Settings.max_text_chars``); a guard, not a policy.
MAX_FIELD_CHARS = 100_000
MAX_ITEMS = 1_000


def _text(value: Any, name: str, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if isinstance(value, (bytes, bytearray)):
        raise ValidationError(f"{name} must be text, got bytes (decode it strictly first)")
    if not isinstance(value, str):
        raise ValidationError(f"{name} must be text, got {type(value).__name__}")
    if len(value) > MAX_FIELD_CHARS:
        raise ValidationError(f"{name} is too long ({len(value)} characters; limit {MAX_FIELD_CHARS})")
    if required and not value.strip():
        raise ValidationError(f"{name} is empty")
    return value


def parse_timestamp(value: str, name: str = "timestamp") -> datetime:
    """Parse an ISO-8601 date or timestamp; naive values are taken as UTC."""
    if not isinstance(value, str):
        raise ValidationError(f"{name} must be an ISO-8601 string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{name} is not an ISO-8601 date or timestamp: {value[:40]!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _timestamp(value: Any, name: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        value = value.isoformat()
    elif isinstance(value, date):
        value = value.isoformat()
    parse_timestamp(value, name)
    return value


def _items(value: Any, name: str) -> tuple:
    if value is None:
        return ()
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise ValidationError(f"{name} must be a list")
    items = tuple(value)
    if len(items) > MAX_ITEMS:
        raise ValidationError(f"{name} has too many entries ({len(items)}; limit {MAX_ITEMS})")
    return items


def _coerce(cls: type, value: Any, name: str):
    if isinstance(value, cls):
        return value
    if not isinstance(value, Mapping):
        raise ValidationError(f"{name} must be a mapping, got {type(value).__name__}")
    known = {f.name for f in fields(cls)}
    unknown = set(value) - known
    if unknown:
        raise ValidationError(f"{name} has unknown keys: {', '.join(sorted(map(str, unknown)))}")
    return cls(**value)


@dataclass(frozen=True)
class Source:
    """A source cited by a rebuttal.  ``date`` is free text (``2026-11``,
    ``22 Nov 2026``): sources often carry only a month or a year."""

    url: str = ""
    title: str = ""
    publisher: str = ""
    date: str = ""

    def __post_init__(self) -> None:
        for name in ("url", "title", "publisher", "date"):
            object.__setattr__(self, name, _text(getattr(self, name), f"source {name}"))
        if not (self.url or self.title):
            raise ValidationError("a source needs a url or a title")


@dataclass(frozen=True)
class Appearance:
    """Where a claim was seen.  ``group`` is a private chat name: internal
    exports may show it, public ones (ClaimReview, JSON for partners) never do."""

    channel: str = ""
    url: str = ""
    group: str = ""
    first_seen: str | None = None

    def __post_init__(self) -> None:
        for name in ("channel", "url", "group"):
            object.__setattr__(self, name, _text(getattr(self, name), f"appearance {name}"))
        object.__setattr__(self, "first_seen", _timestamp(self.first_seen, "appearance first_seen"))


@dataclass(frozen=True)
class Translation:
    """The rebuttal's text in another language."""

    full_text: str = ""
    whatsapp_text: str = ""

    def __post_init__(self) -> None:
        for name in ("full_text", "whatsapp_text"):
            object.__setattr__(self, name, _text(getattr(self, name), f"translation {name}"))
        if not (self.full_text.strip() or self.whatsapp_text.strip()):
            raise ValidationError("a translation needs a full text or a WhatsApp text")


_TEXT_FIELDS = ("title", "full_text", "whatsapp_text", "author", "reviewer",
                "region_code", "region_name", "organisation")


@dataclass(frozen=True)
class ExportRebuttal:
    """One version of a rebuttal, as the exporters see it.

    ``lang`` is the language of ``full_text``/``whatsapp_text`` (``hi``, ``en``,
    ``hi-Latn``...).  ``whatsapp_text`` may use WhatsApp formatting written by
    the desk (``*bold*``, ``_italic_``); every other text is literal.
    ``claim_texts[0]`` is the primary claim (ClaimReview's ``claimReviewed``).
    ``url`` is the public address of the fact check (see ``canonical_url``),
    required for ClaimReview; ``organisation`` publishes it.
    """

    id: int
    version_no: int
    status: str
    verdict: str
    lang: str
    full_text: str
    claim_texts: tuple[str, ...] = ()
    whatsapp_text: str = ""
    title: str = ""
    translations: Mapping[str, Translation] = field(default_factory=dict)
    sources: tuple[Source, ...] = ()
    appearances: tuple[Appearance, ...] = ()
    author: str = ""
    reviewer: str = ""
    approved_at: str | None = None
    published_at: str | None = None
    region_code: str = ""
    region_name: str = ""
    topics: tuple[str, ...] = ()
    url: str = ""
    organisation: str = ""
    organisation_url: str = ""

    def __post_init__(self) -> None:
        for name in ("id", "version_no"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValidationError(f"{name} must be an integer, got {value!r}")
        if self.version_no < 1:
            raise ValidationError(f"version_no must be at least 1, got {self.version_no}")
        for name in ("status", "verdict", "lang"):
            value = getattr(self, name)
            if isinstance(value, str):  # plain str, also for the domain's StrEnums
                object.__setattr__(self, name, str(value.value if hasattr(value, "value") else value))
        if self.status not in STATUSES:
            raise ValidationError(f"unknown status {self.status!r}; expected one of: {', '.join(STATUSES)}")
        get_verdict(self.verdict)
        _text(self.lang, "lang", required=True)
        for name in _TEXT_FIELDS:
            object.__setattr__(self, name, _text(getattr(self, name), name))
        if not (self.full_text.strip() or self.whatsapp_text.strip()):
            raise ValidationError(f"rebuttal {self.id}: full_text and whatsapp_text are both empty")
        claims = tuple(_text(c, "claim text", required=True) for c in _items(self.claim_texts, "claim_texts"))
        object.__setattr__(self, "claim_texts", claims)
        topics = tuple(_text(t, "topic", required=True) for t in _items(self.topics, "topics"))
        object.__setattr__(self, "topics", topics)
        object.__setattr__(self, "sources", tuple(
            _coerce(Source, s, "source") for s in _items(self.sources, "sources")))
        object.__setattr__(self, "appearances", tuple(
            _coerce(Appearance, a, "appearance") for a in _items(self.appearances, "appearances")))
        if not isinstance(self.translations, Mapping):
            raise ValidationError("translations must be a mapping of language to texts")
        translations = {}
        for lang, tr in self.translations.items():
            translations[_text(lang, "translation language", required=True)] = _coerce(
                Translation, tr, f"translation {lang!r}")
        object.__setattr__(self, "translations", translations)
        object.__setattr__(self, "approved_at", _timestamp(self.approved_at, "approved_at"))
        object.__setattr__(self, "published_at", _timestamp(self.published_at, "published_at"))
        for name in ("url", "organisation_url"):
            value = _text(getattr(self, name), name)
            if value and not is_http_url(value):
                raise ValidationError(f"{name} must be an http(s) URL, got {value[:80]!r}")
            object.__setattr__(self, name, value)

    @property
    def exported_at(self) -> str | None:
        """When this version went public: published, else approved."""
        return self.published_at or self.approved_at

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ExportRebuttal":
        """Build from a mapping (e.g. parsed JSON); unknown keys are an error."""
        return _coerce(cls, data, "rebuttal")


def canonical_url(base_url: str, rebuttal_id: int) -> str:
    """The public URL of a fact check: ``base_url`` (from settings) plus the id."""
    if not is_http_url(base_url):
        raise ValidationError(f"the public base URL must be an http(s) URL, got {base_url!r}")
    return f"{base_url.rstrip('/')}/{int(rebuttal_id)}"


def require_exportable(r: ExportRebuttal) -> None:
    """Refuse drafts, rebuttals in review and retracted ones."""
    if r.status not in EXPORTABLE_STATUSES:
        raise ValidationError(
            f"rebuttal {r.id} is {r.status}; only approved or published rebuttals can be exported")


@dataclass(frozen=True)
class ExportWarning:
    """Something an exporter changed or noticed, for the UI to flag.

    ``code`` is one of the ``W_*`` constants in ``desk.publish.clean``.
    """

    code: str
    message: str
    rebuttal_id: int | None = None
    field: str | None = None


T = TypeVar("T")


@dataclass(frozen=True)
class ExportResult(Generic[T]):
    """An export (``str``, ``bytes`` or, for JSON-LD, a ``dict``) and its warnings."""

    content: T
    media_type: str
    extension: str
    warnings: tuple[ExportWarning, ...] = ()

    def codes(self) -> set[str]:
        """The warning codes present, e.g. ``{"bidi_stripped"}``."""
        return {w.code for w in self.warnings}
