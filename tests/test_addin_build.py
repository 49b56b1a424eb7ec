"""The Excel add-in as built on Linux: macros by name (olevba), ribbon part, package parts, openpyxl, LibreOffice.

What these tests cannot show is Excel running the macros: see workbook_macros/README.md.
"""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest
from oletools.olevba import VBA_Parser

from xlreports.addin import build as ab
from xlreports.cli import main

CUSTOMUI_NS = "{http://schemas.microsoft.com/office/2009/07/customui}"
CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

EXPECTED_RUNPYTHON = {
    "XlrInitScheme": 'RunPython "import xlreports.addin.entry as a; a.init_scheme()"',
    "XlrAppraise": 'RunPython "import xlreports.addin.entry as a; a.appraise()"',
    "XlrArchive": 'RunPython "import xlreports.addin.entry as a; a.archive()"',
    "XlrReminders": 'RunPython "import xlreports.addin.entry as a; a.reminders()"',
}
BUTTONS = [("初始化方案", "xlreports.XlrInitScheme"), ("计算考核", "xlreports.XlrAppraise"),
           ("重建客户档案", "xlreports.XlrArchive"), ("今日提醒", "xlreports.XlrReminders"),
           ("导入单元格函数", "xlreports.XlrImportFunctions")]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("addin")
    result = ab.build(out)
    assert result.xlam == out / "xlreports.xlam" and result.xlam.is_file()
    assert result.xlsm == out / "xlreports.xlsm" and result.xlsm.is_file()
    assert result.project == "compiled"
    return result


def olevba_modules(path: Path) -> dict[str, tuple[str, str]]:
    """module name → (file name olevba gives it, code), read the way an analyst reads a macro file."""
    parser = VBA_Parser(str(path))
    try:
        assert parser.detect_vba_macros()
        return {vba_filename.rsplit(".", 1)[0]: (vba_filename, code)
                for _f, _s, vba_filename, code in parser.extract_macros()}
    finally:
        parser.close()


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def sub_body(code: str, name: str) -> str:
    m = re.search(rf"(?ms)^Public Sub {name}\(control As IRibbonControl\)\r?\n(.*?)^End Sub", code)
    assert m, f"no Public Sub {name}(control As IRibbonControl) in module xlreports"
    return m.group(1)


# ----------------------------------------------------------------------------------------------
# Macros
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["xlam", "xlsm"])
def test_olevba_finds_the_modules_by_name_with_the_runpython_calls(built, which):
    mods = olevba_modules(getattr(built, which))
    assert sorted(mods) == ["Dictionary", "Sheet1", "ThisWorkbook", "xlreports", "xlwings"]
    assert mods["xlreports"][0] == "xlreports.bas"
    assert mods["xlwings"][0] == "xlwings.bas"
    assert mods["Dictionary"][0] == "Dictionary.cls"

    ours = mods["xlreports"][1]
    assert 'Attribute VB_Name = "xlreports"' in ours
    for sub, call in EXPECTED_RUNPYTHON.items():
        body = sub_body(ours, sub)
        assert [ln.strip() for ln in body.splitlines() if ln.strip().startswith("RunPython")] == [call]
    assert len(re.findall(r"(?m)^\s*RunPython ", ours)) == 4

    xlw = mods["xlwings"][1]
    assert re.findall(r'(?m)^Public Const PROJECT_NAME As String = "(.*)"\r?$', xlw) == ["xlreports"]
    assert re.findall(r'(?m)^Public Const XLWINGS_VERSION As String = "(.*)"\r?$', xlw) == [ab.XLWINGS_VERSION]
    assert "Public Function RunPython(PythonCommand As String)" in xlw
    assert 'Set sht = wb.Sheets(PROJECT_NAME & ".conf")' in xlw  # why the config sheet is xlreports.conf

    dic = mods["Dictionary"][1]
    assert 'Attribute VB_Name = "Dictionary"' in dic
    assert "Public Sub Add(Key As Variant, Item As Variant)" in dic
    assert "VERSION 1.0 CLASS" not in dic  # stored in stream form, as the VBA editor stores a class

    # Document modules are empty, and every module reads back as its source (the build's own check, via olevba).
    ab.check_vba_bin(getattr(built, which).read_bytes())


def test_compiled_modules_are_the_sources_exactly(built):
    """Not only normalised-equal: olevba gives back each source line for line (no ms-ovba-style corruption)."""
    mods = olevba_modules(built.xlam)
    for src in ab.vba_sources():
        want = src.code
        if src.kind == "class":  # the export header (VERSION/BEGIN/END) is not part of the stored module
            want = want[want.index("Attribute VB_Name"):]
        want_lines = want.replace("\r\n", "\n").rstrip("\n").split("\n")
        got_lines = mods[src.name][1].replace("\r\n", "\n").rstrip("\n").split("\n")
        # The code, byte for byte; the attributes are the source's (a stored class also gets its VB_Base).
        assert [ln for ln in got_lines if not ln.startswith("Attribute ")] == \
            [ln for ln in want_lines if not ln.startswith("Attribute ")]
        assert set(ln for ln in want_lines if ln.startswith("Attribute ")) <= set(got_lines)
    assert len(mods["xlwings"][1]) > 40_000  # far beyond the ~650 bytes where ms-ovba's compressor breaks


def test_vba_sources_are_ascii_and_project_name_is_set_only_in_the_build():
    src = ab.sources_dir()
    for path in [src / "xlreports.bas", *sorted((src / f"xlwings-{ab.XLWINGS_VERSION}").iterdir())]:
        path.read_bytes().decode("ascii")  # the project's code page is 1252
    vendored = (src / f"xlwings-{ab.XLWINGS_VERSION}" / "xlwings_custom_addin.bas").read_text()
    assert 'Public Const PROJECT_NAME As String = "myaddin"' in vendored  # kept verbatim
    names = [s.name for s in ab.vba_sources()]
    assert names == ["xlreports", "xlwings", "Dictionary"]


def test_vendored_xlwings_vba_is_the_installed_pinned_release():
    spec = importlib.util.find_spec("xlwings")  # finds the package without importing it
    if spec is None or spec.origin is None:
        pytest.skip("xlwings not installed")
    from importlib.metadata import version

    if version("xlwings") != ab.XLWINGS_VERSION:
        pytest.skip(f"xlwings {version('xlwings')} installed, the add-in pins {ab.XLWINGS_VERSION}")
    pkg = Path(spec.origin).parent
    vendor = ab.sources_dir() / f"xlwings-{ab.XLWINGS_VERSION}"
    assert (vendor / "xlwings_custom_addin.bas").read_bytes() == (pkg / "xlwings_custom_addin.bas").read_bytes()
    assert (vendor / "Dictionary.cls").read_bytes() == (pkg / "addin" / "Dictionary.cls").read_bytes()


# ----------------------------------------------------------------------------------------------
# Ribbon and package parts
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["xlam", "xlsm"])
def test_ribbon_part_is_xml_naming_callbacks_that_exist_in_the_vba(built, which):
    path = getattr(built, which)
    root = ET.fromstring(part(path, "customUI/customUI14.xml"))
    assert root.tag == f"{CUSTOMUI_NS}customUI"
    tabs = root.findall(f"./{CUSTOMUI_NS}ribbon/{CUSTOMUI_NS}tabs/{CUSTOMUI_NS}tab")
    assert [t.get("label") for t in tabs] == ["xlreports 客服绩效"]
    groups = tabs[0].findall(f"{CUSTOMUI_NS}group")
    assert len(groups) == 1
    buttons = groups[0].findall(f"{CUSTOMUI_NS}button")
    assert [(b.get("label"), b.get("onAction")) for b in buttons] == BUTTONS
    assert len({b.get("id") for b in buttons}) == 5

    code = olevba_modules(path)["xlreports"][1]
    for _label, action in BUTTONS:
        module, sub = action.split(".")
        assert module == "xlreports"
        sub_body(code, sub)  # exists as Public Sub <name>(control As IRibbonControl)
    assert set(ab.CALLBACKS) | {"XlrImportFunctions"} == {a.split(".")[1] for _, a in BUTTONS}
    assert "ImportPythonUDFsToAddin" in sub_body(code, "XlrImportFunctions")


@pytest.mark.parametrize("which,main_type", [("xlam", ab.ADDIN_CONTENT_TYPE), ("xlsm", ab.XLSM_CONTENT_TYPE)])
def test_content_types_and_relationships(built, which, main_type):
    path = getattr(built, which)
    types = ET.fromstring(part(path, "[Content_Types].xml"))
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{CT_NS}Override")}
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.iter(f"{CT_NS}Default")}
    assert overrides["/xl/workbook.xml"] == main_type
    assert overrides["/customUI/customUI14.xml"] == "application/xml"
    assert defaults["bin"] == "application/vnd.ms-office.vbaProject"
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" not in overrides.values() or which == "xlsm"

    rels = ET.fromstring(part(path, "_rels/.rels"))
    by_type = {r.get("Type"): r for r in rels.iter(f"{REL_NS}Relationship")}
    ribbon = by_type["http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"]
    assert ribbon.get("Target") == "customUI/customUI14.xml"
    ids = [r.get("Id") for r in rels.iter(f"{REL_NS}Relationship")]
    assert len(ids) == len(set(ids))

    wb_rels = part(path, "xl/_rels/workbook.xml.rels").decode()
    assert 'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"' in wb_rels
    assert 'codeName="ThisWorkbook"' in part(path, "xl/workbook.xml").decode()
    assert 'codeName="Sheet1"' in part(path, "xl/worksheets/sheet1.xml").decode()
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        assert z.namelist()[0] == "[Content_Types].xml"


def test_openpyxl_opens_the_xlsm_with_keep_vba_and_reads_the_config_sheet(built, tmp_path):
    wb = openpyxl.load_workbook(built.xlsm, keep_vba=True)
    assert wb.sheetnames == [ab.CONF_SHEET] == ["xlreports.conf"]
    ws = wb[ab.CONF_SHEET]
    assert [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(1, len(ab.CONF_ROWS) + 2)] == \
        [("Interpreter", "python"), ("UDF Modules", "xlreports.addin.udfs"), ("Show Console", False), (None, None)]
    assert wb.vba_archive is not None
    again = tmp_path / "again.xlsm"
    wb.save(again)
    assert sorted(olevba_modules(again)) == ["Dictionary", "Sheet1", "ThisWorkbook", "xlreports", "xlwings"]


def test_libreoffice_opens_the_xlam_with_the_vba_filter_and_reads_its_vba_project(built, soffice, tmp_path):
    """LibreOffice's own MS-OVBA reader is a second, independent reader of the project (olevba is the first)."""
    import libreoffice

    out = tmp_path / "lo"
    out.mkdir()
    with libreoffice._lock:
        res = libreoffice._run_soffice(["--infilter=Calc MS Excel 2007 VBA XML",
                                        "--convert-to", "ods", "--outdir", str(out)], built.xlam)
    produced = out / "xlreports.ods"
    assert produced.is_file() and produced.stat().st_size > 0, (res.returncode, res.stdout, res.stderr)
    with zipfile.ZipFile(produced) as z:
        content = z.read("content.xml").decode("utf-8")
        basic = {n.rsplit("/", 1)[1][:-4]: z.read(n).decode("utf-8")
                 for n in z.namelist() if n.startswith("Basic/VBAProject/") and not n.endswith("script-lb.xml")}
    assert 'table:name="xlreports.conf"' in content and "xlreports.addin.udfs" in content
    assert sorted(basic) == ["Dictionary", "Sheet1", "ThisWorkbook", "xlreports", "xlwings"]
    for call in EXPECTED_RUNPYTHON.values():
        assert call.replace('"', "&quot;") in basic["xlreports"]
    assert "Public Const PROJECT_NAME As String = &quot;xlreports&quot;" in basic["xlwings"]
    assert 'script:moduleType="class"' in basic["Dictionary"]


# ----------------------------------------------------------------------------------------------
# --vba-bin: an Excel-saved project, checked against the sources
# ----------------------------------------------------------------------------------------------

def test_vba_bin_that_matches_is_used_as_is(built, tmp_path):
    # What XlsxWriter's vba_extract does to a workbook: take xl/vbaProject.bin out of it.
    vba = tmp_path / "vbaProject.bin"
    vba.write_bytes(part(built.xlsm, "xl/vbaProject.bin"))
    result = ab.build(tmp_path / "out", vba_bin=vba)
    assert result.project == "vba-bin"
    assert part(result.xlam, "xl/vbaProject.bin") == vba.read_bytes()
    assert "xlreports.XlrAppraise" in part(result.xlam, "customUI/customUI14.xml").decode()
    # A whole macro workbook is accepted too.
    assert ab.build(tmp_path / "out2", vba_bin=built.xlsm, xlsm=False).xlsm is None


def _bin_from(tmp_path, sources) -> Path:
    path = tmp_path / "other.bin"
    path.write_bytes(ab.compile_vba_project(sources))
    return path


def test_vba_bin_with_other_code_is_refused(tmp_path):
    sources = ab.vba_sources()
    changed = [ab.VbaSource(s.name, s.kind, s.code.replace("a.appraise()", "a.appraise(1)"), s.path)
               if s.name == "xlreports" else s for s in sources]
    bad = _bin_from(tmp_path, changed)
    with pytest.raises(ab.AddinBuildError, match=r"模块 xlreports 的代码与 xlreports.bas 不同"):
        ab.build(tmp_path / "out", vba_bin=bad)
    assert not (tmp_path / "out" / "xlreports.xlam").exists()


def test_vba_bin_with_missing_or_extra_modules_is_refused(tmp_path):
    sources = ab.vba_sources()
    extra = ab.VbaSource("Module1", "standard", 'Attribute VB_Name = "Module1"\r\nSub X()\r\nEnd Sub\r\n', Path("x"))
    bad = _bin_from(tmp_path, [s for s in sources if s.name != "Dictionary"] + [extra])
    with pytest.raises(ab.AddinBuildError) as err:
        ab.build(tmp_path / "out", vba_bin=bad)
    assert "缺少模块 Dictionary" in str(err.value) and "多出模块 Module1" in str(err.value)


def test_vba_bin_check_ignores_whitespace_and_the_editors_recasing(tmp_path):
    sources = ab.vba_sources()
    edited = [ab.VbaSource(s.name, s.kind, s.code.replace("    RunPython", "\tRUNPYTHON  ").replace("\r\n", "\r\n\r\n"),
                           s.path) if s.name == "xlreports" else s for s in sources]
    ab.check_vba_bin(_bin_from(tmp_path, edited).read_bytes(), sources)


def test_cli_vba_bin_mismatch_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "quickstart.bin"
    bad.write_bytes(b"not an OLE file at all")
    assert main(["addin", "build", "-o", str(tmp_path / "out"), "--vba-bin", str(bad)]) == 2
    assert "这不是 vbaProject.bin" in capsys.readouterr().err
    sources = [s for s in ab.vba_sources() if s.name != "xlreports"]
    assert main(["addin", "build", "-o", str(tmp_path / "out"), "--vba-bin", str(_bin_from(tmp_path, sources))]) == 2
    err = capsys.readouterr().err
    assert "vbaProject.bin 与 workbook_macros/ 的源文件不一致" in err and "缺少模块 xlreports" in err


# ----------------------------------------------------------------------------------------------
# Command line, install, imports
# ----------------------------------------------------------------------------------------------

def test_cli_build(tmp_path, capsys):
    assert main(["addin", "build", "-o", str(tmp_path), "--no-xlsm"]) == 0
    assert (tmp_path / "xlreports.xlam").is_file() and not (tmp_path / "xlreports.xlsm").exists()
    assert "已生成加载项" in capsys.readouterr().out


def test_install_on_linux_says_there_is_no_excel_and_where_the_file_is(built, monkeypatch, capsys):
    monkeypatch.setattr(sys, "platform", "linux")
    assert main(["addin", "install", "--file", str(built.xlam)]) == 2
    out = capsys.readouterr()
    assert str(built.xlam) in out.out
    assert "没有 Excel" in out.err and "加载项没有安装" in out.err


@pytest.mark.parametrize("platform,key", [("win32", "INTERPRETER_WIN"), ("darwin", "INTERPRETER_MAC")])
def test_install_wraps_xlwings_addin_install(built, monkeypatch, tmp_path, platform, key):
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object())
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append(cmd) or subprocess.CompletedProcess(cmd, 0))
    assert ab.install(built.xlam) == 0
    assert calls == [[sys.executable, "-m", "xlwings.cli", "addin", "install", "--file", str(built.xlam.resolve())]]
    conf = ab.user_config_file()
    assert conf.name == "xlreports.conf" and conf.is_relative_to(tmp_path)
    assert conf.read_text(encoding="utf-8") == f'"{key}","{sys.executable}"\n'


def test_builder_never_imports_xlwings(tmp_path):
    code = ("import sys, xlreports.addin.build as b; b.build(sys.argv[1]); "
            "assert 'xlwings' not in sys.modules, 'xlwings imported'")
    res = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "xlreports.xlam").is_file()


def test_the_excel_extra_installs_what_addin_install_needs():
    """README: `pip install "xlreports[excel]"` then `xlreports addin install` — the extra must hold every
    module the build imports on demand (they are named in `_need("…")` calls) and xlwings."""
    import configparser
    import re

    root = Path(__file__).resolve().parents[1]
    cfg = configparser.ConfigParser()
    cfg.read(root / "setup.cfg", encoding="utf-8")
    excel = {re.split(r"[<>=!~\[ ]", line.strip())[0].lower()
             for line in cfg["options.extras_require"]["excel"].splitlines() if line.strip()}
    needed = {m.split(".")[0].lower() for m in re.findall(r'_need\("([\w.]+)"', (root / "xlreports/addin/build.py").read_text())}
    pip_names = {"oletools": "oletools", "pyopenvba": "pyopenvba", "xlsxwriter": "xlsxwriter"}
    assert needed and {pip_names[m] for m in needed} | {"xlwings"} <= excel
