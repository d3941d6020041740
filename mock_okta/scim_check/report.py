"""The report of a run: readable text for people, JUnit XML (one testcase per step) for CI."""

import json
import xml.etree.ElementTree as ET

from mock_okta.scim_check.check import CheckReport
from mock_okta.scim_check.judging import Outcome, StepResult, path_of
from mock_okta.scim_check.org import DIALECTS

_BODY_LIMIT = 600
_DIALECT_NAMES = {"custom": "custom app (GET + PUT)", "oin": "OIN (PATCH)"}


def summary(report: CheckReport) -> str:
    """`12 passed, 2 failed` (and skipped, when any)."""
    text = f"{report.count(Outcome.PASS)} passed, {report.count(Outcome.FAIL)} failed"
    skipped = report.count(Outcome.SKIP)
    return f"{text}, {skipped} skipped" if skipped else text


def exchange_line(exchange: dict, base_url: str) -> str:
    """`Okta: PUT /Users/42 → 200`."""
    path = path_of(exchange, base_url)
    status = exchange["status"] if exchange["status"] is not None else "no answer"
    return f"{exchange['by']}: {exchange['method']} {path} → {status}"


def _body(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= _BODY_LIMIT else text[:_BODY_LIMIT] + "…"


def _failure_lines(result: StepResult, base_url: str) -> list[str]:
    lines = [f"expected: {result.expected}", f"got:      {result.got}"]
    if result.deciding is not None:
        exchange = result.deciding
        lines.append(f"decided by {exchange_line(exchange, base_url)}")
        if exchange["requestBody"] is not None:
            lines.append(f"  request:  {_body(exchange['requestBody'])}")
        if exchange["responseBody"] is not None:
            lines.append(f"  response: {_body(exchange['responseBody'])}")
    if result.exchanges:
        lines.append("exchanges of this step:")
        lines += [f"  {exchange_line(e, base_url)}" for e in result.exchanges]
    return lines


def text_report(report: CheckReport) -> str:
    """The run as people read it: each step, why it failed, the summary, the clean-up."""
    lines = [
        f"Okta SCIM checks against {report.base_url}",
        f"dialect: {_DIALECT_NAMES[report.dialect]}, the connection's {DIALECTS[report.dialect]}",
        "",
    ]
    for result in report.results:
        line = f"{result.outcome.value:4}  {result.name}"
        if result.outcome == Outcome.PASS and result.deciding is not None:
            line = f"{line:40} {exchange_line(result.deciding, report.base_url)}"
        lines.append(line)
        if result.outcome == Outcome.SKIP:
            lines.append(f"      {result.reason}")
        elif result.outcome == Outcome.FAIL:
            lines += [f"      {text}" for text in _failure_lines(result, report.base_url)]
    lines += ["", summary(report)]
    if report.cleanup:
        lines.append("clean-up: " + "; ".join(report.cleanup))
    if report.leftovers:
        lines.append("could not remove: " + "; ".join(report.leftovers))
    return "\n".join(lines)


def junit_xml(report: CheckReport) -> bytes:
    """One <testsuite> of one <testcase> per step; failures carry expected vs got."""
    suite = ET.Element(
        "testsuite",
        name=f"scim-check {report.dialect}",
        tests=str(len(report.results)),
        failures=str(report.count(Outcome.FAIL)),
        skipped=str(report.count(Outcome.SKIP)),
        errors="0",
    )
    classname = f"scim_check.{report.dialect}"
    for result in report.results:
        case = ET.SubElement(suite, "testcase", classname=classname, name=result.name)
        if result.outcome == Outcome.FAIL:
            failure = ET.SubElement(case, "failure", message=result.reason)
            failure.text = "\n".join(_failure_lines(result, report.base_url))
        elif result.outcome == Outcome.SKIP:
            ET.SubElement(case, "skipped", message=result.reason)
        if result.exchanges:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(exchange_line(e, report.base_url) for e in result.exchanges)
    ET.SubElement(suite, "system-out").text = "\n".join(
        [
            *(f"removed: {line}" for line in report.cleanup),
            *(f"left: {line}" for line in report.leftovers),
        ]
    )
    return ET.tostring(ET.ElementTree(suite).getroot(), encoding="utf-8", xml_declaration=True)
