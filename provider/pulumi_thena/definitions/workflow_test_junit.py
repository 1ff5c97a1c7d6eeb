"""Workflow test reports as JUnit XML, the format CI systems read test results from.

One ``testsuite`` per stack and test file (``stacks/tests/x.yaml on local``), one ``testcase``
per case (``classname`` the stack and the file's dotted path, ``file`` and ``line`` where the
case is written), a ``failure`` with every mismatch, a ``skipped`` with its reason; a file that
cannot be run is a ``testcase`` with an ``error``. Every text is made safe first: a control
character is shown as its escape, never written raw (XML 1.0 cannot hold most of them).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from pulumi_thena.client.safe_text import terminal_safe
from pulumi_thena.definitions.workflow_tests import (
    FAILED,
    SKIPPED,
    CaseResult,
    WorkflowTestReport,
)

SUITES_NAME = "thena-workflows test"


def junit_xml(reports: Sequence[WorkflowTestReport]) -> str:
    """The reports (one per stack) as one JUnit XML document."""
    root = ET.Element("testsuites", name=SUITES_NAME)
    for report in reports:
        for file in report.files:
            cases = [case for case in report.cases if case.file == file]
            problems = [str(problem) for problem in report.problems if problem.file == file]
            _suite(root, report.stack, file, cases, problems)
        orphans = [str(p) for p in report.problems if p.file not in report.files]
        if orphans:
            _suite(root, report.stack, "(test files)", [], orphans)
    for name in ("tests", "failures", "errors", "skipped"):
        root.set(name, str(sum(int(suite.get(name, "0")) for suite in root)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _suite(
    root: ET.Element, stack: str, file: str, cases: Sequence[CaseResult], problems: Sequence[str]
) -> None:
    suite = ET.SubElement(root, "testsuite", name=_safe(f"{file} on {stack}"), file=_safe(file))
    classname = _safe(f"{stack}." + file.rsplit(".", 1)[0].replace("/", "."))
    for case in cases:
        attributes = {"classname": classname, "name": _safe(case.name), "file": _safe(file)}
        if case.line:
            attributes["line"] = str(case.line)
        element = ET.SubElement(suite, "testcase", attributes)
        if case.outcome == FAILED:
            lines = case.failure_lines()
            failure = ET.SubElement(element, "failure", message=_safe(lines[0]), type="mismatch")
            failure.text = "\n".join(_safe(line) for line in lines)
        elif case.outcome == SKIPPED:
            ET.SubElement(element, "skipped", message=_safe(case.skip_reason or ""))
    if problems:
        element = ET.SubElement(suite, "testcase", classname=classname, name="(the file)")
        error = ET.SubElement(element, "error", message=_safe(problems[0]), type="file")
        error.text = "\n".join(_safe(problem) for problem in problems)
    suite.set("tests", str(len(cases) + (1 if problems else 0)))
    suite.set("failures", str(sum(1 for case in cases if case.outcome == FAILED)))
    suite.set("errors", str(1 if problems else 0))
    suite.set("skipped", str(sum(1 for case in cases if case.outcome == SKIPPED)))


def _safe(text: str) -> str:
    return terminal_safe(text)
