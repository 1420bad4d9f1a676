"""Showing untrusted text safely.  Pure functions: no Streamlit here.

Claim text, rebuttals, sources, display names and even error messages (which
quote user input) may contain HTML, scripts or Markdown such as
``[x](javascript:alert(1))``.  Streamlit renders Markdown in ``st.markdown``,
captions, alerts, titles and most widget labels, so anything untrusted that
goes there is escaped completely first with :func:`md_escape`; long texts are
shown with ``st.text``/``st.code`` instead, which never interpret markup.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# Every ASCII punctuation character CommonMark lets a backslash escape.  Escaping
# all of them (not only the ones that matter today) also defuses GFM autolinks
# (``http\:``, ``www\.``), Streamlit's ``:color[...]``/``:material/...:``
# directives, LaTeX ``$`` and raw HTML ``<``.
_MD_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)


def _hard_spaces(match: re.Match) -> str:
    # Leading spaces or tabs would start an indented code block; no-break spaces
    # keep the look without being Markdown indentation.
    return "\u00a0" * sum(4 if ch == "\t" else 1 for ch in match.group(0))


def md_escape(text: object) -> str:
    """``text`` as Markdown source that renders back to the same text (leading
    indentation as no-break spaces), with no links, images, HTML, emphasis,
    code blocks or directives."""
    value = _LINE_BREAKS.sub("\n", str(text))
    escaped = _INDENT.sub(_hard_spaces, _MD_PUNCTUATION.sub(r"\\\1", value))
    # A line break in an alert would otherwise need two trailing spaces; keep
    # lines apart without starting a new block structure.
    return escaped.replace("\n", "  \n")


def is_http_url(url: object) -> bool:
    """True for an absolute http(s) URL with a host (what may become a link button)."""
    if not isinstance(url, str) or not url or len(url) > 2000:
        return False
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def snippet(text: object, limit: int = 80) -> str:
    """One line of at most ``limit`` characters, for option labels and tables."""
    flat = " ".join(str(text or "").split())
    return flat if len(flat) <= limit else flat[: max(1, limit - 1)].rstrip() + "…"
