"""JUnit XML: one test case per vendor and gate, for CI systems that show test reports.

Each gate ``assess`` was given (``--fail-on LEVEL``, ``--fail-on-stale``) is
a test case per vendor that fails exactly when that vendor trips that gate,
so the report and the exit code always agree. Without a gate each vendor is
one passing test case that records its decision. A file that could not be
assessed is a test case with an error, at its problem's file and line. The
decision, tier, score and findings travel in each case's ``system-out``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from provenance_cli.render.interface import CombinedRenderer, RenderContext

if TYPE_CHECKING:
    from provenance_cli.assessment.results import VendorResult

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot hold at all, not even escaped (a vendor name may carry them from a YAML escape)."""

NO_GATE = "decision"
"""The test case name when no gate was set: the vendor was assessed and got a decision."""


def _details(result: VendorResult) -> str:
    """What a reviewer reads under a test case: the decision in words and every finding with its place."""
    lines = [
        f"{result.vendor} ({result.source})",
        f"decision: {result.decision.outcome}: {result.decision.summary}",
        f"tier: {result.tier}; overall score {result.overall:.1f}/100; confidence {result.confidence:.0f}%",
    ]
    for entry in result.findings:
        line, column = result.position_of(entry.question_id)
        waived = " (waived)" if entry.waiver is not None else ""
        lines.append(f"{result.source}:{line}:{column}: {entry.severity} {entry.rule_id}{waived}: {entry.message}")
    return "\n".join(lines) + "\n"


def _case(suite: ET.Element, classname: str, name: str, file: str, line: int | None = None) -> ET.Element:
    case = ET.SubElement(suite, "testcase", {"classname": classname, "name": name, "file": file, "time": "0"})
    if line:
        case.set("line", str(line))
    return case


def junit_xml(results: Sequence[VendorResult], context: RenderContext) -> str:
    """The JUnit XML document for an assessment (one ``testsuite`` inside ``testsuites``)."""
    from provenance_cli.assessment.gates import AssessmentGate

    gate = context.gate or AssessmentGate()
    root = ET.Element("testsuites", {"name": "provcheck"})
    suite = ET.SubElement(root, "testsuite", {"name": "provcheck assess", "timestamp": context.generated_at, "time": "0"})
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", {"name": "gates", "value": " ".join(gate.names) or "none"})
    tests = failures = errors = 0
    for result in results:
        verdicts = gate.reasons(result) or {NO_GATE: []}
        line = result.position_of(None)[0]
        for name, reasons in verdicts.items():
            tests += 1
            case = _case(suite, f"provcheck.{result.vendor}", name, result.source, line)
            if reasons:
                failures += 1
                failure = ET.SubElement(case, "failure", {"message": "; ".join(reasons), "type": "gate"})
                failure.text = "\n".join(reasons) + "\n"
            ET.SubElement(case, "system-out").text = _details(result)
    for problem in context.problems:
        tests += 1
        errors += 1
        case = _case(suite, "provcheck.input", problem.source, problem.source, problem.line or None)
        error = ET.SubElement(case, "error", {"message": problem.message, "type": "input"})
        error.text = f"{problem}\n"
    for element in (root, suite):
        element.set("tests", str(tests))
        element.set("failures", str(failures))
        element.set("errors", str(errors))
    suite.set("skipped", "0")
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _NOT_XML.sub("\ufffd", text) + "\n"


class JunitRenderer(CombinedRenderer):
    """The ``junit`` format: one JUnit XML report for the whole run."""

    name = "junit"
    suffix = ".xml"

    def render_many(self, results: Sequence[VendorResult], context: RenderContext) -> str:
        """One report for every vendor, as CI test-report readers expect one file per run."""
        return junit_xml(results, context)
