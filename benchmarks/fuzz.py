"""Fuzzing xlroi with mutated real workbooks: zero unhandled exceptions, zero hangs, zero
modified inputs, zero invalid outputs.

Each case takes a real workbook (the golden workbooks in tests/golden, the Strict ones in
tests/golden/strict, and the template), mutates it at the byte, zip-entry, XML-node or string
level, writes it to a temporary file and runs open → recalc → save through the Python API in a
child process with a time limit. Allowed outcomes: success with an output the oracle accepts
(:func:`xlroi.testing.output_problems`: well-formed, nothing lost, readable, idempotent), or an
:class:`xlroi.errors.XlroiError` (its exit code) and no output. Anything else — another
exception, a crash of the process, a hang past the limit, a changed input, an invalid output —
is a failure.

    python benchmarks/fuzz.py --cases 2000 --timeout 120

prints N cases, outcomes by exit code, the slowest case, and any failure (the mutated file is
kept in --keep for reproduction).
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import io
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "golden"  # Excel-saved workbooks carried in the repository (see its SOURCES.md)
TEMPLATE = ROOT / "workbook_templates" / "xlroi-template.xlsx"


def seeds() -> list[Path]:
    strict = sorted(CORPUS.glob("strict/*.xlsx"))  # Excel's Strict Open XML (other namespaces, ISO dates)
    return sorted(CORPUS.glob("*.xlsx")) + strict + ([TEMPLATE] if TEMPLATE.exists() else [])


# ---------------------------------------------------------------------------- mutations
def _rebuild(entries: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for info, data in entries:
            out.writestr(info, data)
    return buffer.getvalue()


def _entries(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """Flip, overwrite, insert, delete or truncate raw bytes of the zip file."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.choice(["flip", "set", "insert", "delete", "truncate", "duplicate"])
        at = rng.randrange(max(len(data), 1))
        if op == "flip" and data:
            data[at] ^= 1 << rng.randrange(8)
        elif op == "set" and data:
            data[at] = rng.choice([0, 0xFF, 0x7F, 0x80, ord("<"), ord(">"), ord('"'), rng.randrange(256)])
        elif op == "insert":
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == "delete":
            del data[at:at + rng.randint(1, 64)]
        elif op == "truncate":
            del data[at:]
        elif op == "duplicate":
            data[at:at] = data[at:at + rng.randint(1, 256)]
    return bytes(data)


def mutate_entries(data: bytes, rng: random.Random) -> bytes:
    """Drop, duplicate, rename, swap, empty or re-compress zip entries."""
    entries = _entries(data)
    op = rng.choice(["drop", "duplicate", "rename", "swap", "empty", "stored", "garbage", "reorder"])
    i = rng.randrange(len(entries))
    info, content = entries[i]
    if op == "drop":
        del entries[i]
    elif op == "duplicate":
        entries.insert(rng.randrange(len(entries) + 1), (info, content))
    elif op == "rename":
        clone = zipfile.ZipInfo(rng.choice([info.filename.upper(), info.filename + ".bak", "../" + info.filename,
                                            "/" + info.filename, info.filename.replace("/", "\\")]), info.date_time)
        clone.compress_type = info.compress_type
        entries[i] = (clone, content)
    elif op == "swap":
        j = rng.randrange(len(entries))
        entries[i], entries[j] = (info, entries[j][1]), (entries[j][0], content)
    elif op == "empty":
        entries[i] = (info, b"")
    elif op == "stored":
        info.compress_type = zipfile.ZIP_STORED
    elif op == "garbage":
        entries[i] = (info, bytes(rng.randrange(256) for _ in range(rng.randint(1, 512))))
    elif op == "reorder":
        rng.shuffle(entries)
    return _rebuild(entries)


_VALUES = [b"", b"0", b"-1", b"1E+308", b"NaN", b"#REF!", b"99999999999", b"A1:XFD1048576", b"Sheet1!A1",
           b"SUM(A:A)", b"1/0", b"(((((", b"&amp;", b"\xff\xfe", b"x" * 300, b"A1048577", b"ZZZZ1", b"\xe2\x80\xae"]
_NODE = re.compile(rb"<(\w+:)?(\w+)\b[^>]*?(/>|>[^<]*</(\1)?\2>)")


def mutate_xml(data: bytes, rng: random.Random) -> bytes:
    """Change an XML part node by node: drop, duplicate or nest an element, change an
    attribute value or a text (formulas, values, references, counts)."""
    entries = _entries(data)
    xml_indexes = [i for i, (info, _) in enumerate(entries) if info.filename.endswith((".xml", ".rels"))]
    if not xml_indexes:
        return mutate_bytes(data, rng)
    # sheets and the workbook part more often: that is where formulas live
    weighted = [i for i in xml_indexes for _ in range(4 if re.search(r"sheet|workbook", entries[i][0].filename) else 1)]
    i = rng.choice(weighted)
    info, xml = entries[i]
    for _ in range(rng.randint(1, 4)):
        nodes = list(_NODE.finditer(xml))
        op = rng.choice(["drop", "duplicate", "attr", "text", "nest", "formula", "truncate"])
        if op == "formula":
            formulas = list(re.finditer(rb"<f\b[^>]*>([^<]*)</f>", xml))
            if formulas:
                m = rng.choice(formulas)
                text = m.group(1)
                choice = rng.choice(["cut", "value", "cycle", "deep", "sheet"])
                new = {"cut": text[: rng.randrange(len(text) + 1)], "value": rng.choice(_VALUES),
                       "cycle": b"A1+" + text, "deep": b"(" * 70 + text + b")" * 70,
                       "sheet": b"Nowhere!A1+" + text}[choice]
                xml = xml[: m.start(1)] + new + xml[m.end(1):]
                continue
        if not nodes:
            break
        m = rng.choice(nodes)
        if op == "drop":
            xml = xml[: m.start()] + xml[m.end():]
        elif op == "duplicate":
            xml = xml[: m.end()] + m.group(0) * rng.randint(1, 3) + xml[m.end():]
        elif op == "nest":
            xml = xml[: m.start()] + b"<x>" * 50 + m.group(0) + b"</x>" * 50 + xml[m.end():]
        elif op == "attr":
            attrs = list(re.finditer(rb'(\w+)="([^"]*)"', m.group(0)))
            if attrs:
                a = rng.choice(attrs)
                start = m.start() + a.start(2)
                xml = xml[:start] + rng.choice(_VALUES).replace(b'"', b"") + xml[m.start() + a.end(2):]
        elif op == "text":
            text = re.search(rb">([^<]+)<", m.group(0))
            if text:
                start = m.start() + text.start(1)
                xml = xml[:start] + rng.choice(_VALUES) + xml[m.start() + text.end(1):]
        elif op == "truncate":
            xml = xml[: rng.randrange(len(xml) + 1)]
    entries[i] = (info, xml)
    return _rebuild(entries)


# Text that has to survive exactly (ST_Xstring, issue 8): every control character, CR and CRLF,
# literal "_xHHHH_" (which must be stored as "_x005F_xHHHH_"), escapes that are not quite
# escapes, characters XML 1.0 cannot carry, non-BMP characters, XML's own specials, and long runs.
STRING_FRAGMENTS = [chr(n) for n in range(1, 32)] + [
    "\r\n", "_x0041_", "_x005F_x0041_", "_x005F_", "_x000D_", "_x000d_", "_xD83D__xDE00_", "_x", "_x00", "_xABCD",
    "_x12345_", "x0041_", "__x0041__", "\ufffe", "\uffff", "\U0001F600", "\U0010FFFD", "&", "<", "]]>", '"', "'",
    " ", "é", "Ж", "中", "a", "=", "#N/A", "1,200",
]


def tricky_text(rng: random.Random, max_len: int = 32767) -> str:
    """A string built from :data:`STRING_FRAGMENTS` (now and then a long run), at most ``max_len``."""
    if rng.random() < 0.05:
        return (rng.choice(STRING_FRAGMENTS) + "ab" * 16384)[:max_len]
    return "".join(rng.choice(STRING_FRAGMENTS) for _ in range(rng.randint(1, 12)))[:max_len]


def _escaped(text: str) -> bytes:
    from xml.sax.saxutils import escape

    from xlroi.xlsx.xstring import encode_xstring

    return escape(encode_xstring(text)).encode("utf-8")


def _is_text_value(xml: bytes, m: re.Match) -> bool:
    """Whether a ``<t>`` match, or a ``<v>`` match in a cell of type "str" (not a number or a
    shared-string index)."""
    if m.group(3) is None:
        return True
    cell = xml.rfind(b"<c ", 0, m.start())
    tag_end = xml.find(b">", cell)
    return cell >= 0 and re.search(rb"\bt=\"str\"", xml[cell:tag_end]) is not None


def mutate_strings(data: bytes, rng: random.Random) -> bytes:
    """Replace a text of the workbook (a shared string, an inline string or a cached string
    result) by a tricky one, stored the way Excel stores it (ST_Xstring), or now and then raw
    (a raw CR, an unescaped "_x0041_", an invalid escape) as other writers do."""
    entries = _entries(data)
    candidates = [i for i, (info, _) in enumerate(entries) if re.search(r"sharedStrings|worksheets/sheet", info.filename)]
    rng.shuffle(candidates)
    for i in candidates:
        info, xml = entries[i]
        spots = [m for m in re.finditer(rb"<((?:\w+:)?t)(?: [^>]*)?>([^<]*)</\1>|<((?:\w+:)?v)>([^<]*)</\3>", xml)
                 if _is_text_value(xml, m)]
        if not spots:
            continue
        m = rng.choice(spots)
        text = tricky_text(rng, 2000)
        raw = _escaped(text) if rng.random() < 0.8 else rng.choice([b"a\rb", b"_x0041_", b"_xZZZZ_", b"&#13;", b"x_x0007_"])
        start, end = m.span(2) if m.group(3) is None else m.span(4)
        entries[i] = (info, xml[:start] + raw + xml[end:])
        return _rebuild(entries)
    return mutate_xml(data, rng)


MUTATORS = {"byte": mutate_bytes, "entry": mutate_entries, "xml": mutate_xml, "strings": mutate_strings}


# ---------------------------------------------------------------------------- running a case
RUNNER = r"""
import hashlib, sys, time
path, out, engine = sys.argv[1], sys.argv[2], sys.argv[3]
import xlroi
from xlroi.errors import XlroiError
try:
    wb = xlroi.open(path, engine=engine)
    wb.recalc()
    wb.check()
    wb.save(out)
    code = 0
    from xlroi.testing import output_problems
    problems = output_problems(path, out, engine=engine)
    if problems:
        print("INVALID", *problems, sep="\n", file=sys.stderr)
        code = 97
except XlroiError as exc:
    code = exc.exit_code
    if "\n" in str(exc):
        print("MULTILINE", repr(str(exc)), file=sys.stderr)
        code = 99
except BaseException as exc:
    import traceback
    traceback.print_exc()
    print("UNHANDLED", type(exc).__name__, str(exc)[:300], file=sys.stderr)
    code = 98
print("OUTCOME", code)
"""


def run_case(data: bytes, folder: Path, engine: str, timeout: float) -> tuple[str, float, str]:
    """(outcome, seconds, detail): outcome is an exit code as text, or 'unhandled', 'crash',
    'hang', 'input-modified'."""
    book = folder / "case.xlsx"
    out = folder / "case-out.xlsx"
    book.write_bytes(data)
    out.unlink(missing_ok=True)
    before = hashlib.sha256(data).hexdigest()
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-c", RUNNER, str(book), str(out), engine],
                              capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return "hang", time.perf_counter() - start, ""
    elapsed = time.perf_counter() - start
    if hashlib.sha256(book.read_bytes()).hexdigest() != before:
        return "input-modified", elapsed, ""
    m = re.search(r"OUTCOME (\d+)", proc.stdout)
    if not m:
        return "crash", elapsed, f"exit status {proc.returncode}: {proc.stderr[-1500:]}"
    code = int(m.group(1))
    if code in (98, 99):
        return "unhandled", elapsed, proc.stderr[-1500:]
    if code == 97:
        return "invalid-output", elapsed, proc.stderr[-1500:]
    if code != 0 and out.exists():
        return "partial-output", elapsed, ""
    return str(code), elapsed, ""


def cases(n: int, seed: int):
    rng = random.Random(seed)
    books = [(p, p.read_bytes()) for p in seeds()]
    for index in range(n):
        path, data = rng.choice(books)
        kind = rng.choice(list(MUTATORS))
        case_rng = random.Random(rng.getrandbits(64))
        try:
            mutated = MUTATORS[kind](data, case_rng)
        except (zipfile.BadZipFile, ValueError, IndexError):
            mutated = mutate_bytes(data, case_rng)
        yield index, path.name, kind, mutated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20240605)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a case may take (formulas__test.xlsx alone takes ~40 s with the fallback)")
    parser.add_argument("--engine", choices=["fast", "formulas"], default="fast")
    parser.add_argument("--keep", type=Path, default=Path("fuzz-failures"), help="where failing cases are copied")
    args = parser.parse_args(argv)
    outcomes: collections.Counter = collections.Counter()
    by_kind: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    slowest = (0.0, "")
    failures = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="xlroi-fuzz-") as tmp:
        folder = Path(tmp)
        for index, seed_name, kind, data in cases(args.cases, args.seed):
            outcome, seconds, detail = run_case(data, folder, args.engine, args.timeout)
            outcomes[outcome] += 1
            by_kind[kind][outcome] += 1
            if seconds > slowest[0]:
                slowest = (seconds, f"case {index} ({kind} mutation of {seed_name})")
            if not outcome.isdigit():
                args.keep.mkdir(parents=True, exist_ok=True)
                kept = args.keep / f"case{index}-{kind}-{seed_name}"
                shutil.copyfile(folder / "case.xlsx", kept)
                failures.append((index, kind, seed_name, outcome, detail.strip().splitlines()[-1:] if detail else ""))
                print(f"FAIL case {index}: {outcome} ({kind} mutation of {seed_name}) → {kept}\n{detail}", file=sys.stderr)
    total = time.perf_counter() - started
    print(f"xlroi fuzz: {args.cases} cases, engine {args.engine}, seed {args.seed}, {len(seeds())} seed workbooks, "
          f"time limit {args.timeout:g} s per case, {total:.0f} s in all")
    print("outcomes (exit code: cases): " + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))
    for kind, counter in sorted(by_kind.items()):
        print(f"  {kind:6s} " + ", ".join(f"{k}: {v}" for k, v in sorted(counter.items())))
    print(f"slowest case: {slowest[0]:.2f} s — {slowest[1]}")
    print(f"failures (unhandled, crash, hang, input modified, partial output, invalid output): {len(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
