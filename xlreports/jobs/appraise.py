"""The appraisal job: workbook → tables → engine → layouts → workbook.

Everything is read and checked before anything is written, so bad input
leaves the user's file untouched; the write itself is atomic with a backup.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "x.xlsx"
>>> appraise("does-not-exist.xlsx", AppraiseOptions(month="2026-10"))
Traceback (most recent call last):
...
xlreports.errors.XlreportsError: 找不到文件：does-not-exist.xlsx
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlreports import kinds
from xlreports.engine.appraisal import BONUS_COLUMN, appraise_month
from xlreports.engine.metrics import uses_rate_column
from xlreports.engine.records import AgentMonth, HistoryRow, MonthResult
from xlreports.engine.streaks import previous_month
from xlreports.errors import InputErrors, Problem, XlreportsError, raise_if_errors
from xlreports.layout.context import BookContext
from xlreports.layout.data_sheet import data_sheet
from xlreports.layout.forms import form_sheets
from xlreports.layout.labels import Labels
from xlreports.layout.ledgers import (HISTORY_COLUMNS, HISTORY_SHEET, MANIFEST_SHEET, ROSTER_SHEET, HistoryLog, InputCell,
                                      history_rows, history_sheet, input_cells, manifest_sheet, merge_history,
                                      roster_sheet)
from xlreports.layout.payroll import payroll_sheet
from xlreports.layout.scheme_sheet import scheme_sheet
from xlreports.layout.spec import WorkbookSpec
from xlreports.layout.summary import summary_sheet
from xlreports.rules.scheme_files import builtin_scheme, resolve_scheme
from xlreports.rules.scheme_rows import SHEET_NAME as SCHEME_SHEET, ParsedScheme, parse_scheme_rows, scheme_to_rows
from xlreports.rules.scheme_check import check_scheme
from xlreports.excel.read.source import SheetRows, WorkbookRows
from xlreports.excel.read.tables import Table, coerce, read_agent_table, read_table
from xlreports.excel.write import FileWriter, Writer
from xlreports.jobs.carry import (added_headers, carried_value, current_inputs, header_text, read_manifest,
                                  read_sheet_table)
from xlreports.jobs.timing import PhaseClock

DATA_SHEET = "客服数据"
AUTO_TABS_LIMIT = 30  # more agents than this: all forms on one sheet


@dataclass
class AppraiseOptions:
    month: str | None = None
    scheme: str | None = None  # "A", "B" or a JSON file; None: the workbook's 考核方案 (A if it has none)
    sheet: str = DATA_SHEET
    out: str | Path | None = None
    lang: str = "zh"
    forms: str = "auto"  # "tabs" | "single" | "auto"
    backup: bool = True


@dataclass
class AppraiseReport:
    result: MonthResult
    output: Path
    backup: Path | None
    sheets: list[str]
    warnings: list[Problem] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    book: WorkbookSpec | None = None
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: read, engine, layout, write


@dataclass
class _Inputs:
    """What the workbook holds before the run."""

    data: Table
    scheme: ParsedScheme
    scheme_is_new: bool
    roster: Table | None
    history: list[HistoryRow]
    generated: list[str]
    old_inputs: list[InputCell]
    current: dict[str, Any]  # input key → value in the cell now (typed or pre-filled)


def appraise(book: str | Path, opts: AppraiseOptions | None = None, writer: Writer | None = None) -> AppraiseReport:
    """Run the month's appraisal on ``book`` and write the sheets with ``writer`` (default: into the
    file ``book``, or ``opts.out``, through the zip-level writer)."""
    opts = opts or AppraiseOptions()
    book = Path(book)
    is_csv = book.suffix.lower() == ".csv"
    with WorkbookRows(book) as wb:
        report = plan_appraisal(wb, opts, shop=book.stem, is_csv=is_csv)
    target = Path(opts.out) if opts.out else (book.with_suffix(".xlsx") if is_csv else book)
    # The file writer works at zip level: the user's other sheets, names and VBA are copied byte for
    # byte, and the cost follows the generated tabs, not everything the workbook holds.
    writer = writer or FileWriter(None if is_csv else book, target, backup=opts.backup)
    clock = PhaseClock()
    report.backup = writer.write(report.book)
    clock.tick("write")
    report.output = target
    report.timings.update(clock.laps)
    return report


def plan_appraisal(wb, opts: AppraiseOptions, *, shop: str, is_csv: bool = False) -> AppraiseReport:
    """Read, check and compute everything, and lay out the sheets — without writing anything.

    ``wb`` is a :class:`~xlreports.excel.read.source.RowsSource`: a file opened with ``WorkbookRows``,
    or a live Excel workbook (:class:`~xlreports.excel.read.live.XlwingsRows`). The report's
    ``book`` holds the sheet specs to render; ``output`` and ``backup`` are set by the writer.
    """
    labels = Labels(opts.lang)
    warnings: list[Problem] = []
    messages: list[str] = []
    clock = PhaseClock()
    inputs = _read_inputs(wb, opts, messages, is_csv)
    month = _pick_month(inputs.data, opts.month)
    clock.tick("read")
    ctx, new_roster = _build_context(inputs, month, opts, labels, shop, warnings, messages)
    clock.tick("engine")
    spec = _workbook_spec(ctx, inputs, opts, new_roster, labels)
    clock.tick("layout")
    return AppraiseReport(ctx.result, Path(), None, [s.name for s in spec.sheets], warnings, messages, spec,
                          clock.laps)


def _read_inputs(wb, opts: AppraiseOptions, messages: list[str], is_csv: bool) -> _Inputs:
    data_rows = wb.rows(wb.names[0]) if is_csv else wb.rows(opts.sheet)
    scheme_name = wb.find(SCHEME_SHEET)
    if opts.scheme or scheme_name is None:
        scheme = resolve_scheme(opts.scheme) if opts.scheme else builtin_scheme("A")
        parsed = parse_scheme_rows(scheme_to_rows(scheme), SCHEME_SHEET)
        is_new = True
        if scheme_name is None and not opts.scheme:
            messages.append(f"工作簿中没有「{SCHEME_SHEET}」，已写入内置方案 A（{scheme.name}），可在该表中修改规则")
    else:
        parsed = parse_scheme_rows(wb.rows(scheme_name).rows, scheme_name)
        is_new = False
    roster = _read_roster(wb.rows(ROSTER_SHEET)) if wb.find(ROSTER_SHEET) else None
    history = _read_history(wb.rows(HISTORY_SHEET)) if wb.find(HISTORY_SHEET) else []
    generated, old_inputs = read_manifest(wb.rows(MANIFEST_SHEET)) if wb.find(MANIFEST_SHEET) else ([], [])
    current = current_inputs(wb, old_inputs)

    problems = check_scheme(parsed.scheme, parsed.refs)
    raise_if_errors(problems)
    data = read_agent_table(data_rows, extra=parsed.scheme.input_columns())
    return _Inputs(data, parsed, is_new, roster, history, generated, old_inputs, current)


def _read_roster(rows: SheetRows) -> Table:
    aliases = {"客服": "客服", "姓名": "客服", "旺旺": "客服", "客服昵称": "客服", "入职日期": "入职日期",
               "入职时间": "入职日期", "岗位": "岗位", "级别": "级别", "等级": "级别"}
    return read_table(rows, wanted=list(dict.fromkeys(aliases.values())),
                      kinds={"客服": "text", "入职日期": "date", "岗位": "text", "级别": "text"},
                      key="客服", aliases=lambda h: aliases.get(str(h or "").strip()))


def _read_history(rows: SheetRows) -> HistoryLog:
    """The kept results, and the columns people added to 考核历史 (by 月份 and 客服, values as typed)."""
    names = HISTORY_COLUMNS
    kinds = {"月份": "month", "客服": "text", "总分": "number", "排名": "number", "人数": "number",
             "绩效工资": "number", "结果档位": "text", "方案": "text"}
    table = read_table(rows, required=names[:5], wanted=names, kinds=kinds, key="客服",
                       aliases=lambda h: str(h).strip() if str(h or "").strip() in names else None)
    out = []
    for rec in table.records:
        v = rec.values
        if v["月份"] is None or v["总分"] is None:
            continue
        out.append(HistoryRow(v["月份"], v["客服"], float(v["总分"]), int(v["排名"] or 0), int(v["人数"] or 0),
                              float(v.get("绩效工资") or 0), v.get("结果档位") or "", v.get("方案") or ""))
    header, records = read_sheet_table(rows, key="客服")
    log = HistoryLog(out, added_headers(header, names))
    for rec in records if log.added else ():
        key = (coerce(rec.get("月份"), "month"), header_text(rec.get("客服")))
        typed = {h: rec.get(h) for h in log.added if rec.get(h) not in (None, "")}
        if typed and key[0]:
            log.values[key] = typed
    return log


def _pick_month(data: Table, month: str | None) -> str:
    if month is not None:
        normalized = coerce(month, "month")
        if normalized is None:
            raise XlreportsError(f"月份「{month}」的格式不对，应为 2026-10 这样的年-月")
        return normalized
    months = data.months()
    if not months:
        raise XlreportsError(f"「{data.sheet}」没有月份列：请用 --month 指定考核月份，如 --month 2026-10")
    return max(months)


# ------------------------------------------------------------------ building

def _build_context(inputs: _Inputs, month: str, opts: AppraiseOptions, labels: Labels, shop: str,
                   warnings: list[Problem], messages: list[str]) -> tuple[BookContext, list[tuple[str, str]] | None]:
    scheme, refs = inputs.scheme.scheme, inputs.scheme.refs
    table = inputs.data
    records = table.for_month(month)
    available = set(table.columns)
    problems: list[Problem] = []

    # Growth metrics read last month's value: from the data's own previous-month rows when no column gives it.
    derived: dict[str, dict[str, float | None]] = {}
    for kpi in scheme.kpis:
        m = kpi.metric
        if m.kind == "growth" and m.denominator and m.denominator not in available:
            prev = {r.values["客服"]: r.values.get(m.numerator) for r in _month_records(table, previous_month(month))}
            derived[m.denominator] = prev
            if not prev:
                warnings.append(Problem(table.sheet, None, f"没有 {previous_month(month)} 的数据，"
                                        f"「{kpi.name}」按无数据处理", severity="warning"))

    rate_columns: dict[str, str] = {}
    data_columns: list[str] = []
    for kpi in scheme.kpis:
        m = kpi.metric
        kind = kinds.get(kpi.kind)
        if not kind.uses_metric or m.kind == "none":
            continue
        if uses_rate_column(m, available):
            rate_columns[kpi.name] = m.rate_column
            data_columns.append(m.rate_column)
            continue
        for col in m.columns():
            if col not in available and col not in derived:
                if not kind.scored:
                    warnings.append(Problem(table.sheet, str(table.header_row),
                                            f"没有列「{col}」，仅展示的指标「{kpi.name}」显示为无数据", severity="warning"))
                else:
                    alt = f"或「{m.rate_column}」" if m.rate_column else ""
                    problems.append(Problem(table.sheet, str(table.header_row),
                                            f"缺少列「{col}」{alt}（「{SCHEME_SHEET}」中的指标「{kpi.name}」需要）"))
            data_columns.append(col)
    if scheme.commission and scheme.commission_column:
        if scheme.commission_column not in available:
            warnings.append(Problem(table.sheet, str(table.header_row),
                                    f"没有列「{scheme.commission_column}」，提成按 0 计算", severity="warning"))
        data_columns.append(scheme.commission_column)
    data_columns = list(dict.fromkeys(data_columns))
    raise_if_errors(problems)

    roster_info, new_roster = _roster(inputs.roster, records, scheme.default_level, scheme, warnings, messages)

    # Inputs typed on forms and the payroll: carried over when someone changed them, else pre-filled from data.
    prefills: dict[str, Any] = {}
    input_fields = _input_fields(scheme)
    agents: list[AgentMonth] = []
    key = lambda agent, name: f"{month}|{agent}|{name}"  # noqa: E731 - mirrors BookContext.input_key
    old = {c.key: c for c in inputs.old_inputs}
    values_by_key: dict[str, Any] = {}
    for rec in records:
        name = rec.values["客服"]
        values = {c: rec.values.get(c) for c in table.columns if c not in ("客服", "月份")}
        for col, prev in derived.items():
            values[col] = prev.get(name)
        for label, column in input_fields:
            k = key(name, label)
            prefill = rec.values.get(column) if column else None
            prefills[k] = prefill
            chosen = carried_value(k, prefill, old, inputs.current)
            values_by_key[k] = chosen
            if column:
                try:
                    values[column] = coerce(chosen, "number")
                except ValueError:
                    cell = old[k].cell if k in old else rec.cell(column)
                    sheet = old[k].sheet if k in old else table.sheet
                    problems.append(Problem(sheet, cell, f"「{label}」应为数字", found=chosen))
        for label in ("考核人员", "考核时间", "备注", "被考核人确认", "确认日期"):
            k = key(name, label)
            prefills[k] = None
            values_by_key[k] = inputs.current.get(k) if k in old else None
        hire, post, level = roster_info.get(name, (None, "", scheme.default_level))
        agents.append(AgentMonth(name, month, values, level=level, post=post or values.get("岗位") or "",
                                 hire_date=hire))
    raise_if_errors(problems)

    history = [h for h in inputs.history if h.month != month]
    result = appraise_month(scheme, agents, history, available | set(derived))
    forms = opts.forms if opts.forms != "auto" else ("tabs" if len(agents) <= AUTO_TABS_LIMIT else "single")
    ctx = BookContext(result, refs, labels, scheme.shop or shop, data_columns, rate_columns,
                      values_by_key, prefills, forms)
    return ctx, new_roster


def _month_records(table: Table, month: str):
    try:
        return table.for_month(month)
    except (InputErrors, XlreportsError):
        return []


def _input_fields(scheme) -> list[tuple[str, str | None]]:
    """(input label, data column that pre-fills it): manual scores, counts, attendance, 奖金."""
    out: list[tuple[str, str | None]] = []
    for kpi in scheme.kpis:
        out += kinds.get(kpi.kind).input_fields(kpi)
    out.append((BONUS_COLUMN, BONUS_COLUMN))
    return list(dict.fromkeys(out))


def _roster(roster: Table | None, records, default_level: str, scheme, warnings: list[Problem],
            messages: list[str]):
    info: dict[str, tuple] = {}
    names = [r.values["客服"] for r in records]
    if roster is None:
        messages.append(f"工作簿中没有「{ROSTER_SHEET}」，已新建：所有客服暂按默认级别「{default_level}」计算，"
                        "请补充入职日期、岗位和级别")
        return {}, [(n, "") for n in names]
    levels = {lv.name for lv in scheme.levels}
    by_name = {rec.values["客服"]: rec for rec in roster.records}
    for name in names:
        rec = by_name.get(name)
        if rec is None:
            warnings.append(Problem(roster.sheet, None, f"名册中没有客服「{name}」，按默认级别「{default_level}」计算",
                                    severity="warning"))
            continue
        level = rec.values.get("级别") or default_level
        if level not in levels:
            warnings.append(Problem(roster.sheet, rec.cell("级别") if "级别" in rec.cols else None,
                                    f"级别「{level}」不在考核方案的【级别工资】中（可用：{'、'.join(sorted(levels))}）",
                                    severity="warning"))
        info[name] = (rec.values.get("入职日期"), rec.values.get("岗位") or "", level)
    return info, None


def _workbook_spec(ctx: BookContext, inputs: _Inputs, opts: AppraiseOptions, new_roster, labels: Labels) -> WorkbookSpec:
    data_spec, data_refs = data_sheet(ctx)
    forms, form_refs = form_sheets(ctx, data_refs)
    summary, summary_refs = summary_sheet(ctx, form_refs)
    payroll = payroll_sheet(ctx, data_refs, form_refs, summary_refs)
    history = merge_history(inputs.history, history_rows(ctx.result))
    sheets = []
    if inputs.scheme_is_new:
        sheets.append(scheme_sheet(inputs.scheme.scheme, SCHEME_SHEET))
    sheets += [summary, payroll, *forms, data_spec, history_sheet(history)]
    if new_roster is not None:
        sheets.append(roster_sheet(new_roster, ctx.scheme.default_level))
    generated = [s.name for s in [summary, payroll, *forms, data_spec]]
    book = WorkbookSpec(sheets=sheets)
    current = input_cells(book, ctx.month, ctx.prefills)
    kept = [c for c in inputs.old_inputs if c.month != ctx.month]
    for c in kept:
        c.value = inputs.current.get(c.key, c.value)
    book.sheets.append(manifest_sheet(generated, kept + current))
    book.remove = [n for n in inputs.generated if n not in generated]
    return book
