"""Do to a workbook what people do in a spreadsheet program — with LibreOffice itself, through UNO.

Run by the system Python (Debian's python3-uno), not the project's venv; tests call it through
``tests/office_ops.py``. Reads a JSON job on stdin::

    {"path": "in.xlsx", "out": "out.xlsx", "actions": [
        {"op": "sort", "sheet": "考核汇总", "range": "A3:Z16", "by": 22, "descending": true},
        {"op": "insert_rows", "sheet": "考核表-小美", "at": 1, "count": 2},
        {"op": "insert_cols", "sheet": "工资表", "at": 3, "count": 1},
        {"op": "set", "sheet": "工资表", "cell": "H5", "value": 300},
        {"op": "formula", "sheet": "工资表", "cell": "H5", "formula": "=1+1"},
        {"op": "delete_sheet", "sheet": "_xlreports"},
        {"op": "rename_sheet", "sheet": "工资表", "to": "我的工资表"},
        {"op": "get", "sheet": "工资表", "cell": "H5"}]}

opens ``path`` hidden in a headless soffice with a private profile (recalculation on load always),
performs the actions in order, recalculates, saves as .xlsx to ``out`` (Excel 2007-365 filter) and
prints a JSON list of the values asked for with ``get``. Exit 0 on success; on failure the error
is printed to stderr and the exit code is 1.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import uno  # noqa: F401 - Debian python3-uno; must come before the com.sun.star imports
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException
from com.sun.star.table import TableSortField

from libreoffice import RECALC_REGISTRY  # this script's folder (tests/) is first on sys.path



def prop(name: str, value) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def start_office(profile: Path, pipe: str) -> subprocess.Popen:
    exe = os.environ.get("SOFFICE") or shutil.which("soffice") or "/usr/lib/libreoffice/program/soffice"
    env = dict(os.environ, SAL_USE_VCLPLUGIN="svp")
    return subprocess.Popen([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
                             "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                             f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)


def connect(pipe: str, timeout: float = 60.0):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + timeout
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def sheet_of(doc, name: str):
    if not doc.Sheets.hasByName(name):
        raise KeyError(f"no sheet {name!r}; sheets: {list(doc.Sheets.ElementNames)}")
    return doc.Sheets.getByName(name)


def value_of(cell):
    kind = cell.Type.value  # EMPTY, VALUE, TEXT, FORMULA
    if kind == "EMPTY":
        return None
    if kind == "TEXT":
        return cell.String
    if kind == "VALUE":
        return cell.Value
    # a formula: its result, as a number when it is one (com.sun.star.sheet.FormulaResult.VALUE = 1)
    return cell.Value if cell.FormulaResultType2 == 1 else cell.String


def act(doc, a: dict, got: list) -> None:
    op = a["op"]
    if op == "sort":
        rng = sheet_of(doc, a["sheet"]).getCellRangeByName(a["range"])
        field = TableSortField()
        field.Field, field.IsAscending = int(a["by"]), not a.get("descending", False)
        rng.sort((prop("SortFields", uno.Any("[]com.sun.star.table.TableSortField", (field,))),
                  prop("ContainsHeader", bool(a.get("header", False))),
                  prop("IsSortColumns", False)))
    elif op == "insert_rows":
        sheet_of(doc, a["sheet"]).Rows.insertByIndex(int(a["at"]) - 1, int(a.get("count", 1)))
    elif op == "delete_rows":
        sheet_of(doc, a["sheet"]).Rows.removeByIndex(int(a["at"]) - 1, int(a.get("count", 1)))
    elif op == "insert_cols":
        sheet_of(doc, a["sheet"]).Columns.insertByIndex(int(a["at"]) - 1, int(a.get("count", 1)))
    elif op == "set":
        cell = sheet_of(doc, a["sheet"]).getCellRangeByName(a["cell"])
        value = a["value"]
        if value is None:
            cell.setString("")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            cell.setValue(value)
        else:
            cell.setString(str(value))
    elif op == "formula":
        sheet_of(doc, a["sheet"]).getCellRangeByName(a["cell"]).setFormula(a["formula"])
    elif op == "delete_sheet":
        doc.Sheets.removeByName(a["sheet"])
    elif op == "rename_sheet":
        sheet_of(doc, a["sheet"]).Name = a["to"]
    elif op == "move_sheet":
        doc.Sheets.moveByName(a["sheet"], int(a["at"]))
    elif op == "insert_sheet":
        doc.Sheets.insertNewByName(a["sheet"], int(a.get("at", doc.Sheets.Count)))
    elif op == "get":
        got.append(value_of(sheet_of(doc, a["sheet"]).getCellRangeByName(a["cell"])))
    elif op == "sheets":
        got.append(list(doc.Sheets.ElementNames))
    elif op == "validation":  # the cell's data validation as LibreOffice read it from the file
        v = sheet_of(doc, a["sheet"]).getCellRangeByName(a["cell"]).Validation
        got.append({"type": v.Type.value, "operator": v.getOperator().value, "formula1": v.getFormula1(),
                    "formula2": v.getFormula2(), "show_error": v.ShowErrorMessage, "style": v.ErrorAlertStyle.value,
                    "error": v.ErrorMessage, "prompt": v.InputMessage})
    else:
        raise ValueError(f"unknown op {op!r}")


def run(job: dict) -> list:
    root = Path(tempfile.mkdtemp(prefix="xlreports-uno-"))
    (root / "user").mkdir()
    (root / "user" / "registrymodifications.xcu").write_text(RECALC_REGISTRY, encoding="utf-8")
    pipe = f"xlreports_{uuid.uuid4().hex}"
    office = start_office(root, pipe)
    doc = None
    try:
        desktop = connect(pipe)
        src = Path(job["path"]).resolve().as_uri()
        doc = desktop.loadComponentFromURL(src, "_blank", 0, (prop("Hidden", True),))
        if doc is None:
            raise RuntimeError(f"LibreOffice could not open {job['path']}")
        got: list = []
        for a in job.get("actions", []):
            act(doc, a, got)
        doc.calculateAll()
        if job.get("out"):
            doc.storeToURL(Path(job["out"]).resolve().as_uri(),
                           (prop("FilterName", "Calc MS Excel 2007 XML"),))
        return got
    finally:
        try:
            if doc is not None:
                doc.close(True)
        except Exception:  # noqa: BLE001 - the office may already be gone
            pass
        try:  # soffice.bin runs in the wrapper's process group: end both
            os.killpg(office.pid, 9)
        except ProcessLookupError:
            pass
        office.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    try:
        print(json.dumps(run(json.load(sys.stdin)), ensure_ascii=False))
    except Exception as exc:  # noqa: BLE001 - reported to the calling test
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
