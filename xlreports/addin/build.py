"""Build and install the Excel add-in ``xlreports.xlam`` from ``workbook_macros/``, on any OS (CI runs Linux).

What goes in (all from ``workbook_macros/``):

- ``xlreports.bas``: the ribbon callbacks (``XlrInitScheme``, ``XlrAppraise``, ``XlrArchive``,
  ``XlrReminders``), each ``RunPython "import xlreports.addin.entry as a; a.<entry>()"``;
- ``xlwings-<version>/xlwings_custom_addin.bas`` and ``Dictionary.cls``: the VBA of the pinned xlwings
  release, verbatim; the build sets ``PROJECT_NAME`` to ``xlreports`` (module ``xlwings``);
- ``customUI14.xml``: the ribbon tab, ``onAction="xlreports.<Sub>"``.

How (``build``):

1. The VBA modules are compiled into a ``vbaProject.bin`` by pyOpenVBA, starting from its Excel-saved
   empty workbook (``ThisWorkbook``, ``Sheet1``; references stdole and Office, so ``IRibbonControl``
   resolves). pyOpenVBA writes source only and invalidates the p-code cache, so Excel compiles on load.
   (ms-ovba is not used: its compressor corrupts modules over ~650 bytes.)
   Or, with ``vba_bin=``, a ``vbaProject.bin`` saved by Excel itself (XlsxWriter's ``vba_extract``
   workflow) is used, after olevba has shown that its modules are the sources here.
2. XlsxWriter writes the workbook with ``add_vba_project`` and one sheet, ``xlreports.conf``: the
   settings xlwings' add-in VBA reads (``GetConfigFromSheet`` looks up ``PROJECT_NAME & ".conf"``, so
   for this add-in the sheet is ``xlreports.conf``, not ``xlwings.conf``), keys in column A from A1.
3. A zip step adds ``customUI/customUI14.xml`` with its relationship in ``_rels/.rels`` and its content
   type, and for the ``.xlam`` sets the add-in content type of ``xl/workbook.xml``. The ``.xlsm`` twin
   (same project and ribbon) is what openpyxl can open, and what one opens in Excel to save an
   Excel-made project for ``--vba-bin``.

Only standard library imports at module level: pyOpenVBA, XlsxWriter and oletools are imported when
used (the ``addin`` extra), and xlwings is never imported here.

>>> _normalise("Attribute VB_Name = \\"x\\"\\r\\nSub  A()\\r\\n\\r\\n   RunPython \\"x\\"   \\r\\nEnd Sub\\r\\n")
['sub a()', 'runpython "x"', 'end sub']
"""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from xlreports import __version__
from xlreports.errors import XlreportsError
from xlreports.excel.ooxml import free_id, parse_rels, rel_xml

PROJECT_NAME = "xlreports"  # xlwings' PROJECT_NAME: names the config sheet and the user config file
XLWINGS_VERSION = "0.37.8"  # the pinned xlwings whose VBA is vendored in workbook_macros/xlwings-<version>/
CONF_SHEET = f"{PROJECT_NAME}.conf"
#: The config sheet, as xlwings reads it: key (case-insensitive) in column A, value in column B, from A1 on.
#: No interpreter path here: ``addin install`` writes INTERPRETER_WIN/_MAC into the user config file, which
#: the VBA reads before falling back to this sheet's legacy INTERPRETER.
CONF_ROWS: list[tuple[str, object]] = [
    ("Interpreter", "python"),
    ("UDF Modules", "xlreports.addin.udfs"),
    ("Show Console", False),
]
OUR_MODULE = "xlreports"
XLWINGS_MODULE = "xlwings"
DICTIONARY_MODULE = "Dictionary"
#: Ribbon callback (a Sub of module ``xlreports``) → the Python entry point of ``xlreports.addin.entry`` it runs.
CALLBACKS = {
    "XlrInitScheme": "init_scheme",
    "XlrAppraise": "appraise",
    "XlrArchive": "archive",
    "XlrReminders": "reminders",
}
ADDIN_NAME = "xlreports.xlam"
TWIN_NAME = "xlreports.xlsm"

RIBBON_PART = "customUI/customUI14.xml"
RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RIBBON_CONTENT_TYPE = "application/xml"
ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
XLSM_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"

# VB_Base of Excel's document modules (workbook, worksheet, chart sheet): not sources, but where they go.
_WORKBOOK_BASE = "00020819-0000-0000-C000-000000000046"
_SHEET_BASES = ("00020820-0000-0000-C000-000000000046", "00020821-0000-0000-C000-000000000046")


class AddinBuildError(XlreportsError):
    """The add-in cannot be built or installed as asked; the message says why, in Chinese."""


@dataclass(frozen=True)
class VbaSource:
    """One VBA module as it goes into the project: ``kind`` is "standard" (.bas) or "class" (.cls)."""

    name: str
    kind: str
    code: str  # CRLF line ends, the attribute header included
    path: Path


@dataclass
class BuildResult:
    xlam: Path
    xlsm: Path | None
    project: str  # "compiled" (pyOpenVBA, from source) or "vba-bin" (a given vbaProject.bin, checked against the sources)
    modules: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------
# Sources
# ----------------------------------------------------------------------------------------------

def sources_dir() -> Path:
    """``workbook_macros/``: beside the package in a source tree, or installed as ``xlreports.workbook_macros``."""
    root = Path(__file__).resolve().parents[2]  # the source tree: <root>/xlreports/addin/build.py
    for cand in (root / "workbook_macros",):
        if (cand / f"{OUR_MODULE}.bas").is_file():
            return cand
    try:
        from importlib.resources import files

        cand = Path(str(files("xlreports.workbook_macros")))
        if (cand / f"{OUR_MODULE}.bas").is_file():
            return cand
    except (ImportError, ModuleNotFoundError, TypeError):
        pass
    raise AddinBuildError("找不到加载项的源文件夹 workbook_macros/（xlreports.bas、customUI14.xml）。")


def _read_text(path: Path) -> str:
    text = path.read_bytes().decode("ascii")  # the project's code page is 1252: sources stay ASCII
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def vba_sources(src: Path | None = None) -> list[VbaSource]:
    """The three modules, as compiled: ours, xlwings' add-in module with PROJECT_NAME set, Dictionary."""
    src = Path(src) if src else sources_dir()
    vendor = src / f"xlwings-{XLWINGS_VERSION}"
    ours = _read_text(src / f"{OUR_MODULE}.bas")
    xlw = _read_text(vendor / "xlwings_custom_addin.bas")
    if f'Public Const XLWINGS_VERSION As String = "{XLWINGS_VERSION}"' not in xlw:
        raise AddinBuildError(f"{vendor / 'xlwings_custom_addin.bas'} 不是 xlwings {XLWINGS_VERSION} 的 VBA。")
    xlw, n = re.subn(r'(?m)^(Public Const PROJECT_NAME As String = )"[^"]*"', rf'\1"{PROJECT_NAME}"', xlw)
    if n != 1:
        raise AddinBuildError("xlwings_custom_addin.bas 中没有（唯一的）PROJECT_NAME 常量。")
    dic = _read_text(vendor / "Dictionary.cls")
    return [VbaSource(OUR_MODULE, "standard", ours, src / f"{OUR_MODULE}.bas"),
            VbaSource(XLWINGS_MODULE, "standard", xlw, vendor / "xlwings_custom_addin.bas"),
            VbaSource(DICTIONARY_MODULE, "class", dic, vendor / "Dictionary.cls")]


def ribbon_xml(src: Path | None = None) -> bytes:
    src = Path(src) if src else sources_dir()
    return (src / "customUI14.xml").read_bytes()


# ----------------------------------------------------------------------------------------------
# The VBA project
# ----------------------------------------------------------------------------------------------

def _need(module: str, extra: str = "addin"):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise AddinBuildError(f"生成 Excel 加载项需要 {module.split('.')[0]}：pip install 'xlreports[{extra}]'") from None


def compile_vba_project(sources: list[VbaSource]) -> bytes:
    """A ``vbaProject.bin`` holding ``sources`` plus the template's ThisWorkbook and Sheet1 (pyOpenVBA)."""
    pyopenvba = _need("pyopenvba")
    from pyopenvba import VBAModuleKind

    with tempfile.TemporaryDirectory(prefix="xlreports-vba-") as tmp:
        path = Path(tmp) / "project.xlsm"
        book = pyopenvba.ExcelFile.create_new(path)
        try:
            project = book.vba_project()
            for module in list(project.modules):
                if module.kind == VBAModuleKind.standard:  # the template's empty Module1
                    project.delete_module(module.name)
            for s in sources:
                kind = VBAModuleKind.standard if s.kind == "standard" else VBAModuleKind.other
                project.add_module(s.name, s.code, kind=kind)
            book.save()
        finally:
            book.close()
        with pyopenvba.ExcelFile(path) as saved:  # the saved project, read back by pyOpenVBA itself
            problems = saved.validate()
            if problems:
                raise AddinBuildError("VBA 工程不一致：" + "；".join(problems))
        with zipfile.ZipFile(path) as z:
            data = z.read("xl/vbaProject.bin")
    check_vba_bin(data, sources)  # read back by olevba when it is there: what Excel gets is what we wrote
    return data


def _normalise(code: str) -> list[str]:
    """Code lines for comparison: no attribute lines or class export header, whitespace collapsed, case folded.

    Case is folded because the VBA editor re-cases identifiers across a whole project when it saves.
    """
    lines = code.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[0].startswith("VERSION ") and "END" in (ln.strip() for ln in lines):
        lines = lines[[ln.strip() for ln in lines].index("END") + 1:]
    out = []
    for line in lines:
        s = " ".join(line.split())
        if s and not s.startswith("Attribute "):
            out.append(s.casefold())
    return out


@dataclass
class ProjectModules:
    """What olevba reads from a vbaProject.bin: code modules and document modules (name → code)."""

    code: dict[str, str]
    workbook: str | None
    sheets: list[str]
    documents: dict[str, str]


def project_bytes(data: bytes, label: str = "这个文件") -> bytes:
    """``data`` itself, or the ``xl/vbaProject.bin`` of the macro workbook ``data`` is (.xlsm/.xlam/.xlsb)."""
    if data[:4] != b"PK\x03\x04":
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = [n for n in z.namelist() if n.lower().endswith("vbaproject.bin")]
        if not names:
            raise AddinBuildError(f"{label}里没有 vbaProject.bin（没有宏）。")
        return z.read(names[0])


def read_vba_bin(data: bytes) -> ProjectModules:
    """The modules of a vbaProject.bin (or of a macro workbook holding one), read with olevba."""
    olevba = _need("oletools.olevba")
    data = project_bytes(data)
    if data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # olevba would read any other bytes as VBA source text
        raise AddinBuildError("这不是 vbaProject.bin（OLE 复合文档），也不是含宏的 .xlsm/.xlam 工作簿。")
    try:
        parser = olevba.VBA_Parser("vbaProject.bin", data=data)
        try:
            macros = list(parser.extract_macros()) if parser.detect_vba_macros() else []
        finally:
            parser.close()
    except Exception as e:  # olevba raises its own kinds for non-OLE or damaged input
        raise AddinBuildError(f"olevba 读不出这个 vbaProject.bin：{e}") from None
    mods = ProjectModules({}, None, [], {})
    for _file, _stream, vba_filename, vba_code in macros:
        name = vba_filename.rsplit(".", 1)[0]
        base = re.search(r'Attribute VB_Base = "0\{([0-9A-Fa-f-]+)\}"', vba_code)
        guid = base.group(1).upper() if base else ""
        if guid == _WORKBOOK_BASE:
            mods.workbook = name
            mods.documents[name] = vba_code
        elif guid in _SHEET_BASES:
            mods.sheets.append(name)
            mods.documents[name] = vba_code
        else:
            mods.code[name] = vba_code
    return mods


def check_vba_bin(data: bytes, sources: list[VbaSource] | None = None) -> ProjectModules:
    """Raise AddinBuildError unless the project's modules are exactly ``sources`` (names and normalised code)."""
    sources = sources if sources is not None else vba_sources()
    mods = read_vba_bin(data)
    problems = []
    want = {s.name.casefold(): s for s in sources}
    have = {n.casefold(): n for n in mods.code}
    for key, s in want.items():
        if key not in have:
            problems.append(f"缺少模块 {s.name}")
            continue
        a, b = _normalise(s.code), _normalise(mods.code[have[key]])
        if a != b:
            at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            problems.append(f"模块 {s.name} 的代码与 {s.path.name} 不同（第 {at + 1} 行代码起："
                            f"源文件 {a[at] if at < len(a) else '（结束）'!r}，工程 {b[at] if at < len(b) else '（结束）'!r}）")
    for key, name in have.items():
        if key not in want:
            problems.append(f"多出模块 {name}（源文件中没有）")
    for name, code in mods.documents.items():
        if _normalise(code) and _normalise(code) != ["option explicit"]:
            problems.append(f"文档模块 {name} 中有代码（源文件中没有）")
    if mods.workbook is None:
        problems.append("没有工作簿模块（ThisWorkbook）")
    if len(mods.sheets) != 1:
        problems.append(f"应有 1 个工作表模块，实际有 {len(mods.sheets)} 个（{', '.join(mods.sheets) or '无'}）："
                        f"请由 {TWIN_NAME}（只有一张表）在 Excel 中保存后再提取")
    if problems:
        raise AddinBuildError("vbaProject.bin 与 workbook_macros/ 的源文件不一致：\n  - " + "\n  - ".join(problems))
    return mods


# ----------------------------------------------------------------------------------------------
# The package
# ----------------------------------------------------------------------------------------------

def _workbook_bytes(vba: bytes, book_code_name: str, sheet_code_name: str) -> bytes:
    xlsxwriter = _need("xlsxwriter")
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    wb.set_properties({"title": "xlreports 客服绩效",
                       "subject": "客服绩效考核、工资表与客户档案",
                       "comments": f"xlreports {__version__} 的 Excel 加载项：初始化方案、计算考核、重建客户档案、今日提醒。"
                                   f"由 Python（xlwings {XLWINGS_VERSION} RunPython）完成计算。"})
    wb.add_vba_project(io.BytesIO(vba), is_stream=True)
    wb.set_vba_name(book_code_name)
    ws = wb.add_worksheet(CONF_SHEET)
    ws.set_vba_name(sheet_code_name)
    for r, (key, value) in enumerate(CONF_ROWS):
        ws.write(r, 0, key)
        ws.write(r, 1, value)
    ws.write(0, 3, f"xlwings 在运行宏时读取本表：A 列为设置名、B 列为值（从 A1 起连续）。"
                   f"Python 解释器的路径由 xlreports addin install 写入用户配置文件 {PROJECT_NAME}.conf。")
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 18)
    wb.close()
    return out.getvalue()


def finish_package(xlsm: bytes, ribbon: bytes, *, addin: bool) -> bytes:
    """The zip step: add the ribbon part and its relationship and content type; for an add-in, its content type."""
    src = zipfile.ZipFile(io.BytesIO(xlsm))
    parts = {info.filename: src.read(info) for info in src.infolist()}
    types = parts["[Content_Types].xml"].decode("utf-8")
    if f'ContentType="{XLSM_CONTENT_TYPE}"' not in types:
        raise AddinBuildError("XlsxWriter 写出的不是启用宏的工作簿（没有 vbaProject）。")
    if addin:
        types = types.replace(f'ContentType="{XLSM_CONTENT_TYPE}"', f'ContentType="{ADDIN_CONTENT_TYPE}"')
    types = types.replace("</Types>", f'<Override PartName="/{RIBBON_PART}" ContentType="{RIBBON_CONTENT_TYPE}"/></Types>')
    rels = parts["_rels/.rels"].decode("utf-8")
    rel_id = free_id({r.id for r in parse_rels(rels, "")})
    rels = rels.replace("</Relationships>", rel_xml(rel_id, RIBBON_REL_TYPE, RIBBON_PART) + "</Relationships>")
    parts["[Content_Types].xml"] = types.encode("utf-8")
    parts["_rels/.rels"] = rels.encode("utf-8")
    parts[RIBBON_PART] = ribbon
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _check_ribbon(ribbon: bytes, sources: list[VbaSource]) -> None:
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(ribbon)
    except ET.ParseError as e:
        raise AddinBuildError(f"customUI14.xml 不是有效的 XML：{e}") from None
    ours = next(s for s in sources if s.name == OUR_MODULE)
    subs = set(re.findall(r"(?mi)^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(\s*control\s+As\s+IRibbonControl\s*\)", ours.code))
    for el in root.iter():
        action = el.get("onAction")
        if action is None:
            continue
        module, _, sub = action.rpartition(".")
        if module != OUR_MODULE or sub not in subs:
            raise AddinBuildError(f"功能区按钮 {el.get('id')} 的 onAction=\"{action}\" 不是 {OUR_MODULE}.bas 中的回调。")


def build(out_dir: str | Path = ".", *, vba_bin: str | Path | None = None, xlsm: bool = True,
          src: Path | None = None) -> BuildResult:
    """Write ``out_dir/xlreports.xlam`` (and the ``xlreports.xlsm`` twin) from ``workbook_macros/``."""
    sources = vba_sources(src)
    ribbon = ribbon_xml(src)
    _check_ribbon(ribbon, sources)
    if vba_bin is not None:
        path = Path(vba_bin)
        if not path.is_file():
            raise AddinBuildError(f"找不到 vbaProject.bin：{path}")
        data = project_bytes(path.read_bytes(), path.name)
        mods = check_vba_bin(data, sources)
        book_name, sheet_name, how = mods.workbook, mods.sheets[0], "vba-bin"
    else:
        data = compile_vba_project(sources)
        book_name, sheet_name, how = "ThisWorkbook", "Sheet1", "compiled"
    package = _workbook_bytes(data, book_name, sheet_name)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    xlam = out / ADDIN_NAME
    xlam.write_bytes(finish_package(package, ribbon, addin=True))
    twin = None
    if xlsm:
        twin = out / TWIN_NAME
        twin.write_bytes(finish_package(package, ribbon, addin=False))
    return BuildResult(xlam, twin, how, [s.name for s in sources])


# ----------------------------------------------------------------------------------------------
# Install
# ----------------------------------------------------------------------------------------------

def user_config_file() -> Path:
    """Where xlwings' add-in VBA looks for this add-in's user settings (``GetConfigFilePath``)."""
    if sys.platform == "darwin":  # Excel is sandboxed: its $HOME is the container
        return Path.home() / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / f"{PROJECT_NAME}.conf"
    return Path.home() / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf"


def write_user_config(force: bool = False) -> Path | None:
    """Point the add-in at this Python (INTERPRETER_WIN/_MAC), as ``xlwings config create`` does for xlwings."""
    path = user_config_file()
    if path.exists() and not force:
        return None
    key = "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'"{key}","{sys.executable}"\n', encoding="utf-8")
    return path


def install(xlam: str | Path, *, force_config: bool = False) -> int:
    """Install ``xlam`` into Excel's XLSTART folder through ``xlwings addin install --file`` (Windows/macOS).

    On any other system it prints where the built add-in is and raises AddinBuildError: there is no Excel.
    """
    xlam = Path(xlam).resolve()
    if not xlam.is_file():
        raise AddinBuildError(f"找不到加载项文件：{xlam}（先运行 xlreports addin build）")
    if not (sys.platform.startswith("win") or sys.platform == "darwin"):
        print(f"已生成的加载项：{xlam}")
        raise AddinBuildError("这台电脑不是 Windows 或 macOS，没有 Excel，加载项没有安装。请把上面的 .xlam 文件"
                              "复制到装有 Excel 的电脑上，在那里 pip install 'xlreports[excel]' 后运行："
                              f"xlreports addin install --file {xlam.name}")
    import importlib.util
    from importlib.metadata import PackageNotFoundError, version

    if importlib.util.find_spec("xlwings") is None:
        raise AddinBuildError("安装加载项需要 xlwings：pip install 'xlreports[excel]'")
    try:
        installed = version("xlwings")
    except PackageNotFoundError:
        installed = "?"
    if installed != XLWINGS_VERSION:
        print(f"注意：已安装 xlwings {installed}，而加载项中的 VBA 来自 xlwings {XLWINGS_VERSION}；"
              f"请安装 xlwings=={XLWINGS_VERSION}（pip install 'xlreports[excel]'）。")
    conf = write_user_config(force_config)
    if conf:
        print(f"已写入 Python 解释器设置：{conf}")
    cmd = [sys.executable, "-m", "xlwings.cli", "addin", "install", "--file", str(xlam)]
    print("运行：" + " ".join(cmd))
    return subprocess.run(cmd).returncode


def default_build_dir() -> Path:
    """Where ``addin install`` without ``--file`` builds the add-in: a folder of the user's own."""
    base = os.environ.get("LOCALAPPDATA") if sys.platform.startswith("win") else None
    return (Path(base) / "xlreports" if base else Path.home() / ".xlreports") / "addin"
