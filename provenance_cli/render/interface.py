"""The one interface every report format implements, and the registry of formats.

A renderer turns one :class:`~provenance_cli.assessment.results.VendorResult` into text.
Each format lives in its own module (``markdown``, ``html``, ``json_report``,
``csv_report``) and is imported only when asked for, so ``provcheck --help``
never pays for jinja2. Adding a format is one new module and one registry line.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from provenance_cli.assessment.gates import AssessmentGate
    from provenance_cli.assessment.results import VendorResult
    from provenance_cli.util.errors import Problem


@dataclass(frozen=True)
class InputFile:
    """A file the report depends on, for the report's provenance."""

    role: str
    """``policy`` (per run) or ``dossier`` / ``evidence_lock`` (per vendor)."""
    path: str
    """The file as the user named it."""
    sha256: str
    """Digest of the file's bytes."""


@dataclass(frozen=True)
class RenderContext:
    """What every renderer needs beside the result; small and picklable."""

    generated_at: str = field(default_factory=lambda: datetime.now(timezone.utc).replace(microsecond=0).isoformat())
    """ISO 8601 UTC time of the run; the only field allowed to differ between runs."""
    template_dir: str | None = None
    """An organisation's own templates, searched before the bundled ones."""
    inputs: tuple[InputFile, ...] = ()
    """Run-wide input files (the policy file when one was given)."""
    catalogue_dir: str | None = None
    """Questionnaire folder (default: the bundled questionnaires)."""
    catalogue_dirs: tuple[str, ...] = ()
    """The organisation's questionnaire folders this run adds (``--questionnaires`` and the policy's)."""
    gate: AssessmentGate | None = None
    """The gates the run was given, for formats that report each one (JUnit: a test case per vendor and gate)."""
    problems: tuple[Problem, ...] = ()
    """Files of the run that could not be assessed, for formats that report them too (SARIF, JUnit)."""

    def catalogue(self):  # type: ignore[no-untyped-def]
        """The questionnaire catalogue of this run, loaded on demand (and cached) so the context stays small and picklable."""
        from provenance_cli.formats.questionnaires import load_catalogue

        return load_catalogue(self.catalogue_dir, self.catalogue_dirs)


class Renderer(ABC):
    """One output format."""

    name: str
    """Format name on the command line (``md``, ``html``, ``json``, ``csv``, ``pdf``)."""
    suffix: str
    """File suffix of a written report, with the dot."""
    combined: bool = False
    """True when several vendors make one file (a summary), not one file each."""
    binary: bool = False
    """True when the report is bytes (a PDF), not text."""

    def check(self) -> None:
        """Raise a UsageError before any work when the format cannot be written here (a missing optional library)."""
        return None

    @abstractmethod
    def render(self, result: VendorResult, context: RenderContext) -> str:
        """The report for one vendor."""

    def render_many(self, results: Sequence[VendorResult], context: RenderContext) -> str:
        """Several vendors in one stream (stdout); formats override to stay well-formed."""
        return "\n".join(self.render(result, context) for result in results)

    def render_bytes(self, result: VendorResult, context: RenderContext) -> bytes:
        """The report for one vendor as the bytes of its file: text as UTF-8, a binary format's bytes as they are.

        A format that can make the bytes directly overrides this (JSON: a portfolio writes thousands, no text in between).
        """
        report: str | bytes = self.render(result, context)
        return report if isinstance(report, bytes) else report.encode("utf-8")


class CombinedRenderer(Renderer):
    """A format that makes one file of every vendor (csv, sarif, junit): one vendor's report is that file with one vendor."""

    combined = True

    def render(self, result: VendorResult, context: RenderContext) -> str:
        """The combined file holding ``result`` alone."""
        return self.render_many([result], context)

    @abstractmethod
    def render_many(self, results: Sequence[VendorResult], context: RenderContext) -> str:
        """One file for every vendor of the run."""


_REGISTRY: dict[str, str] = {
    "md": "provenance_cli.render.markdown:MarkdownRenderer",
    "html": "provenance_cli.render.html:HtmlRenderer",
    "json": "provenance_cli.render.json_report:JsonRenderer",
    "csv": "provenance_cli.render.csv_report:CsvRenderer",
    "pdf": "provenance_cli.render.pdf:PdfRenderer",
    "sarif": "provenance_cli.render.sarif:SarifRenderer",
    "junit": "provenance_cli.render.junit:JunitRenderer",
}
ALIASES = {"markdown": "md"}


def formats() -> tuple[str, ...]:
    """Registered format names, in a stable order."""
    return tuple(_REGISTRY)


def get_renderer(name: str) -> Renderer:
    """The renderer registered as ``name``; KeyError when there is none."""
    key = ALIASES.get(name.lower(), name.lower())
    module_name, class_name = _REGISTRY[key].split(":")
    renderer: Renderer = getattr(importlib.import_module(module_name), class_name)()
    return renderer
