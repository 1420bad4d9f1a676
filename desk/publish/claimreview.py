"""ClaimReview (schema.org) JSON-LD for one rebuttal, and a validator.

Google's ClaimReview guidelines require ``claimReviewed``, ``reviewRating``
with ``alternateName`` (the human verdict) and ``url``; we also emit
``author`` (the organisation), ``datePublished``, ``inLanguage`` and
``itemReviewed`` (a ``Claim`` with its appearances and first-seen date).

Privacy: appearances with an http(s) link are published with the link; the
ones without (WhatsApp forwards, phone calls) only say the channel.  Group
names are private and never leave the desk.

``claimreview_script`` returns a ``<script type="application/ld+json">`` block
safe to paste into HTML: ``<``, ``>``, ``&``, U+2028 and U+2029 are written as
``\\uXXXX`` escapes, so neither ``</script>`` nor a line separator in a claim
can end the script or break JavaScript parsers.  The JSON value is unchanged.
"""
from __future__ import annotations

import json
from typing import Any

from desk.errors import ValidationError
from desk.publish.clean import W_TRUNCATED, clean_rebuttal
from desk.publish.model import (
    Appearance,
    ExportRebuttal,
    ExportResult,
    ExportWarning,
    parse_timestamp,
    require_exportable,
)
from desk.publish.sanitize import BIDI_CONTROLS, is_http_url, truncate_text
from desk.publish.verdicts import BEST_RATING, WORST_RATING, get_verdict

CLAIM_REVIEWED_MAX_CHARS = 500
SCHEMA_CONTEXTS = ("https://schema.org", "http://schema.org", "https://schema.org/", "http://schema.org/")

_CHANNEL_NAMES = {
    "whatsapp": "WhatsApp",
    "facebook": "Facebook",
    "x": "X (Twitter)",
    "twitter": "X (Twitter)",
    "youtube": "YouTube",
    "instagram": "Instagram",
    "telegram": "Telegram",
    "phone": "Phone call",
    "field_report": "Field report",
}
_HTML_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _date(ts: str) -> str:
    return parse_timestamp(ts).date().isoformat()


def _appearance(a: Appearance) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork"}
    if a.url:
        work["url"] = a.url
    else:
        channel = _CHANNEL_NAMES.get(a.channel.lower(), a.channel.strip() or "Unknown channel")
        work["name"] = f"Shared on {channel}"
    if a.first_seen:
        work["datePublished"] = _date(a.first_seen)
    return work


def _item_reviewed(r: ExportRebuttal) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "Claim"}
    seen = sorted((a for a in r.appearances if a.first_seen), key=lambda a: parse_timestamp(a.first_seen))
    if seen:
        item["datePublished"] = _date(seen[0].first_seen)
    linked = [a for a in seen if a.url] or [a for a in r.appearances if a.url]
    if linked:
        item["firstAppearance"] = _appearance(linked[0])
    if r.appearances:
        appearances, names = [], set()
        for a in r.appearances:
            work = _appearance(a)
            key = json.dumps(work, sort_keys=True)
            if key not in names:  # one "Shared on WhatsApp" is enough
                names.add(key)
                appearances.append(work)
        item["appearance"] = appearances
    return item


def claimreview_jsonld(r: ExportRebuttal) -> ExportResult[dict]:
    """The ClaimReview object for ``r`` (its primary claim, ``claim_texts[0]``).

    Raises ``ValidationError`` if the result would not be a valid ClaimReview:
    no claim, no public ``url``, no organisation, or no approval/publication date.
    """
    require_exportable(r)
    clean, cleaned_warnings = clean_rebuttal(r)
    warnings = list(cleaned_warnings)
    if not clean.claim_texts:
        raise ValidationError(f"rebuttal {r.id} answers no claim; ClaimReview needs one")
    claim, cut = truncate_text(" ".join(clean.claim_texts[0].split()), CLAIM_REVIEWED_MAX_CHARS)
    if cut:
        warnings.append(ExportWarning(
            W_TRUNCATED, f"claim shortened to {CLAIM_REVIEWED_MAX_CHARS} characters for claimReviewed",
            r.id, "claim 1"))
    verdict = get_verdict(clean.verdict)
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": verdict.label(clean.lang)}
    if verdict.rating is not None:
        rating.update(ratingValue=verdict.rating, bestRating=BEST_RATING, worstRating=WORST_RATING)
    author: dict[str, Any] = {"@type": "Organization", "name": " ".join(clean.organisation.split())}
    if clean.organisation_url:
        author["url"] = clean.organisation_url
    obj: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": clean.url,
        "claimReviewed": claim,
        "reviewRating": rating,
        "author": author,
        "datePublished": _date(clean.exported_at) if clean.exported_at else None,
        "inLanguage": clean.lang,
        "itemReviewed": _item_reviewed(clean),
    }
    if clean.title:
        obj["name"] = " ".join(clean.title.split())
    problems = validate_claimreview(obj)
    if problems:
        raise ValidationError(f"rebuttal {r.id} cannot be published as ClaimReview: " + "; ".join(problems))
    return ExportResult(obj, "application/ld+json", "jsonld", tuple(warnings))


def json_for_script(obj: Any) -> str:
    """Serialise ``obj`` as JSON that cannot end or break an HTML ``<script>``."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    # These characters can only occur inside JSON strings, where \\uXXXX is an
    # equivalent spelling, so replacing them textually keeps the value intact.
    return "".join(_HTML_UNSAFE.get(ch, ch) for ch in text)


def claimreview_script(r: ExportRebuttal) -> ExportResult[str]:
    """``claimreview_jsonld(r)`` wrapped in ``<script type="application/ld+json">``."""
    result = claimreview_jsonld(r)
    html = f'<script type="application/ld+json">{json_for_script(result.content)}</script>'
    return ExportResult(html, "text/html; charset=utf-8", "html", result.warnings)


def _nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _iso_date(value: Any) -> bool:
    try:
        parse_timestamp(value)
    except ValidationError:
        return False
    return True


def _check_work(work: Any, where: str, problems: list[str]) -> None:
    if not isinstance(work, dict):
        problems.append(f"{where} must be an object")
        return
    if "url" in work and not is_http_url(work["url"]):
        problems.append(f"{where}.url must be an http(s) URL")
    if "url" not in work and not _nonempty_str(work.get("name")):
        problems.append(f"{where} needs a url or a name")
    if "datePublished" in work and not _iso_date(work["datePublished"]):
        problems.append(f"{where}.datePublished is not an ISO-8601 date")


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def validate_claimreview(obj: Any) -> list[str]:
    """Problems that would make ``obj`` an invalid ClaimReview; empty when it is fine."""
    if not isinstance(obj, dict):
        return ["a ClaimReview must be a JSON object"]
    problems: list[str] = []
    if obj.get("@context") not in SCHEMA_CONTEXTS:
        problems.append("@context must be https://schema.org")
    if obj.get("@type") != "ClaimReview":
        problems.append("@type must be ClaimReview")
    if not is_http_url(obj.get("url")):
        problems.append("url is missing or not an http(s) URL")
    if not _nonempty_str(obj.get("claimReviewed")):
        problems.append("claimReviewed is missing")
    rating = obj.get("reviewRating")
    if not isinstance(rating, dict):
        problems.append("reviewRating is missing")
    else:
        if rating.get("@type") != "Rating":
            problems.append("reviewRating.@type must be Rating")
        if not _nonempty_str(rating.get("alternateName")):
            problems.append("reviewRating.alternateName is missing")
        if "ratingValue" in rating:
            value, best, worst = rating["ratingValue"], rating.get("bestRating"), rating.get("worstRating")
            if not (_number(value) and _number(best) and _number(worst)):
                problems.append("reviewRating needs numeric ratingValue, bestRating and worstRating")
            elif not worst <= value <= best or worst >= best:
                problems.append("reviewRating.ratingValue must lie between worstRating and bestRating")
    author = obj.get("author")
    if not isinstance(author, dict) or author.get("@type") not in ("Organization", "Person") \
            or not _nonempty_str(author.get("name")):
        problems.append("author must be an Organization or Person with a name")
    elif "url" in author and not is_http_url(author["url"]):
        problems.append("author.url must be an http(s) URL")
    if not _iso_date(obj.get("datePublished")):
        problems.append("datePublished is missing or not an ISO-8601 date")
    if not _nonempty_str(obj.get("inLanguage")):
        problems.append("inLanguage is missing")
    item = obj.get("itemReviewed")
    if not isinstance(item, dict) or item.get("@type") != "Claim":
        problems.append("itemReviewed must be a Claim")
    else:
        if "datePublished" in item and not _iso_date(item["datePublished"]):
            problems.append("itemReviewed.datePublished is not an ISO-8601 date")
        if "firstAppearance" in item:
            _check_work(item["firstAppearance"], "itemReviewed.firstAppearance", problems)
        appearances = item.get("appearance", [])
        if not isinstance(appearances, list):
            problems.append("itemReviewed.appearance must be a list")
        else:
            for i, work in enumerate(appearances):
                _check_work(work, f"itemReviewed.appearance[{i}]", problems)
    if any(ch in BIDI_CONTROLS for s in _strings(obj) for ch in s):
        problems.append("text contains bidi control characters")
    return problems
