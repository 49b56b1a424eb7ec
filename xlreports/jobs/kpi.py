"""The chat-KPI job: chat records + order exports → 客服数据-聊天 rows the appraisal scores, and the sheets
that explain them (聊天统计, 归因明细, 聊天抽查; 统计规则 on the first run).

Why a sheet of its own, not rows inside 客服数据: 客服数据 is the shop's input sheet (its exports, its typing)
and the writers only ever replace sheets we wrote. ``xlreports appraise`` reads every 客服数据-… sheet beside
客服数据 as one table (``agent_sheets``), so 客服数据-聊天 is scored unchanged, with no second writer path into
a user sheet. It is ours and rewritten on every run, so what it must keep is carried over: its rows of
other months (as they were) and the columns people added to it (by 客服 and 月份).

Everything is read and checked (chat lines, orders, 统计规则, 客服名册) before anything is written.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from xlreports.engine.chats import chat_kpis, sample_conversations
from xlreports.engine.chats.people import person_of
from xlreports.engine.rollup import AccountBook
from xlreports.errors import InputErrors, Problem, XlreportsError
from xlreports.excel.read.chat_files import read_chats
from xlreports.excel.read.tables import read_table
from xlreports.excel.write import Writer
from xlreports.jobs.book_run import run_on_book
from xlreports.jobs.kpi_orders import chat_orders
from xlreports.jobs.kpi_rows import COLUMNS, person_rows
from xlreports.jobs.people import ACCOUNT_FIELD, ROSTER_SHEET, account_book
from xlreports.jobs.timing import PhaseClock
from xlreports.layout import chat_sheets as views
from xlreports.layout.chat_spotcheck import SCORES, SHEET_NAME as SPOT_SHEET, read_scores, spot_check_sheet
from xlreports.layout.spec import SheetSpec, WorkbookSpec
from xlreports.model.chats import ChatRules
from xlreports.rules.chat_rules import SHEET_NAME as RULES_SHEET, parse_chat_rules


@dataclass
class KpiOptions:
    chats: list[str | Path] = field(default_factory=list)  # files or folders (.txt / .xlsx / .csv)
    orders: list[str | Path] = field(default_factory=list)  # order exports, or folders of them
    month: str | None = None  # "YYYY-MM"; default: the latest month with chats
    out: str | Path | None = None
    backup: bool = True
    protect: bool = False


@dataclass
class KpiReport:
    month: str
    sheets: list[str]
    rows: list[dict]  # the month's 客服数据-聊天 rows
    messages_read: int
    orders_read: int
    skipped: Counter
    messages: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    output: Path = Path()  # set when written
    backup: Path | None = None


def kpi(book: str | Path, opts: KpiOptions, writer: Writer | None = None) -> KpiReport:
    """Compute ``opts.month``'s chat KPIs into ``book`` (created when missing) with ``writer``
    (default: the zip-level writer into the file or ``opts.out``), under the workbook's run lock."""
    def plan(wb):
        report, sheets = plan_kpi(wb, opts)
        return report, WorkbookSpec(sheets)
    return run_on_book(book, opts.out, plan, command="kpi", backup=opts.backup, writer=writer)


def plan_kpi(wb, opts: KpiOptions) -> tuple[KpiReport, list[SheetSpec]]:
    """Read, check, compute and lay out; nothing is written. ``wb``: a RowsSource, or None (no workbook yet)."""
    clock = PhaseClock()
    messages: list[str] = []
    book = _roster(wb)
    rules = _rules(wb, messages)
    accounts = list(book.by_key) if book is not None else []
    read = read_chats(opts.chats, wb, accounts)
    if read.problems:
        more = [Problem("聊天记录", None, f"另有 {read.extra_problems} 处同类问题未列出")] if read.extra_problems else []
        raise InputErrors(read.problems + more)
    if not read.messages:
        raise XlreportsError("没有聊天记录：请用 --chats 指定千牛复制的 .txt、聊天记录表格（.xlsx/.csv）或存放它们的文件夹，"
                             f"或把聊天记录放在工作簿中名为「聊天记录」的工作表")
    clock.tick("读取聊天记录")
    orders, order_warnings = chat_orders(opts.orders, wb)
    clock.tick("读取订单")
    kpis = chat_kpis(read.messages, orders, rules)
    months = sorted({m.time.strftime("%Y-%m") for m in read.messages})
    month = _month(opts.month, months)
    samples = sample_conversations(kpis, rules)
    clock.tick("计算")

    person = {d.agent: person_of(d.agent, book) for d in kpis.days}
    rows, unmatched = person_rows(kpis, month, book)
    typed = read_scores(wb.rows(SPOT_SHEET).rows) if wb is not None and wb.find(SPOT_SHEET) else {}
    by_person: dict[str, list] = {}
    for account, convs in samples.items():
        p = person_of(account, book)
        if p is not None:
            by_person.setdefault(p, []).extend((account, c) for c in convs if c.start.strftime("%Y-%m") == month)
    spot, spot_refs = spot_check_sheet(by_person, month, typed)
    _fill_scores(rows, by_person, typed)
    earlier, columns = _kept_rows(wb)
    kept = [r for r in earlier if str(r.get("月份")) != month]
    added = [c for c in columns if c not in COLUMNS]
    notes = [views.rules_text(rules), f"{month} 的行由 xlreports kpi 从聊天记录和订单计算；其他月份的行和自行添加的列会保留。"]
    messages += _overlap(wb, month, rows)
    if unmatched:
        names = "、".join(f"「{a}」" for a in unmatched)
        messages.append(f"账号{names}不在「{ROSTER_SHEET}」的账号中，未计入任何人的客服数据（请在名册的「账号」列中补上）")
    sheets = [views.agent_data_sheet(kept + [_with_added(r, earlier, added) for r in rows], columns, month, spot_refs, notes),
              views.chat_stats_sheet([d for d in kpis.days if d.day.strftime("%Y-%m") == month], person, rules),
              views.credits_sheet(kpis.credits, person), spot]
    if wb is None or not wb.find(RULES_SHEET):
        sheets.insert(0, views.chat_rules_sheet(rules))
        messages.append(f"工作簿中没有「{RULES_SHEET}」，已写入默认统计规则（会话间隔 30 分钟、服务时间 08:00–24:00、"
                        "归因回溯 48 小时、下单优先）；修改后重新运行即可")
    if opts.protect:
        for s in sheets:
            s.protect = s.name != RULES_SHEET
    silent = kpis.silent_sales.get(month, 0.0)
    messages.append(f"{month}：静默销售额 {silent:,.2f}（没有客服可归属的订单）")
    clock.tick("排版")
    report = KpiReport(month, [s.name for s in sheets], rows, len(read.messages), len(orders), read.skipped,
                       messages, order_warnings, clock.laps)
    return report, sheets


def _overlap(wb, month: str, rows: list[dict]) -> list[str]:
    """A word when 客服数据 itself already has rows of ``month`` for these people: appraise would add both."""
    if wb is None or not wb.find("客服数据"):
        return []
    try:
        table = read_table(wb.rows("客服数据"), wanted=["客服", "月份"], key=None)
    except XlreportsError:
        return []
    ours = {r["客服"] for r in rows}
    both = sorted({r.values.get("客服") for r in table.records
                   if r.values.get("月份") == month and r.values.get("客服") in ours}, key=str)
    if not both:
        return []
    return [f"「客服数据」中已有 {month} 的 {'、'.join(both)} 的数据；appraise 会把它与「客服数据-聊天」相加。"
            "只用一种来源时，请删去其中一份"]


def _roster(wb) -> AccountBook | None:
    if wb is None or not wb.find(ROSTER_SHEET):
        return None
    aliases = {"客服": "客服", "姓名": "客服", "旺旺": "客服", "客服昵称": "客服",
               ACCOUNT_FIELD: ACCOUNT_FIELD, "子账号": ACCOUNT_FIELD, "客服账号": ACCOUNT_FIELD}
    table = read_table(wb.rows(ROSTER_SHEET), wanted=["客服", ACCOUNT_FIELD], kinds={"客服": "text", ACCOUNT_FIELD: "text"},
                       key="客服", aliases=lambda h: aliases.get(str(h or "").strip()), also_by=[ACCOUNT_FIELD])
    book = account_book(table)
    if book is None:  # no 账号 column: each person's own name is her account ("店铺:小美" is 小美)
        book = AccountBook()
        for rec in table.records:
            book.add(rec.values["客服"], rec.values["客服"])
    return book


def _rules(wb, messages: list[str]) -> ChatRules:
    if wb is None or not wb.find(RULES_SHEET):
        return ChatRules()
    rows = wb.rows(RULES_SHEET)
    return parse_chat_rules(rows.rows, rows.sheet)


def _month(asked: str | None, months: list[str]) -> str:
    if asked is None:
        return months[-1]
    from xlreports.excel.read.tables import coerce

    try:
        month = coerce(asked, "month")
    except ValueError as e:
        raise XlreportsError(f"月份「{asked}」{e}") from None
    if month not in months:
        raise XlreportsError(f"聊天记录中没有 {month} 的消息；有：{'、'.join(months)}")
    return month


def _fill_scores(rows: list[dict], by_person: dict, typed: dict) -> None:
    """The spot-check columns' values now (the cached results of their formulas): the typed scores' average."""
    from xlreports.layout.chat_spotcheck import conversation_key

    for r in rows:
        for column, score in zip(("应答时间抽查", "服务态度抽查"), SCORES):
            found = [typed.get(conversation_key(a, c.buyer, c.start), {}).get(score) for a, c in by_person.get(r["客服"], [])]
            numbers = [v for v in found if isinstance(v, (int, float)) and not isinstance(v, bool)]
            r[column] = sum(numbers) / len(numbers) if numbers else None


def _kept_rows(wb) -> tuple[list[dict], list[str]]:
    """The earlier 客服数据-聊天's rows, and our columns followed by the columns people added."""
    columns = list(COLUMNS)
    if wb is None or not wb.find(views.DATA_SHEET):
        return [], columns
    rows = wb.rows(views.DATA_SHEET).rows
    if not rows:
        return [], columns
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    columns += [h for h in header if h and h not in columns]
    kept = []
    for raw in rows[1:]:
        r = {h: raw[j] for j, h in enumerate(header) if h and j < len(raw)}
        if not r.get("客服") or not r.get("月份"):
            break  # the notes below the table
        kept.append(r)
    return kept, columns


def _with_added(row: dict, earlier: list[dict], added: list[str]) -> dict:
    """``row`` with the values people typed in added columns of its (客服, 月份) row before."""
    for r in earlier:
        if r.get("客服") == row["客服"] and str(r.get("月份")) == row["月份"]:
            return {**row, **{c: r.get(c) for c in added}}
    return row
