"""jinja2 environments for the Markdown and HTML reports, built once per process.

Templates come from the bundled ``templates/`` folder; ``--template-dir``
puts an organisation's own folder in front (a ChoiceLoader), so a branded
``report.html.j2`` replaces ours while everything else falls back.

Escaping is the renderer's job, never the template author's alone:

* HTML environments autoescape everything; URLs pass through
  :func:`safe_url`, which only lets http(s) become a link.
* Markdown has no autoescape in jinja2, so the Markdown environment
  escapes every printed value itself (``finalize=md_finalize``): text
  becomes inert inline Markdown (:func:`md_text`) unless it is an
  :class:`MdSafe` the renderer assembled from escaped parts; link targets
  are made safe by :func:`md_url`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

from provenance_cli.formats.vocabulary import DECISIONS, SEVERITIES, TIERS

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029\x85]+\s*")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&$!])")
_MD_LEADING = re.compile(r"^([-+=]|\d+(?=[.)](?:\s|$)))")
_SAFE_SCHEMES = ("http", "https")


_WEB_URL = re.compile(r"https?://[^/?#@\s]*[^/?#\s]", re.IGNORECASE)
_SPACE = re.compile(r"\s")


def safe_url(url: Any) -> str | None:
    """``url`` when it is a plain http(s) URL with a host, else None (shown as text)."""
    if not isinstance(url, str):
        return None
    return _safe_url(url)


@lru_cache(maxsize=1 << 14)
def _safe_url(url: str) -> str | None:
    text = url.strip()
    if not _WEB_URL.match(text) or _CONTROL.search(text) or _SPACE.search(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in _SAFE_SCHEMES or not parts.netloc:
        return None
    return text


class MdSafe(str):
    """Markdown the renderer built itself from escaped parts; printed as is."""

    __slots__ = ()


def md_finalize(value: Any) -> str:
    """Applied by jinja2 to every ``{{ ... }}`` of a Markdown template: escape unless built safe."""
    if type(value) is str:
        return _md_cached(value)
    if isinstance(value, MdSafe):
        return value
    if value is None:
        return ""
    return md_text(value)


@lru_cache(maxsize=1 << 16)
def _md_cached(value: str) -> str:
    return md_text(value)


def md_text(value: Any) -> str:
    """Text as inert inline Markdown: one line, no markup, no raw HTML, safe in a table cell."""
    if value is None:
        return ""
    if isinstance(value, MdSafe):
        return value
    text = _CONTROL.sub("", str(value))
    text = _BREAKS.sub(" ", text).strip()
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LEADING.sub(lambda m: m.group(1) + "\\" if m.group(1)[0].isdigit() else "\\" + m.group(1), text)


@lru_cache(maxsize=1 << 14)
def _md_url(url: str) -> str | None:
    safe = _safe_url(url)
    if safe is None:
        return None
    return quote(safe, safe=":/?#@!$&'*+,;=%~-._")


def md_url(url: Any) -> str | None:
    """A link destination that cannot end the link, split a table or carry a script."""
    return _md_url(url) if isinstance(url, str) else None


DECISION_LABELS = {
    "approve": "APPROVE",
    "approve_with_conditions": "APPROVE WITH CONDITIONS",
    "incomplete": "INCOMPLETE",
    "reject": "REJECT",
}
"""How each decision reads in a report heading: words, never the machine value."""


def decision_label(outcome: object) -> str:
    """A decision as a heading reads it (``approve_with_conditions`` -> ``APPROVE WITH CONDITIONS``)."""
    return DECISION_LABELS.get(str(outcome), str(outcome).replace("_", " ").upper())


_ID_BREAKS = re.compile(r"([._/])")


def wbr(value: Any) -> Any:
    """An id or dotted name, HTML-escaped, with a line-break opportunity after each ``.``, ``_`` and ``/``.

    Ids such as ``export_control.parent_jurisdiction_of_concern`` then wrap at
    their own separators instead of mid-word, on screen and on paper.
    """
    from markupsafe import Markup, escape

    return Markup(_ID_BREAKS.sub(r"\1<wbr>", str(escape("" if value is None else value))))


def css_string(value: Any) -> Any:
    """Text as a quoted CSS string for a stylesheet (the vendor name in a printed page's running header).

    Every character that is not a letter, a digit or a space becomes a CSS
    escape, so no quote, backslash, ``<`` or line break can end the string or
    the ``<style>`` element; control characters are dropped.
    """
    from markupsafe import Markup

    text = _CONTROL.sub("", " ".join(str("" if value is None else value).split()))
    escaped = "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in text[:120])
    return Markup(f'"{escaped}"')


def score(value: Any, places: int = 1) -> str:
    """A number to ``places`` decimals for templates; anything that is not a number renders empty rather than failing the report."""
    try:
        return f"{float(value):.{places}f}"
    except (TypeError, ValueError):
        return ""


def pct(value: Any) -> str:
    """A number as a whole percentage for templates; anything that is not a number renders empty."""
    try:
        return f"{float(value):.0f}%"
    except (TypeError, ValueError):
        return ""


def _version() -> str:
    from provenance_cli import __version__

    return __version__


@lru_cache(maxsize=8)
def environment(kind: str, template_dir: str | None = None):  # type: ignore[no-untyped-def]
    """The cached jinja2 Environment for ``kind`` (``html`` or ``md``)."""
    import jinja2

    from provenance_cli.util.resources import data_dir

    loaders: list[jinja2.BaseLoader] = []
    if template_dir:
        loaders.append(jinja2.FileSystemLoader(template_dir))
    loaders.append(jinja2.FileSystemLoader(str(data_dir("templates"))))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=kind == "html",
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=64,
        finalize=md_finalize if kind == "md" else None,
    )
    env.filters.update(score=score, pct=pct, safe_url=safe_url, decision_label=decision_label, wbr=wbr, css_string=css_string)
    env.globals.update(version=_version(), tiers=TIERS, severities=SEVERITIES, decisions=DECISIONS)
    if kind == "md":
        env.filters.update(md=md_text, md_url=md_url)
    return env


def template(kind: str, name: str, template_dir: str | None = None):  # type: ignore[no-untyped-def]
    """The cached template ``name`` of ``kind`` (``html`` or ``md``); ``template_dir`` is searched before the bundled templates."""
    return _template(kind, name, template_dir)


@lru_cache(maxsize=32)
def _template(kind: str, name: str, template_dir: str | None):  # type: ignore[no-untyped-def]
    return environment(kind, template_dir).get_template(name)
