"""Where reports go: stdout, one file, or a folder of one file per vendor.

File names come from :func:`~provenance_cli.util.slug.slugify` of the vendor
name, so a vendor called ``../../x`` cannot write outside the folder; two
vendors with the same slug both get their dossier's file stem appended, in
a stable order. Everything is rendered before anything is written, and each
file is written atomically, so a template that fails midway leaves every
existing report as it was.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from provenance_cli.render.interface import InputFile, RenderContext, get_renderer
from provenance_cli.util.errors import UsageError

if TYPE_CHECKING:
    from provenance_cli.assessment.results import VendorResult

RESERVED = frozenset({"index", "summary"})
"""Names the folder layout uses itself (index.html, summary.csv)."""


def run_inputs(policy: Path | None) -> tuple[InputFile, ...]:
    """Run-wide input files for the report provenance: the policy file, when given."""
    from provenance_cli.render.document import file_sha256

    if policy is None or not policy.is_file():
        return ()
    return (InputFile("policy", str(policy), file_sha256(policy)),)


def report_names(results: Sequence[VendorResult]) -> list[str]:
    """A unique, safe file stem per result, in the results' order."""
    from provenance_cli.util.slug import slugify

    slugs = [slugify(r.vendor) for r in results]
    counts = Counter(slugs)
    wanted = [
        f"{slug}--{slugify(Path(r.source).stem)}" if counts[slug] > 1 or slug in RESERVED else slug
        for slug, r in zip(slugs, results, strict=True)
    ]
    names: list[str] = []
    taken: set[str] = set(RESERVED)
    for name in wanted:
        unique, n = name, 2
        while unique in taken:
            unique, n = f"{name}-{n}", n + 1
        taken.add(unique)
        names.append(unique)
    return names


def _folder_mode(output: Path, count: int, folder_input: bool) -> bool:
    if output.is_dir():
        return True
    if output.exists():
        if count > 1:
            raise UsageError(f"{output} is a file; several reports need a folder")
        return False
    return count > 1 or folder_input or not output.suffix or str(output).endswith(("/", "\\"))


def write_reports(
    results: Sequence[VendorResult],
    fmt: str,
    context: RenderContext,
    output: Path | None,
    *,
    rendered: Sequence[str | None] | None = None,
    folder_input: bool = False,
) -> list[Path]:
    """Render (unless ``rendered`` holds the texts already) and write; return what was written.

    Nothing is printed: the caller says what was written (one file, or a folder's worth).
    """
    from provenance_cli.util.files import atomic_write

    renderer = get_renderer(fmt)
    if output is None:
        sys.stdout.write(guard_render(lambda: renderer.render_many(list(results), context), fmt))
        return []
    folder = _folder_mode(output, len(results), folder_input)
    if renderer.combined:
        target = output / f"summary{renderer.suffix}" if folder else output
        files: dict[Path, str | None] = {target: guard_render(lambda: renderer.render_many(list(results), context), fmt)}
    else:
        texts: list[str | None] = list(rendered) if rendered is not None else [None] * len(results)
        for i, result in enumerate(results):
            if texts[i] is None:
                texts[i] = guard_render(lambda result=result: renderer.render(result, context), fmt)
        if folder:
            names = report_names(results)
            files = {output / f"{name}{renderer.suffix}": text for name, text in zip(names, texts, strict=True)}
            if fmt == "html":
                files[output / "index.html"] = guard_render(lambda: _index(results, names, context), fmt)
        else:
            files = {output: texts[0]}
    written = []
    for path, text in files.items():
        atomic_write(path, text or "")
        written.append(path)
    return written


def _index(results: Sequence[VendorResult], names: Sequence[str], context: RenderContext) -> str:
    from provenance_cli.render.document import report_document
    from provenance_cli.render.html import render_index

    rows = [(report_document(r, context), f"{name}.html") for r, name in zip(results, names, strict=True)]
    return render_index(rows, context)


def guard_render(make, fmt: str) -> str:  # type: ignore[no-untyped-def]
    """Turn a template failure into one readable error, before anything is written."""
    try:
        text: str = make()
    except (UsageError, OSError):
        raise
    except Exception as exc:
        raise UsageError(f"cannot render the {fmt} report: {type(exc).__name__}: {exc}") from None
    return text


@dataclass(frozen=True)
class ReportJob:
    """Render one vendor's report in the worker that assessed it (a picklable finisher).

    The assess pipeline calls it without knowing about formats; failures leave
    as :class:`UsageError` naming the format, before anything is written.
    """

    fmt: str
    context: RenderContext

    def __call__(self, result: VendorResult) -> str:
        """The report text for ``result`` in this job's format; a template failure is a UsageError naming the format."""
        renderer = get_renderer(self.fmt)
        return guard_render(lambda: renderer.render(result, self.context), self.fmt)
