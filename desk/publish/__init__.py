"""Pure exporters for approved and published rebuttals.

No SQL and no Streamlit: the publishing service loads rebuttals, checks
permissions, records pulls, builds ``ExportRebuttal`` objects and calls these.
Every exporter cleans the text first (``clean_rebuttal``) and returns an
``ExportResult`` whose ``warnings`` the UI shows next to the download.
"""
from desk.publish.bulletin import bulletin_markdown, escape_markdown
from desk.publish.claimreview import (
    claimreview_jsonld,
    claimreview_script,
    json_for_script,
    validate_claimreview,
)
from desk.publish.clean import WARNING_CODES, clean_rebuttal, scan_rebuttal
from desk.publish.model import (
    EXPORTABLE_STATUSES,
    Appearance,
    ExportRebuttal,
    ExportResult,
    ExportWarning,
    Source,
    Translation,
    canonical_url,
)
from desk.publish.records import to_csv, to_json
from desk.publish.verdicts import VERDICTS
from desk.publish.whatsapp import whatsapp_text

__all__ = [
    "EXPORTABLE_STATUSES",
    "VERDICTS",
    "WARNING_CODES",
    "Appearance",
    "ExportRebuttal",
    "ExportResult",
    "ExportWarning",
    "Source",
    "Translation",
    "bulletin_markdown",
    "canonical_url",
    "claimreview_jsonld",
    "claimreview_script",
    "clean_rebuttal",
    "escape_markdown",
    "json_for_script",
    "scan_rebuttal",
    "to_csv",
    "to_json",
    "validate_claimreview",
    "whatsapp_text",
]
