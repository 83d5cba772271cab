"""Check the pinned direct dependencies against the committed advisory list: ``python tools/audit_pins.py``.

No vulnerability database can be reached from our build machines (pip-audit needs PyPI's JSON API or
OSV), so tools/advisories.json holds a dated list of advisories for our direct dependencies (how to
refresh it is written in the file). Exits 1 when a pin falls in an affected range or a requirement is not
pinned exactly (an unpinned dependency cannot be audited), 0 otherwise; warns when the list is older
than --max-age-days. CI runs it (tests/ecommerce/test_dependency_audit.py).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def read_pins(path: Path) -> tuple[dict[str, Version], list[str]]:
    """Return {package: pinned version} and the requirement lines that are not exact pins."""
    pins, loose = {}, []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*==\s*([^\s;]+)(\s*;.*)?", line)
        if not match:
            loose.append(line)
            continue
        pins[canonicalize_name(match.group(1))] = Version(match.group(3))
    return pins, loose


def audit(requirements: Path, advisories_path: Path) -> dict:
    data = json.loads(advisories_path.read_text())
    pins, loose = read_pins(requirements)
    findings = []
    for adv in data["advisories"]:
        name = canonicalize_name(adv["package"])
        version = pins.get(name)
        if version is not None and any(version in SpecifierSet(r) for r in adv["affected"]):
            findings.append({"package": name, "pinned": str(version), "id": adv["id"], "fixed": adv["fixed"],
                             "summary": adv["summary"]})
    covered = sorted({canonicalize_name(a["package"]) for a in data["advisories"]} & set(pins))
    return {"updated": data["updated"], "pins": len(pins), "packages_with_advisories": covered,
            "vulnerable": findings, "not_pinned": loose}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requirements", type=Path, default=ROOT / "requirements.txt")
    p.add_argument("--advisories", type=Path, default=ROOT / "tools" / "advisories.json")
    p.add_argument("--max-age-days", type=int, default=120)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    for path in (args.requirements, args.advisories):
        if not path.is_file():
            p.error(f"no such file: {path}")
    report = audit(args.requirements, args.advisories)
    age = (dt.date.today() - dt.date.fromisoformat(report["updated"])).days
    report["list_age_days"] = age
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{report['pins']} pinned requirements; advisory list of {report['updated']} ({age} days old) covers "
              f"{', '.join(report['packages_with_advisories'])}")
        for f in report["vulnerable"]:
            print(f"VULNERABLE {f['package']}=={f['pinned']}: {f['id']} ({f['summary']}); fixed in {f['fixed']}")
        for line in report["not_pinned"]:
            print(f"NOT PINNED {line!r}: pin it with == so that it can be audited")
    if age > args.max_age_days:
        print(f"warning: the advisory list is {age} days old; refresh it (see tools/advisories.json)", file=sys.stderr)
    return 1 if report["vulnerable"] or report["not_pinned"] else 0


if __name__ == "__main__":
    sys.exit(main())
