"""Running LibreOffice headless from the tests: a private profile per call, recalculation forced."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str:
    """The LibreOffice binary; the cross-checks must run (``.ci/run`` installs LibreOffice)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.fail("LibreOffice (soffice) is not installed: install libreoffice-calc-nogui (.ci/run does)")
    return found


def convert(src: Path, out_dir: Path, to: str, recalc: bool) -> Path:
    """``src`` converted by LibreOffice headless to ``to`` (e.g. "xlsx", "pdf") in ``out_dir``.

    ``recalc``: a profile that recalculates every formula on load (LibreOffice's default for
    .xlsx trusts the cached values)."""
    profile = out_dir / f"profile-{src.stem}-{to}"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    if recalc:
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE)
    out_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [soffice(), f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
         "--convert-to", to, "--outdir", str(out_dir), str(src)],
        capture_output=True, text=True, timeout=240)
    result = out_dir / (src.stem + "." + to)
    assert result.exists(), f"LibreOffice did not convert {src.name}: {done.stdout} {done.stderr}"
    return result


def without_cached_values(src: Path, dest: Path) -> Path:
    """A copy of ``src`` in which no formula cell has a cached value, so that whatever values a
    program shows after loading it are its own."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                data = re.sub(rb"(<f>[^<]*</f>|<f/>|<f [^>]*/>|<f [^>]*>[^<]*</f>)<v>[^<]*</v>", rb"\1", data)
            zout.writestr(info, data)
    return dest
