"""What Excel learns about the functions: xlwings' real decorator metadata, the VBA module, Lite.

On Linux ``xlwings.func`` is a no-op stand-in; here the module is re-imported with the
decorators xlwings uses on Windows (``xlwings.udfs.xlfunc``/``xlarg``, imported with pywin32
stubbed), so the metadata checked is the metadata "Import Functions" and the COM server read.
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import sys
from pathlib import Path

import pytest
import xlwings

from xlroi import addin, excel
from xlroi.errors import ExcelError as E
from xlroi.errors import XlroiError
from xlroi.functions import FUNCTIONS

ADDIN = Path(__file__).resolve().parent.parent / "addin"

# Excel's XlCVError constants (Excel VBA reference), written out independently of xlroi.excel.
XL_ERR = {
    "#NULL!": 2000, "#DIV/0!": 2007, "#VALUE!": 2015, "#REF!": 2023, "#NAME?": 2029,
    "#NUM!": 2036, "#N/A": 2042, "#GETTING_DATA": 2043, "#SPILL!": 2045, "#CALC!": 2050,
}


@pytest.fixture(scope="module")
def com_module():
    """xlroi.excel decorated by xlwings' real Windows decorators."""
    with addin._xlwings_udfs() as udfs:
        patch = pytest.MonkeyPatch()
        patch.setattr(xlwings, "func", udfs.xlfunc)
        patch.setattr(xlwings, "arg", udfs.xlarg)
        try:
            yield importlib.reload(excel)
        finally:
            patch.undo()
            importlib.reload(excel)


def test_the_module_exposes_exactly_the_registry(com_module):
    decorated = {n for n in dir(com_module) if hasattr(getattr(com_module, n), "__xlfunc__")}
    assert decorated == set(FUNCTIONS)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_real_xlwings_metadata_comes_from_the_registry(com_module, name):
    meta, function = getattr(com_module, name).__xlfunc__, FUNCTIONS[name]
    assert meta["name"] == name
    assert meta["category"] == "xlroi"
    assert meta["ret"]["doc"] == function.summary
    assert meta["ret"]["options"] == {}  # no legacy expand="table": arrays spill natively
    assert [(a["name"], a["doc"]) for a in meta["args"]] == [
        (a.python_name, a.description) for a in function.arguments
    ]
    assert all(a["options"] == {"ndim": 2, "err_to_str": True} for a in meta["args"])
    assert all(not a["vararg"] and "optional" not in a and a["vba"] is None for a in meta["args"])
    # what the wizard truncates to
    assert len(function.summary) <= 255 and all(len(a.description) <= 255 for a in function.arguments)


def test_the_decorated_module_still_gives_the_library_results(com_module):
    assert com_module.ROI([[180000.0]], [[65000.0]]) == pytest.approx(115000 / 65000)
    assert com_module.HR_COST([[50.0], [40.0]], [[10.0], [20.0]]) == 1300.0
    assert com_module.PRORATE([[60000.0]], [[3.0]], [["#DIV/0!"]]) == "#DIV/0!"


def test_checked_in_vba_is_the_regenerated_vba_byte_for_byte():
    assert (ADDIN / "xlroi_udfs.bas").read_bytes() == addin.generate_vba().encode("ascii")


def test_vba_has_xlwings_wrappers_with_the_python_signatures():
    vba = addin.generate_vba()
    assert vba.count("\r\n") == vba.count("\n")  # CRLF throughout, as the VBA editor imports
    assert vba.startswith('Attribute VB_Name = "xlroi_udfs"\r\n')
    for function in FUNCTIONS.values():
        params = ", ".join(a.python_name for a in function.arguments)
        assert f"\r\nFunction {function.name}({params})\r\n" in vba
        call = f'XLPy.CallUDF("xlroi.excel", "{function.name}", Array({params})'
        assert vba.count(f"{function.name} = XlroiErrors({call}") == 2  # Excel and other hosts
        assert f"Description:=\"{function.summary}\", Category:=\"xlroi\"" in vba
    assert "= XLPy.CallUDF" not in vba  # no result bypasses the error conversion


def test_vba_turns_every_marker_into_the_right_excel_error():
    vba = addin.generate_vba()
    cases = dict(re.findall(r'Case "([^"]+)": XlroiError = CVErr\((\d+)\)', vba))
    assert {text: int(n) for text, n in cases.items()} == XL_ERR
    assert set(XL_ERR) == {e.value for e in E}  # every error the library can return


def test_com_error_codes_agree_with_xlwings():
    # xlwings' own table of the COM error codes it converts with err_to_str (read from its source,
    # as xlwings._xlwindows imports only on Windows).
    source = Path(xlwings.__file__).with_name("_xlwindows.py").read_text()
    node = next(
        n for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "cell_errors"
    )
    codes = ast.literal_eval(node.value)
    assert len(codes) == 7
    for code, text in codes.items():
        assert excel.from_xlwings([[code]]) is E(text)
        assert excel.ERROR_NUMBERS[E(text)] - 2146828288 == code


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_function_reference_is_generated_from_the_registry():
    regenerate = _load(ADDIN / "regenerate.py", "xlroi_addin_regenerate")
    readme = (ADDIN / "README.md").read_text(encoding="utf-8")
    assert regenerate.readme_with_reference(readme) == readme
    for function in FUNCTIONS.values():
        assert f"### `{function.signature}`" in readme


@pytest.fixture
def lite_main(monkeypatch):
    """addin/lite/main.py imported with recording stand-ins for Lite's ``func`` and ``arg``.

    The installed xlwings has only no-op stand-ins outside Windows (Lite's decorators live in
    xlwings' licensed ``pro`` package, which runs inside Lite).
    """
    recorded: dict[str, dict] = {}

    def func(**kwargs):
        def inner(f):
            recorded.setdefault(f.__name__, {"args": {}})["func"] = kwargs
            return f
        return inner

    def arg(name, **kwargs):
        def inner(f):
            recorded.setdefault(f.__name__, {"args": {}})["args"][name] = kwargs
            return f
        return inner

    monkeypatch.setattr(xlwings, "func", func)
    monkeypatch.setattr(xlwings, "arg", arg)
    module = _load(ADDIN / "lite" / "main.py", "xlroi_lite_main")
    module.recorded = recorded
    return module


@pytest.mark.parametrize("name", FUNCTIONS)
def test_lite_main_declares_every_function_with_its_help(lite_main, name):
    assert getattr(lite_main, name).__doc__ == FUNCTIONS[name].summary
    assert lite_main.recorded[name]["args"] == {
        a.python_name: {"ndim": 2, "err_to_str": True, "doc": a.description}
        for a in FUNCTIONS[name].arguments
    }


@pytest.mark.parametrize(
    "name, args, expected",
    [
        ("ROI", (180000, 65000), 115000 / 65000),  # METHOD.md step 5: 176.9 %
        ("HR_COST", ([[50], [40]], [[10], [20]]), 1300),  # 50×10 + 40×20
        ("GOAL_VALUE", (12000, 1 / 10, 150), 180000),  # 12000 / 10 × 150
        ("GOAL_VALUE", (1, 0.75, 300), 225),  # 75 % of $300
        ("PRORATE", (1200, 0.25, 1), 300),
        ("PRORATE", (60000, 3, 12), 15000),
        ("ROI", (180000, 0), "#DIV/0!"),  # Lite makes the text a real #DIV/0!
        ("ROI", ("#N/A", 1), "#N/A"),  # an error cell, as err_to_str hands it over
    ],
    ids=["ROI(180000,65000)=1.769", "HR_COST({50;40},{10;20})=1300", "GOAL_VALUE(12000,1/10,150)=180000",
         "GOAL_VALUE(1,75%,300)=225", "PRORATE(1200,25%,1)=300", "PRORATE(60000,3,12)=15000",
         "ROI(180000,0)=#DIV/0!", "ROI(#N/A,1)=#N/A"],
)
def test_lite_main_returns_the_library_results(lite_main, name, args, expected):
    lite_args = [a if isinstance(a, list) else [[a]] for a in args]  # Lite hands over ndim=2 lists
    result = getattr(lite_main, name)(*lite_args)
    assert result == (pytest.approx(expected) if isinstance(expected, float) else expected)
    assert result == excel.to_xlwings(FUNCTIONS[name](*(excel.from_xlwings(a) for a in lite_args)))


def test_lite_requirements_install_xlroi():
    lines = (ADDIN / "lite" / "requirements.txt").read_text().split()
    assert lines == ["xlroi"]


@pytest.mark.parametrize("action", [addin.install, addin.uninstall], ids=["install", "uninstall"])
@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_install_outside_windows_says_what_to_use_instead(monkeypatch, action, platform):
    monkeypatch.setattr(sys, "platform", platform)
    with pytest.raises(XlroiError) as raised:
        action()
    message = str(raised.value)
    assert "\n" not in message and "Windows desktop Excel" in message and "xlwings Lite" in message


def test_udf_modules_setting_keeps_the_users_other_modules(monkeypatch, tmp_path):
    config = tmp_path / "xlwings.conf"
    config.write_text('"INTERPRETER_WIN","C:\\py\\python.exe"\n"UDF MODULES","mymodule"\n')
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(config))

    addin._udf_modules(add=True)
    addin._udf_modules(add=True)  # idempotent
    assert '"UDF MODULES","mymodule;xlroi.excel"' in config.read_text().splitlines()
    addin._udf_modules(add=False)
    assert config.read_text().splitlines() == ['"INTERPRETER_WIN","C:\\py\\python.exe"', '"UDF MODULES","mymodule"']

    config.write_text('"UDF MODULES","xlroi.excel"\n')
    addin._udf_modules(add=False)
    assert "UDF MODULES" not in config.read_text()
