"""``xlroi check --junit-xml FILE``: one JUnit test case per workbook, for CI systems that read
JUnit reports (Jenkins, GitLab, Azure Pipelines, GitHub test-reporter actions).

Written with the standard library's ``xml.etree.ElementTree``: the format is a handful of
elements, ElementTree escapes text and attributes correctly, and the one dedicated package
(``junit-xml``) has had no release since 2023 and would be a dependency for twenty lines.
A stale workbook is a ``<failure>`` listing its cells; a workbook that could not be checked
is an ``<error>`` with its message and exit class.
"""
from __future__ import annotations

import os
import socket
import time
from typing import Sequence
from xml.etree import ElementTree as ET

from ..xlsx.package import write_atomically
from .work import CheckRecord

SUITE = "xlroi check"


def junit_xml(records: Sequence[CheckRecord], seconds: float) -> bytes:
    failures = sum(r.status == "differs" for r in records)
    errors = sum(r.status == "failed" for r in records)
    counts = {"tests": str(len(records)), "failures": str(failures), "errors": str(errors), "skipped": "0",
              "time": f"{seconds:.3f}"}
    root = ET.Element("testsuites", name=SUITE, **counts)
    suite = ET.SubElement(root, "testsuite", name=SUITE, **counts,
                          timestamp=time.strftime("%Y-%m-%dT%H:%M:%S"), hostname=socket.gethostname())
    for record in records:
        case = ET.SubElement(suite, "testcase", classname=_classname(record.path), name=record.path,
                             file=record.path, time=f"{record.seconds:.3f}")
        if record.status == "differs":
            report = record.report
            failure = ET.SubElement(case, "failure", type="stale",
                                    message=f"{record.stale} stale and {record.not_evaluated} not evaluated "
                                            f"of {report.compared} formula cells ({report.engine} engine)")
            failure.text = "\n".join(
                f"{d.ref}\t{d.status}\tcached={d.cached!s}\tcomputed={d.computed!s}\t={d.formula or ''}"
                for d in report.differences)
        elif record.status == "failed":
            ET.SubElement(case, "error", type=f"exit {record.exit_code}", message=record.error or "").text = record.error
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_junit_xml(path: str | os.PathLike, records: Sequence[CheckRecord], seconds: float) -> None:
    write_atomically(path, junit_xml(records, seconds))


def _classname(path: str) -> str:
    """JUnit viewers group cases by a dotted class name: the workbook's folder."""
    folder = os.path.dirname(path).replace("\\", "/").strip("./")
    return "xlroi." + folder.replace("/", ".") if folder else "xlroi"


__all__ = ["junit_xml", "write_junit_xml"]
