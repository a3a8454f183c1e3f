"""Resource figures for zip bombs: how fast, and with how little memory, xlroi refuses them.

Each bomb is built in this process, then opened by `xlroi.open` in a child process whose wall
time and peak resident memory (ru_maxrss) are measured. Prints one line per bomb and the
largest one's figures.

    python benchmarks/limits.py
"""
from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
start = time.perf_counter()
import xlroi
from xlroi.errors import XlroiError
imported = time.perf_counter()
try:
    xlroi.open(sys.argv[1])
    outcome, message = 0, "opened"
except XlroiError as exc:
    outcome, message = exc.exit_code, str(exc)
done = time.perf_counter()
print(json.dumps({"outcome": outcome, "message": message[-160:], "seconds": done - imported,
                  "max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""

BASELINE = r"""
import json, resource
import xlroi
print(json.dumps({"max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""

PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/></Types>',
    "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def ratio_bomb(gib: float) -> bytes:
    """One sheet part of ``gib`` GiB of spaces, deflated (about 1,030× smaller)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in PARTS.items():
            archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
            stream.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            chunk = b" " * (16 << 20)
            for _ in range(int(gib * 64)):
                stream.write(chunk)
            stream.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def lying_bomb(gib: float) -> bytes:
    """The same, with every size field claiming the part is 1,000 bytes."""
    data = bytearray(ratio_bomb(gib))
    name = b"xl/worksheets/sheet1.xml"
    for signature, header, size_at, extra_len_at in ((b"PK\x03\x04", 30, 22, 28), (b"PK\x01\x02", 46, 24, 30)):
        start = data.find(signature)
        while start >= 0:
            if data[start + header:start + header + len(name)] == name:
                struct.pack_into("<I", data, start + size_at, 1000)
                extra_at = start + header + len(name)
                (extra_len,) = struct.unpack_from("<H", data, start + extra_len_at)
                field = data.find(b"\x01\x00", extra_at, extra_at + extra_len)
                if field >= 0:
                    struct.pack_into("<Q", data, field + 4, 1000)
            start = data.find(signature, start + 4)
    return bytes(data)


def many_parts(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in PARTS.items():
            archive.writestr(name, data)
        for i in range(count):
            archive.writestr(f"xl/media/p{i}.bin", b"")
    return buffer.getvalue()


def nested_zip_quine_like(layers: int) -> bytes:
    """Many parts each expanding 1,000× to just under 1 MiB (under the per-part ratio floor),
    so only the total-size limit applies."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in PARTS.items():
            archive.writestr(name, data)
        chunk = b" " * ((1 << 20) - 1)
        for i in range(layers):
            archive.writestr(f"xl/media/p{i}.xml", chunk)
    return buffer.getvalue()


def measure(path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    if proc.returncode != 0:
        return {"outcome": f"crash {proc.returncode}", "message": proc.stderr[-200:], "seconds": float("nan"), "max_rss": 0}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    baseline = json.loads(subprocess.run([sys.executable, "-c", BASELINE], capture_output=True, text=True, cwd=ROOT).stdout)["max_rss"]
    bombs = {
        "ratio bomb, 4 GiB part (1,030×)": lambda: ratio_bomb(4),
        "lying sizes, 4 GiB part declared as 1,000 bytes": lambda: lying_bomb(4),
        "10,001 empty parts": lambda: many_parts(10_001),
        "100,000 empty parts": lambda: many_parts(100_000),
        "2,100 parts of 1 MiB each (2.1 GiB in all)": lambda: nested_zip_quine_like(2_100),
    }
    print(f"xlroi zip-bomb limits (child process; baseline after `import xlroi`: {baseline / 2**20:.0f} MiB peak RSS)")
    rows = []
    with tempfile.TemporaryDirectory(prefix="xlroi-limits-") as tmp:
        for label, build in bombs.items():
            path = Path(tmp) / "bomb.xlsx"
            started = time.perf_counter()
            path.write_bytes(build())
            built = time.perf_counter() - started
            result = measure(path)
            rows.append((label, path.stat().st_size, result))
            print(f"- {label}: file {path.stat().st_size / 2**20:.2f} MiB (built in {built:.0f} s) → exit {result['outcome']} "
                  f"in {result['seconds'] * 1000:.0f} ms, peak RSS {result['max_rss'] / 2**20:.0f} MiB "
                  f"({(result['max_rss'] - baseline) / 2**20:+.0f} MiB over baseline): {result['message']}")
    worst_time = max(r[2]["seconds"] for r in rows)
    worst_rss = max(r[2]["max_rss"] for r in rows)
    ok = all(r[2]["outcome"] in (4, 5) for r in rows) and worst_time < 1 and worst_rss < 100 * 2**20
    print(f"largest case: all refused; slowest refusal {worst_time * 1000:.0f} ms, highest peak RSS {worst_rss / 2**20:.0f} MiB "
          f"→ {'PASS' if ok else 'FAIL'} (< 1 s, < 100 MB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
