"""Excel entry points: what the buttons of the xlreports ribbon tab run (through xlwings' RunPython).

Each follows the xlwings convention ``def appraise(book=None): book = book or xw.Book.caller()``,
so tests pass a book in (``tests/fake_xlwings.py``) and Excel passes nothing:

- :func:`init_scheme` (初始化方案): writes the built-in scheme A into a new 考核方案 tab (and an empty
  客服数据 tab with the columns it reads, when the book has none). A book that already has a
  考核方案 is left alone, and a message box says so (replacing it is deliberately not offered:
  the sheet holds the shop's own edits).
- :func:`appraise` (计算考核): the month is the latest in 客服数据, unless the workbook defines the
  name ``考核月份`` (公式 → 名称管理器) pointing at a cell that holds a month such as 2026-10 — a
  defined name because it survives tabs being regenerated and is found wherever the cell is.
  A blank cell means "the latest" again.
- :func:`archive` (重建客户档案) and :func:`reminders` (今日提醒): orders are the workbook's 订单* tabs,
  plus the export files picked in Excel's file dialog on Windows (cancel: tabs only; on macOS
  there is no dialog through xlwings' API — paste the export into an 订单 tab). 今日提醒 computes
  the same and replaces only the 关怀提醒 tab, then shows it.

Everything is read and computed before any sheet is touched, so bad data leaves the book exactly
as it was: located problems (客服数据!D7: 应为数字) are listed in a Chinese message box. Progress
goes to Excel's status bar. Unexpected errors end in a short message box, with the traceback
written to :data:`LOG_FILE`, never shown to the user. If writing itself fails, the renderer
removes what it added and restores the old tabs.

xlwings is imported only when Excel calls an entry point without a book (``Book.caller``).
"""
from __future__ import annotations

import datetime as dt
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from xlreports.errors import InputErrors, XlreportsError

__all__ = ["init_scheme", "appraise", "archive", "reminders", "Outcome", "MONTH_NAME", "LOG_FILE"]

MONTH_NAME = "考核月份"  # defined name of the cell that picks the appraisal month
LOG_FILE = Path(tempfile.gettempdir()) / "xlreports-addin.log"
MAX_LISTED = 20  # problems listed in a message box
ORDER_FILTER = "订单导出 (*.xlsx;*.xls;*.csv),*.xlsx;*.xls;*.csv"


@dataclass
class Outcome:
    """What an entry point did (RunPython ignores it; tests read it)."""

    ok: bool
    changed: bool
    message: str
    sheets: list[str] = field(default_factory=list)


def _caller():
    import xlwings as xw

    return xw.Book.caller()


# --------------------------------------------------------------------------- the buttons


def init_scheme(book=None, *, scheme: str = "A", com: bool | None = None) -> Outcome:
    """初始化方案: write 考核方案 (scheme A) unless the book already has one."""
    book = book or _caller()

    def job(ui: "_Ui") -> Outcome:
        from xlreports.jobs.init import DATA_SHEET, data_template
        from xlreports.layout.scheme_sheet import scheme_sheet
        from xlreports.layout.spec import WorkbookSpec
        from xlreports.excel.read.live import XlwingsRows
        from xlreports.rules.scheme_files import resolve_scheme
        from xlreports.rules.scheme_rows import SHEET_NAME

        rows = XlwingsRows(book)
        existing = rows.find(SHEET_NAME)
        if existing is not None:
            return Outcome(True, False,
                           f"工作簿中已有「{existing}」表，没有做任何改动。\n\n"
                           f"可以直接在该表的黄色格子里修改阈值、得分和权重，然后点「计算考核」。"
                           f"如需换回内置方案 {scheme}，请先把现有的「{existing}」表改名或删除，再点「初始化方案」。")
        chosen = resolve_scheme(scheme)
        sheets = [scheme_sheet(chosen, SHEET_NAME)]
        if rows.find(DATA_SHEET) is None:
            sheets.append(data_template(chosen))
        ui.write(book, WorkbookSpec(sheets=sheets), com)
        _activate(book, SHEET_NAME)
        text = (f"已写入「{SHEET_NAME}」（方案 {chosen.code}：{chosen.name}）。\n"
                "黄色格子里的阈值、得分、权重和工资设置可以直接修改，改好后点「计算考核」。")
        if len(sheets) > 1:
            text += f"\n另建了空白的「{DATA_SHEET}」表：每位客服每月一行，也可以直接粘贴千牛 / 赤兔的导出。"
        return Outcome(True, True, text, [s.name for s in sheets])

    return _run(book, "初始化方案", job)


def appraise(book=None, *, month: str | None = None, com: bool | None = None) -> Outcome:
    """计算考核: the month's forms, summary, payroll and history tabs, written into the open book."""
    book = book or _caller()

    def job(ui: "_Ui") -> Outcome:
        from xlreports.jobs.appraise import AppraiseOptions, plan_appraisal
        from xlreports.excel.read.live import XlwingsRows

        chosen = month or month_from_name(book)
        ui.status("正在读取并计算…")
        report = plan_appraisal(XlwingsRows(book), AppraiseOptions(month=chosen), shop=_shop(book))
        ui.write(book, report.book, com)
        result = report.result
        _activate(book, next((s for s in report.sheets if s != "考核方案"), report.sheets[0]))
        agents = sorted(result.agents, key=lambda a: (a.rank, a.agent.name))
        lines = [f"已完成 {result.month} 考核（方案 {result.scheme.code}：{result.scheme.name}，{len(agents)} 人）。",
                 f"已写入：{_names(report.sheets)}。"]
        if agents:
            top = agents[0]
            lines.append(f"第一名：{top.agent.name}，总分 {top.total:.2f}，绩效工资 {top.perf_pay:,.2f} 元。")
        lines.append("在黄色格子里填写主管评分等，总分、排名和工资会自动重算。")
        return Outcome(True, True, _with_notes(lines, report.messages, report.warnings, ui.skipped), report.sheets)

    return _run(book, "计算考核", job)


def archive(book=None, *, orders: list[str | Path] | None = None, today: dt.date | None = None,
            com: bool | None = None) -> Outcome:
    """重建客户档案: all customer tabs from the 订单* tabs and the picked export files."""
    book = book or _caller()
    return _run(book, "重建客户档案", lambda ui: _archive_job(ui, book, orders, today, com, only_care=False))


def reminders(book=None, *, orders: list[str | Path] | None = None, today: dt.date | None = None,
              com: bool | None = None) -> Outcome:
    """今日提醒: today's 关怀提醒 tab (the other customer tabs are left as they are)."""
    book = book or _caller()
    return _run(book, "今日提醒", lambda ui: _archive_job(ui, book, orders, today, com, only_care=True))


def _archive_job(ui: "_Ui", book, orders, today, com, *, only_care: bool) -> Outcome:
    from xlreports.jobs import archive as archive_job
    from xlreports.layout.care_sheet import CARE_LOG_SHEET, CARE_SHEET
    from xlreports.layout.spec import WorkbookSpec
    from xlreports.excel.read.live import XlwingsRows
    from xlreports.excel.write.live import default_com

    com = default_com() if com is None else com
    notes: list[str] = []
    if orders is None:
        orders = _pick_order_files(book, com, notes)
    today = today or dt.date.today()
    ui.status("正在读取订单并计算…")
    report, sheets = archive_job.plan_archive(XlwingsRows(book),
                                              archive_job.ArchiveOptions(orders=list(orders), today=today),
                                              shop=_shop(book))
    spec = WorkbookSpec(sheets=sheets, remove=report.removed)
    if only_care:
        # with its log: items done on an earlier day leave 关怀提醒 for 关怀记录, never for nowhere
        spec = WorkbookSpec(sheets=[s for s in spec.sheets if s.name in (CARE_SHEET, CARE_LOG_SHEET)])
        if not spec.sheets:
            raise XlreportsError(f"没有生成「{CARE_SHEET}」表")
    ui.write(book, spec, com)
    names = [s.name for s in spec.sheets]
    if only_care:
        _activate(book, CARE_SHEET)
        lines = [f"已更新「{CARE_SHEET}」：{today.isoformat()} 共 {report.reminders} 条提醒。",
                 "在「处理人」「处理结果」两列登记：未处理的明天仍在（标为逾期），已处理的移入「关怀记录」。"]
    else:
        _activate(book, names[0])
        figures = [("订单", report.orders), ("买家", report.buyers), ("会员", report.members),
                   ("保留的原档案", report.kept_absent), ("今日提醒", report.reminders)]
        lines = ["已重建客户档案：" + "，".join(f"{label} {value:,}" for label, value in figures) + "。",
                 f"已写入：{_names(names)}。",
                 "备注、个人信息和处理结果等手填内容已按买家会员名保留。"]
        if report.skipped:
            lines.append(f"跳过 {report.skipped} 行有问题的订单，详见「导入报告」。")
    return Outcome(True, True, _with_notes(lines, report.messages + notes, [], ui.skipped), names)


def _pick_order_files(book, com: bool, notes: list[str]) -> list[str]:
    """Export files picked in Excel's own file dialog (Windows); cancel or elsewhere: none."""
    if not com:
        notes.append("在此系统上无法弹出选择文件的对话框：只读取了工作簿中名称以「订单」开头的表。")
        return []
    picked = book.app.api.GetOpenFilename(ORDER_FILTER, 1, "选择订单导出文件（可多选；取消则只用工作簿中以「订单」开头的表）",
                                          None, True)
    if picked in (False, None, ""):
        return []
    if isinstance(picked, str):
        return [picked]
    return [str(p) for p in picked]


# --------------------------------------------------------------------------- month, names, messages


def month_from_name(book) -> str | None:
    """The month in the cell named 考核月份 (workbook- or sheet-level name); None when absent or blank."""
    from xlreports.a1 import addr
    from xlreports.excel.read.tables import coerce

    for name in book.names:
        if name.name.split("!")[-1].strip("'") != MONTH_NAME:
            continue
        try:
            target = name.refers_to_range
            value = target.value
            where = f"{target.sheet.name}!{addr(target.row, target.column)}"
        except Exception:
            raise XlreportsError(f"名称「{MONTH_NAME}」应指向一个填有月份的单元格（如 2026-10）") from None
        if isinstance(value, list):
            raise XlreportsError(f"名称「{MONTH_NAME}」应指向一个单元格，而不是一片区域")
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return coerce(value, "month")
        except ValueError:
            raise InputErrors([_problem(where, "应为月份，如 2026-10（名称「考核月份」指向此格）", value)]) from None
    return None


def _problem(where: str, message: str, found: Any):
    from xlreports.errors import Problem

    sheet, cell = where.split("!", 1)
    return Problem(sheet, cell, message, found=found)


def _shop(book) -> str:
    return Path(str(book.name)).stem


def _names(names: list[str], limit: int = 6) -> str:
    shown = [f"「{n}」" for n in names if not n.startswith("_")]
    if len(shown) <= limit:
        return "、".join(shown)
    return "、".join(shown[:limit]) + f" 等 {len(shown)} 张表"


def _with_notes(lines: list[str], messages, warnings, skipped: list[str]) -> str:
    text = "\n".join(lines)
    extra = [f"提示：{m}" for m in messages] + [f"注意：{w}" for w in list(warnings)[:10]]
    if len(warnings) > 10:
        extra.append(f"注意：另有 {len(warnings) - 10} 条提醒。")
    if skipped:
        extra.append("在此 Excel 上未能设置（表格内容不受影响）：" + "；".join(skipped[:6]))
    return text + ("\n\n" + "\n".join(extra) if extra else "")


def _activate(book, name: str) -> None:
    for sheet in book.sheets:
        if sheet.name == name:
            try:
                sheet.activate()
            except Exception:
                pass
            return


def problems_text(action: str, e: InputErrors) -> str:
    """The message box for located problems: where, what, and that nothing was changed."""
    listed = [f"• {p}" for p in e.problems[:MAX_LISTED]]
    if len(e.problems) > MAX_LISTED:
        listed.append(f"…… 另有 {len(e.problems) - MAX_LISTED} 个问题")
    return (f"{action}未完成：发现 {len(e.problems)} 个问题，工作簿没有任何改动。\n"
            f"请按下面的位置（工作表!单元格）修改后，再点「{action}」。\n\n" + "\n".join(listed))


# --------------------------------------------------------------------------- running a job


class _Ui:
    """Status bar, message boxes and the write step of one button press."""

    def __init__(self, book, action: str):
        self.app = book.app
        self.action = action
        self.writing = False
        self.skipped: list[str] = []

    def status(self, text: str) -> None:
        try:
            self.app.status_bar = f"xlreports {self.action}：{text}"
        except Exception:
            pass

    def reset_status(self) -> None:
        try:
            self.app.status_bar = False  # give the status bar back to Excel
        except Exception:
            pass

    def alert(self, text: str, critical: bool = False) -> None:
        try:
            self.app.alert(text, title=f"xlreports · {self.action}", buttons="ok",
                           mode="critical" if critical else "info")
        except Exception:
            _log(f"message box failed; text was:\n{text}")

    def write(self, book, spec, com: bool | None) -> None:
        from xlreports.excel.write import LiveWriter

        self.writing = True
        writer = LiveWriter(book, com=com, progress=self.status)
        writer.write(spec)
        self.skipped = writer.skipped
        self.writing = False


def _run(book, action: str, job: Callable[[_Ui], Outcome]) -> Outcome:
    ui = _Ui(book, action)
    ui.status("开始…")
    try:
        outcome = job(ui)
    except InputErrors as e:
        outcome = Outcome(False, False, problems_text(action, e))
    except XlreportsError as e:
        outcome = Outcome(False, False, f"{action}未完成，工作簿没有任何改动：\n{e}")
    except Exception as e:  # a bug: a short message, the traceback into the log file
        _log(traceback.format_exc())
        undone = "（已撤销本次写入）" if ui.writing else ""
        outcome = Outcome(False, False,
                          f"{action}时发生内部错误，工作簿没有改动{undone}。\n"
                          f"{type(e).__name__}: {str(e)[:200]}\n\n详细信息已记录在 {LOG_FILE}，请把该文件发给开发者。")
    finally:
        ui.reset_status()
    ui.alert(outcome.message, critical=not outcome.ok)
    return outcome


def _log(text: str) -> None:
    try:
        with open(LOG_FILE, "a", encoding="utf-8") as f:
            f.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')}\n{text}\n")
    except OSError:
        pass
