"""JUnit XML for CI systems: one ``testsuite`` per CLI invocation, one ``testcase`` per
scenario; failed criteria become the ``failure``, a run that could not happen an ``error``."""

from pathlib import Path
from xml.etree import ElementTree as ET

from troupe_contracts.simulation import CriterionStatus, SimulationResult, SimulationVerdict

from troupe_agent.simulation.report import transcript_text


def junit_xml(results: list[SimulationResult], *, suite: str = "troupe.simulate") -> ET.Element:
    failures = sum(r.verdict == SimulationVerdict.FAILED for r in results)
    errors = sum(r.verdict == SimulationVerdict.ERROR for r in results)
    total_s = sum(r.duration_ms for r in results) / 1000
    root = ET.Element(
        "testsuites",
        tests=str(len(results)),
        failures=str(failures),
        errors=str(errors),
        time=f"{total_s:.3f}",
    )
    ts = ET.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(failures),
        errors=str(errors),
        skipped="0",
        time=f"{total_s:.3f}",
    )
    for r in results:
        case = ET.SubElement(
            ts,
            "testcase",
            classname=f"{suite}.{r.mode.value}",
            name=r.scenario,
            time=f"{r.duration_ms / 1000:.3f}",
        )
        failed = [c for c in r.criteria if c.status == CriterionStatus.FAILED]
        if r.verdict == SimulationVerdict.ERROR:
            err = ET.SubElement(
                case,
                "error",
                message=r.error or "the simulation could not run",
                type="SimulationError",
            )
            err.text = r.error or ""
        elif failed:
            fail = ET.SubElement(
                case,
                "failure",
                message="; ".join(f"{c.name}: {c.reason}" for c in failed),
                type="CriterionFailed",
            )
            fail.text = "\n".join(f"[{c.status.value}] {c.name}: {c.reason}" for c in r.criteria)
        out = ET.SubElement(case, "system-out")
        out.text = transcript_text(r)
    return root


def write_junit(path: Path, results: list[SimulationResult]) -> None:
    tree = ET.ElementTree(junit_xml(results))
    ET.indent(tree)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree.write(path, encoding="utf-8", xml_declaration=True)
