"""Publishing: coordinators pull approved and published rebuttals as files or text.

``PullService.available`` decides what may be handed out (live versions only,
by region with descendants and ancestors, topic and date); ``desk.publish``
renders it; ``PullService.record`` writes who took which version, when and for
which region, so a later correction or retraction reaches them
(``PullService.corrections``).

Shared settings used here (``svc.settings``): ``publish.base_url`` (the public
address of fact checks; a rebuttal's URL is ``<base_url>/<id>``, required for
ClaimReview), ``publish.organisation`` and ``publish.organisation_url``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Sequence

from desk.clock import Clock, iso, parse_iso
from desk.domain import Rebuttal
from desk.errors import NotFound, ValidationError
from desk.publish import (
    ExportRebuttal, ExportWarning, Source as ExportSource, Translation, bulletin_markdown,
    canonical_url, claimreview_jsonld, json_for_script, to_csv, to_json,
)
from desk.publish import whatsapp_text as render_whatsapp
from desk.publish.model import Appearance
from desk.services import validate
from desk.services.base import Service
from desk.services.pulls import PullService
from desk.services.rebuttals import live_view
from desk.store import Store
from desk.store import claims as claims_repo
from desk.store import library as library_repo
from desk.store import regions as regions_repo
from desk.store import settings as settings_repo
from desk.store import users as users_repo

FORMATS = ("whatsapp", "claimreview", "csv", "json", "bulletin")
BASE_URL_KEY = "publish.base_url"
ORGANISATION_KEY = "publish.organisation"
ORGANISATION_URL_KEY = "publish.organisation_url"
DEFAULT_ORGANISATION = "Fact Desk"
MAX_EXPORT = 1000
BULLETIN_DAYS = 7
WHATSAPP_SEPARATOR = "\n\n――――――――――\n\n"
_MIME = {"whatsapp": ("text/plain; charset=utf-8", "txt"),
         "claimreview": ("application/ld+json", "jsonld"),
         "csv": ("text/csv; charset=utf-8", "csv"),
         "json": ("application/json", "json"),
         "bulletin": ("text/markdown; charset=utf-8", "md")}


@dataclass(frozen=True)
class ExportFile:
    """A rendered export: what to offer for download, and what the exporter noticed."""

    filename: str
    mime: str
    data: bytes
    warnings: tuple[ExportWarning, ...] = ()
    count: int = 0
    rebuttal_ids: tuple[int, ...] = field(default_factory=tuple)


class PublishingService(Service):
    """``svc.publishing``: exports and the forwardable WhatsApp text (``pull.create``)."""

    def __init__(self, store: Store, clock: Clock | None = None, *, pulls: PullService,
                 whatsapp_max_chars: int = 1000, detect_lang: Any = None) -> None:
        super().__init__(store, clock)
        self.pulls = pulls
        self.whatsapp_max_chars = int(whatsapp_max_chars)
        self.detect_lang = detect_lang

    def export(self, actor_id: int, fmt: str, *, rebuttal_ids: Sequence[int] | None = None,
               region_code: str | None = None, topic: str | None = None, lang: str | None = None,
               since: str | None = None, until: str | None = None) -> ExportFile:
        """Render the live versions of the rebuttals the filters select (or of
        ``rebuttal_ids`` among them) and record one pull per rebuttal version.

        ``lang`` keeps rebuttals written in that language or translated into it,
        and renders them in it.  Formats: ``whatsapp`` (one message per rebuttal,
        each within ``Settings.whatsapp_max_chars``), ``claimreview`` (a JSON-LD
        array, safe inside ``<script>``), ``csv`` (formula cells neutralised),
        ``json``, ``bulletin`` (Markdown for the region and dates; the last
        week when no dates are given).
        """
        self.require(actor_id, "pull.create", entity="rebuttal")
        if fmt not in FORMATS:
            raise ValidationError(f"unknown export format {fmt!r}; use {', '.join(FORMATS)}")
        lang = validate.text(lang, "language", max_chars=20, required=False)
        since = validate.timestamp(since, "since")
        until = validate.timestamp(until, "until")
        if fmt == "bulletin":
            until = until or self.now()
            since = since or iso(parse_iso(until) - timedelta(days=BULLETIN_DAYS))
        if since and until and since > until:
            raise ValidationError("the start of the date range is after its end")
        rebuttals = self.pulls.available(actor_id, region_code=region_code, topic=topic,
                                         since=since, until=until, limit=MAX_EXPORT)
        if lang:
            rebuttals = [r for r in rebuttals if _speaks(r, lang)]
        if rebuttal_ids is not None:
            wanted = list(dict.fromkeys(int(i) for i in rebuttal_ids))
            by_id = {r.id: r for r in rebuttals}
            missing = [i for i in wanted if i not in by_id]
            if missing:
                raise ValidationError(
                    f"rebuttal {missing[0]} cannot be exported with these filters (not approved "
                    "or published, or outside the region, topic, language or dates)")
            rebuttals = [by_id[i] for i in wanted]
        if not rebuttals and fmt != "bulletin":
            raise ValidationError("no approved or published rebuttals match these filters")
        rows = [self._export_row(r) for r in rebuttals]
        data, warnings, rows = self._render(fmt, rows, lang=lang, region_code=region_code,
                                            since=since, until=until, actor_id=actor_id)
        if rows:
            self.pulls.record(actor_id, [(r.id, r.version_no) for r in rows], fmt=fmt,
                              region_code=region_code)
        mime, ext = _MIME[fmt]
        stamp = self.now().replace("-", "").replace(":", "")
        return ExportFile(filename=f"factdesk-{fmt}-{stamp}.{ext}", mime=mime, data=data,
                          warnings=tuple(warnings), count=len(rows),
                          rebuttal_ids=tuple(r.id for r in rows))

    def whatsapp_text(self, actor_id: int, rebuttal_id: int, *, lang: str | None = None) -> str:
        """The forwardable WhatsApp message of a rebuttal's live version; records a
        pull (format ``copy``) so a later correction reaches whoever copied it."""
        self.require(actor_id, "pull.create", entity="rebuttal", entity_id=rebuttal_id)
        lang = validate.text(lang, "language", max_chars=20, required=False)
        rebuttal = library_repo.get_rebuttal(self.store, rebuttal_id)
        if rebuttal is None or rebuttal.live_version_no is None:
            raise NotFound(f"rebuttal {rebuttal_id} is not approved or published")
        row = self._export_row(live_view(self.store, rebuttal))
        text = render_whatsapp(row, max_chars=self.whatsapp_max_chars, lang=lang).content
        self.pulls.record(actor_id, [(row.id, row.version_no)], fmt="copy")
        return text

    # -- building the exporters' view ---------------------------------------------------------

    def _setting(self, key: str) -> str:
        found = settings_repo.get(self.store, key)
        value = found[0] if found else None
        return value.strip() if isinstance(value, str) else ""

    def _export_row(self, rebuttal: Rebuttal) -> ExportRebuttal:
        version = rebuttal.current
        if version is None or version.version_no != rebuttal.live_version_no:
            raise NotFound(f"rebuttal {rebuttal.id} has no live version")
        claims = claims_repo.get_many(self.store, list(rebuttal.claim_ids))
        sources: list[ExportSource] = []
        seen: set[str] = set()
        facts = library_repo.get_facts(self.store, list(version.fact_ids))
        for s in [*version.links, *(s for f in facts for s in f.sources)]:
            if s.url not in seen:
                seen.add(s.url)
                sources.append(ExportSource(url=s.url, title=s.title or "",
                                            publisher=s.publisher or "", date=s.date or ""))
        region = regions_repo.get(self.store, rebuttal.region_id) if rebuttal.region_id else None
        names = users_repo.display_names(
            self.store, [i for i in (version.author_id, version.approved_by) if i])
        base = self._setting(BASE_URL_KEY)
        lang = version.lang or rebuttal.lang or self._detect(version.full_text)
        return ExportRebuttal(
            id=rebuttal.id, version_no=version.version_no,
            status="published" if version.published_at else "approved",
            verdict=str(version.verdict), lang=lang, full_text=version.full_text,
            whatsapp_text=version.whatsapp_text, title=version.title,
            claim_texts=tuple(c.text for c in claims),
            translations={code: Translation(full_text=t.get("full_text", ""),
                                            whatsapp_text=t.get("whatsapp_text", ""))
                          for code, t in (version.translations or {}).items()},
            sources=tuple(sources),
            appearances=tuple(Appearance(channel=str(c.channel), url=c.source_url or "",
                                         group=c.source_group or "", first_seen=c.first_seen_at)
                              for c in claims),
            author=names.get(version.author_id, ""),
            reviewer=names.get(version.approved_by, "") if version.approved_by else "",
            approved_at=version.approved_at, published_at=version.published_at,
            region_code=region.code if region else "", region_name=region.name if region else "",
            topics=tuple(rebuttal.topics),
            url=canonical_url(base, rebuttal.id) if base else "",
            organisation=self._setting(ORGANISATION_KEY) or DEFAULT_ORGANISATION,
            organisation_url=self._setting(ORGANISATION_URL_KEY))

    def _detect(self, text: str) -> str:
        if self.detect_lang is not None:
            try:
                return str(self.detect_lang(text).lang) or "und"
            except Exception:  # noqa: BLE001 - a language guess must never block an export
                return "und"
        return "und"

    def _render(self, fmt: str, rows: list[ExportRebuttal], *, lang: str | None,
                region_code: str | None, since: str | None, until: str | None,
                actor_id: int) -> tuple[bytes, list[ExportWarning], list[ExportRebuttal]]:
        """The file's bytes, the exporters' warnings and the rows actually exported."""
        warnings: list[ExportWarning] = []
        if fmt == "whatsapp":
            texts = []
            for r in rows:
                made = render_whatsapp(r, max_chars=self.whatsapp_max_chars, lang=lang)
                texts.append(made.content)
                warnings += made.warnings
            return (WHATSAPP_SEPARATOR.join(texts) + "\n").encode("utf-8"), warnings, rows
        if fmt == "claimreview":
            if not self._setting(BASE_URL_KEY):
                raise ValidationError(
                    "ClaimReview needs the public address of your fact checks: set the desk "
                    f"setting {BASE_URL_KEY} (e.g. https://example.org/fact-checks) first")
            objects, exported = [], []
            for r in rows:
                try:
                    made = claimreview_jsonld(r)
                except ValidationError as exc:
                    # One rebuttal that cannot be a ClaimReview (no claim linked) is left
                    # out with a warning; the others are still published.
                    warnings.append(ExportWarning("skipped", str(exc), r.id))
                    continue
                objects.append(made.content)
                exported.append(r)
                warnings += made.warnings
            if rows and not exported:
                raise ValidationError("none of these rebuttals can be published as ClaimReview: "
                                      + "; ".join(w.message for w in warnings[:3]))
            return (json_for_script(objects) + "\n").encode("utf-8"), warnings, exported
        if fmt == "csv":
            made = to_csv(rows)
            return made.content, list(made.warnings), rows
        if fmt == "json":
            made = to_json(rows, generated_at=self.now())
            return made.content, list(made.warnings), rows
        region_name = self._region_name(region_code, actor_id)
        assert since is not None and until is not None
        made = bulletin_markdown(rows, region=region_name, start=since[:10], end=until[:10],
                                 lang=lang or "en")
        return made.content.encode("utf-8"), list(made.warnings), rows

    def _region_name(self, region_code: str | None, actor_id: int) -> str:
        region = None
        if region_code and region_code.strip():
            region = regions_repo.by_code(self.store, region_code.strip())
        else:
            actor = users_repo.get(self.store, actor_id)
            if actor is not None and actor.region_id is not None:
                region = regions_repo.get(self.store, actor.region_id)
        return region.name if region else ""


def _speaks(rebuttal: Rebuttal, lang: str) -> bool:
    """Written in ``lang`` or translated into it (live version)."""
    version = rebuttal.current
    own = (version.lang if version else None) or rebuttal.lang
    return own == lang or bool(version and lang in (version.translations or {}))


__all__ = ["ExportFile", "FORMATS", "PublishingService"]
