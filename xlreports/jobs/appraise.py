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
from datetime import datetime
from pathlib import Path
from typing import Any

from xlreports import kinds
from xlreports.engine.appraisal import BONUS_COLUMN, appraise_month
from xlreports.engine.tax import ADDITIONAL, DEDUCTIONS, settle
from xlreports.engine.metrics import uses_rate_column
from xlreports.engine.records import AgentMonth, HistoryRow, MonthResult
from xlreports.engine.streaks import previous_month
from xlreports.errors import InputErrors, Problem, XlreportsError, raise_if_errors
from xlreports.layout.context import BookContext
from xlreports.layout.data_sheet import data_sheet
from xlreports.layout.forms import form_sheets
from xlreports.layout.labels import Labels
from xlreports.layout.localize import localize_book, scheme_literals
from xlreports.layout.ledgers import (HISTORY_COLUMNS, HISTORY_PAY_COLUMNS, HISTORY_SHEET, MANIFEST_COLUMNS,
                                      MANIFEST_FORMAT, MANIFEST_SHEET, ROSTER_SHEET, HistoryLog, InputCell, history_pay,
                                      history_rows, history_sheet, input_cells, manifest_sheet, merge_history,
                                      roster_sheet)
from xlreports.layout.payroll import payroll_sheet
from xlreports.layout.payslips import payslip_sheet
from xlreports.layout.trend import trend_sheet
from xlreports.layout.scheme_sheet import scheme_sheet
from xlreports.layout.spec import WorkbookSpec
from xlreports.layout.summary import link_payroll, summary_sheet
from xlreports.layout.front_page import FrontFacts, front_page, team_totals
from xlreports.layout.tabs import tab_order
from xlreports.rules.scheme_files import builtin_scheme, resolve_scheme
from xlreports.rules.scheme_rows import SHEET_NAME as SCHEME_SHEET, ParsedScheme, parse_scheme_rows, scheme_to_rows
from xlreports.rules.scheme_check import check_scheme
from xlreports.excel.read.source import SheetRows, WorkbookRows
from xlreports.excel.read.agent_columns import agent_sheets, missing_column
from xlreports.excel.read.score_columns import read_scores, text_kinds
from xlreports.excel.read.tables import Table, coerce, read_agent_table, read_table
from xlreports.excel.write import FileWriter, Writer
from xlreports.excel.write.lock import run_lock
from xlreports.excel.write.plan import arranged, sheet_key
from xlreports.jobs.carry import (OurSheets, added_headers, carried_value, current_inputs, formula_inputs,
                                  header_text, input_field_kinds, read_manifest, read_our_sheets, read_sheet_table,
                                  sheet_inputs, still_prefilled)
from xlreports.jobs.form_warnings import form_warnings, read_typed_score
from xlreports.jobs.overtyped import overtyped_figures
from xlreports.layout.readback import SIGN_OFF_FIELDS
from xlreports.jobs.people import (ACCOUNT_FIELD, account_book, missing_day_problems, people_months,
                                   unmatched_problems)
from xlreports.jobs.timing import PhaseClock
from xlreports.engine.rollup import Rollup

DATA_SHEET = "客服数据"
AUTO_TABS_LIMIT = 30  # more agents than this: all forms on one sheet
FRONT_PAGE = "首页"


@dataclass
class AppraiseOptions:
    month: str | None = None
    scheme: str | None = None  # "A", "B" or a JSON file; None: the workbook's 考核方案 (A if it has none)
    sheet: str = DATA_SHEET
    out: str | Path | None = None
    lang: str = "zh"
    forms: str = "auto"  # "tabs" | "single" | "auto"
    backup: bool = True
    protect: bool = False  # protect every computed sheet (inputs stay typable), so formulas aren't overtyped


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
    known: dict[str, InputCell]  # input key → the cell as it is now (found by labels, else the manifest's copy)
    legacy: list[str] = field(default_factory=list)  # tabs an earlier version wrote (no marks yet)
    rollup: Rollup | None = None  # how accounts and days were rolled up to people-months
    ours: OurSheets = field(default_factory=OurSheets)  # forms, 工资表, 考核汇总 as they were (values, formulas)
    typed_formulas: list[Problem] = field(default_factory=list)  # input cells holding a formula, noted


def appraise(book: str | Path, opts: AppraiseOptions | None = None, writer: Writer | None = None) -> AppraiseReport:
    """Run the month's appraisal on ``book`` and write the sheets with ``writer`` (default: into the
    file ``book``, or ``opts.out``, through the zip-level writer).

    The run holds the workbook's run lock from before the read until after the write, and the
    file writer refuses to replace a workbook saved by someone else since it was read."""
    opts = opts or AppraiseOptions()
    book = Path(book)
    is_csv = book.suffix.lower() == ".csv"
    target = Path(opts.out) if opts.out else (book.with_suffix(".xlsx") if is_csv else book)
    with run_lock(target, command="appraise"):
        # The file writer works at zip level: the user's other sheets, names and VBA are copied byte for
        # byte, and the cost follows the generated tabs, not everything the workbook holds.
        writer = writer or FileWriter.before_reading(None if is_csv else book, target, backup=opts.backup)
        with WorkbookRows(book) as wb:
            report = plan_appraisal(wb, opts, shop=book.stem, is_csv=is_csv, source=book.name)
        clock = PhaseClock()
        report.backup = writer.write(report.book)
        clock.tick("write")
    report.output = target
    report.timings.update(clock.laps)
    return report


def plan_appraisal(wb, opts: AppraiseOptions, *, shop: str, is_csv: bool = False,
                   source: str | None = None) -> AppraiseReport:
    """Read, check and compute everything, and lay out the sheets — without writing anything.

    ``wb`` is a :class:`~xlreports.excel.read.source.RowsSource`: a file opened with ``WorkbookRows``,
    or a live Excel workbook (:class:`~xlreports.excel.read.live.XlwingsRows`). The report's
    ``book`` holds the sheet specs to render; ``output`` and ``backup`` are set by the writer.
    ``source``: the workbook's name as 首页 shows it (default ``shop``).
    """
    labels = Labels(opts.lang)
    warnings: list[Problem] = []
    messages: list[str] = []
    clock = PhaseClock()
    inputs = _read_inputs(wb, opts, messages, is_csv)
    month = _pick_month(inputs.data, opts.month)
    clock.tick("read")
    warnings += _read_warnings(inputs)
    warnings += missing_day_problems(inputs.rollup, month, inputs.data.sheet)
    ctx, new_roster = _build_context(inputs, month, opts, labels, shop, warnings, messages)
    clock.tick("engine")
    spec, links = _workbook_spec(ctx, inputs, opts, new_roster, labels, warnings)
    # Formulas typed over are rewritten (the scheme defines each figure, pay reads it) and reported by
    # cell; formulas typed into input cells keep the value they show, and are noted.
    warnings += overtyped_figures(inputs.ours, spec.sheets, labels, month, [r.agent.name for r in ctx.result.agents],
                                  [k.name for k in ctx.scheme.kpis])
    warnings += inputs.typed_formulas
    _front_page(spec, links, ctx, inputs, opts, [] if is_csv else list(wb.names), _source_text(source or shop, inputs.data.sheet, labels),
                warnings)
    if not is_csv:
        _check_input_not_written(inputs.data.sheet, opts.sheet, spec)
    clock.tick("layout")
    return AppraiseReport(ctx.result, Path(), None, [s.name for s in spec.sheets], warnings, messages, spec,
                          clock.laps)


def _read_inputs(wb, opts: AppraiseOptions, messages: list[str], is_csv: bool) -> _Inputs:
    data_rows = wb.rows(wb.names[0]) if is_csv else _data_rows(wb, opts.sheet, messages)
    scheme_name = None if is_csv else wb.find(SCHEME_SHEET)
    if scheme_name is None:
        scheme = resolve_scheme(opts.scheme) if opts.scheme else builtin_scheme("A")
        parsed = parse_scheme_rows(scheme_to_rows(scheme), SCHEME_SHEET)
        is_new = True
        if not opts.scheme:
            messages.append(f"工作簿中没有「{SCHEME_SHEET}」，已写入内置方案 A（{scheme.name}），可在该表中修改规则")
    else:  # the workbook's own 考核方案 is never replaced here (only by init --replace, which keeps it)
        parsed = parse_scheme_rows(wb.rows(scheme_name).rows, scheme_name)
        is_new = False
        if opts.scheme and parsed.scheme != resolve_scheme(opts.scheme):
            raise XlreportsError(f"工作簿中已有「{scheme_name}」，与 --scheme {opts.scheme} 不同，本次没有写入任何内容。"
                                 f"要改用 {opts.scheme}，请先运行 xlreports init 工作簿 --scheme {opts.scheme} --replace"
                                 "（原来的方案会改名保留），或去掉 --scheme 按工作簿中的方案计算")
    roster = _read_roster(wb.rows(ROSTER_SHEET)) if wb.find(ROSTER_SHEET) else None
    history = _read_history(wb.rows(HISTORY_SHEET)) if wb.find(HISTORY_SHEET) else []
    manifest = wb.rows(MANIFEST_SHEET) if not is_csv and wb.find(MANIFEST_SHEET) else None
    generated, cached = read_manifest(manifest) if manifest is not None else ([], [])

    problems = check_scheme(parsed.scheme, parsed.refs)
    raise_if_errors(problems)
    labels = Labels(opts.lang)
    ours = OurSheets() if is_csv else read_our_sheets(wb, labels)
    found = sheet_inputs(ours, labels, input_field_kinds(parsed.scheme))
    known = current_inputs(found, cached)
    scores = _score_columns(parsed.scheme)  # typed like a form's scores ("9分"): read leniently, warned by cell
    data = read_agent_table(data_rows, extra=parsed.scheme.input_columns(), kinds=text_kinds(scores))
    read_scores(data, scores)
    data.warnings[:0] = problems  # the scheme's warnings first; the run prints them all
    # Accounts → people and days → months before anything is scored: one record per person per month.
    data, rolled = people_months(data, account_book(roster))
    data.warnings += unmatched_problems(rolled, data)
    return _Inputs(data, parsed, is_new, roster, history, generated, known,
                   legacy_tabs(manifest, generated) if manifest is not None else [], rolled, ours,
                   formula_inputs(found))


def _data_rows(wb, sheet: str, messages: list[str]):
    """The agent data: the sheet named ``sheet`` and every sheet named like 客服数据-京东 beside it, read as one."""
    names = agent_sheets(wb.names, sheet)
    if len(names) > 1:
        messages.append(f"客服数据来自 {len(names)} 张工作表：{'、'.join(names)}")
    return [wb.rows(n) for n in names] if len(names) > 1 else wb.rows(names[0] if names else sheet)


def _read_warnings(inputs: _Inputs) -> list[Problem]:
    """What the readers noticed without stopping (a scheme oddity, a cleaned name, a row without 月份,
    付款笔数 above 拍下笔数 …), for the run to print."""
    return [*inputs.data.warnings, *(inputs.roster.warnings if inputs.roster else [])]


def _read_roster(rows: SheetRows) -> Table:
    """客服名册: one row per person, or several when a person has several 账号 (also several in one cell)."""
    aliases = {"客服": "客服", "姓名": "客服", "旺旺": "客服", "客服昵称": "客服", "入职日期": "入职日期",
               "入职时间": "入职日期", "岗位": "岗位", "级别": "级别", "等级": "级别", "工号": "工号", "员工编号": "工号",
               ACCOUNT_FIELD: ACCOUNT_FIELD, "子账号": ACCOUNT_FIELD, "客服账号": ACCOUNT_FIELD}
    return read_table(rows, wanted=list(dict.fromkeys(aliases.values())),
                      kinds={"客服": "text", "入职日期": "date", "岗位": "text", "级别": "text", "工号": "text",
                             ACCOUNT_FIELD: "text"},
                      key="客服", aliases=lambda h: aliases.get(str(h or "").strip()), also_by=[ACCOUNT_FIELD])


def _read_history(rows: SheetRows) -> HistoryLog:
    """The kept results, and the columns people added to 考核历史 (by 月份 and 客服, values as typed)."""
    names = (*HISTORY_COLUMNS, *HISTORY_PAY_COLUMNS)
    kinds = {"月份": "month", "客服": "text", "总分": "number", "排名": "number", "人数": "number",
             "绩效工资": "number", "结果档位": "text", "方案": "text", **{c: "number" for c in HISTORY_PAY_COLUMNS}}
    table = read_table(rows, required=names[:5], wanted=names, kinds=kinds, key="客服",
                       aliases=lambda h: str(h).strip() if str(h or "").strip() in names else None)
    out = []
    for rec in table.records:
        v = rec.values
        if v["月份"] is None or v["总分"] is None:
            continue
        out.append(HistoryRow(v["月份"], v["客服"], float(v["总分"]), int(v["排名"] or 0), int(v["人数"] or 0),
                              float(v.get("绩效工资") or 0), v.get("结果档位") or "", v.get("方案") or "",
                              *history_pay(v)))
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
        try:
            normalized = coerce(month, "month")
        except ValueError:  # 2026-13
            normalized = None
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

    derived = _derived(table, month, scheme, available, warnings)

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
                    problems.append(missing_column(col, table.columns, table.headers, table.extra_headers,
                                                   table.sheet, str(table.header_row),
                                                   role="分子列" if col == m.numerator else "分母列",
                                                   alternative=m.rate_column,
                                                   needed_by=f"（「{SCHEME_SHEET}」中的指标「{kpi.name}」需要）"))
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
    agents, prefills, values_by_key, problems = _month_agents(inputs, month, records, roster_info, derived, labels)
    raise_if_errors(problems)
    warnings += problems  # typed scores read leniently, or not at all
    _warn_absent(inputs, month, records, warnings)

    inputs.history = _refreshed_history(inputs, month, available, messages, warnings)
    history = [h for h in inputs.history if h.month != month]
    result = settle(appraise_month(scheme, agents, history, available | set(derived)), history)
    forms = opts.forms if opts.forms != "auto" else ("tabs" if len(agents) <= AUTO_TABS_LIMIT else "single")
    last = previous_month(month)
    ctx = BookContext(result, refs, labels, scheme.shop or shop, data_columns, rate_columns,
                      values_by_key, prefills, forms, previous={h.agent: h for h in history if h.month == last})
    return ctx, new_roster


def _derived(table: Table, month: str, scheme, available: set[str],
             warnings: list[Problem]) -> dict[str, dict[str, float | None]]:
    """Growth metrics read last month's value: from the data's own previous-month rows when no column gives it."""
    derived: dict[str, dict[str, float | None]] = {}
    for kpi in scheme.kpis:
        m = kpi.metric
        if m.kind == "growth" and m.denominator and m.denominator not in available:
            prev = {r.values["客服"]: r.values.get(m.numerator) for r in _month_records(table, previous_month(month))}
            derived[m.denominator] = prev
            if not prev:
                warnings.append(Problem(table.sheet, None, f"没有 {previous_month(month)} 的数据，"
                                        f"「{kpi.name}」按无数据处理", severity="warning"))
    return derived


def _month_agents(inputs: _Inputs, month: str, records, roster_info: dict, derived: dict,
                  labels: Labels = Labels("zh")):
    """One month's agents with what was typed for them carried over: (agents, pre-fills, cell values, problems;
    a typed score that is not a plain number is a warning: read as the number it says, or scored 0)."""
    scheme, table, known = inputs.scheme.scheme, inputs.data, inputs.known
    scores = {k.name: k for k in scheme.kpis if kinds.of(k).typed_score}
    prefills: dict[str, Any] = {}
    values_by_key: dict[str, Any] = {}
    problems: list[Problem] = []
    agents: list[AgentMonth] = []
    key = lambda agent, name: f"{month}|{agent}|{name}"  # noqa: E731 - mirrors BookContext.input_key
    for rec in records:
        name = rec.values["客服"]
        values = {c: rec.values.get(c) for c in table.columns if c not in ("客服", "月份")}
        for col, prev in derived.items():
            values[col] = prev.get(name)
        for label, column in _input_fields(scheme):
            k = key(name, label)
            prefill = rec.values.get(column) if column else None
            prefills[k] = prefill
            chosen = carried_value(k, prefill, known)
            values_by_key[k] = chosen
            if column and label in scores:
                where = ((known[k].sheet, known[k].cell) if k in known
                         else (table.sheet, rec.cell(column) if column in rec.cols else None))
                values[column], values_by_key[k], problem = read_typed_score(
                    label, chosen, scores[label].max_score, *where, labels)
                problems += [problem] if problem else []
            elif column:
                try:
                    values[column] = coerce(chosen, "number")
                except ValueError:
                    cell = known[k].cell if k in known else rec.cell(column)
                    sheet = known[k].sheet if k in known else table.sheet
                    problems.append(Problem(sheet, cell, f"「{label}」应为数字", found=chosen))
        for label in SIGN_OFF_FIELDS:
            k = key(name, label)
            prefills[k] = None
            values_by_key[k] = known[k].value if k in known else None
        hire, post, level, staff_id = roster_info.get(name, (None, "", scheme.default_level, ""))
        agents.append(AgentMonth(name, month, values, level=level, post=post or values.get("岗位") or "",
                                 hire_date=hire, staff_id=staff_id))
    return agents, prefills, values_by_key, problems


def _warn_absent(inputs: _Inputs, month: str, records, warnings: list[Problem]) -> None:
    """Agents with inputs for this month who are not in this run's data: their typed values are kept."""
    present = {r.values["客服"] for r in records}
    absent: dict[str, int] = {}
    for c in inputs.known.values():
        if c.month == month and c.agent and c.agent not in present:
            typed = c.value not in (None, "") and not (c.recorded and still_prefilled(c.value, c.prefill))
            absent[c.agent] = absent.get(c.agent, 0) + typed
    for agent, typed in sorted(absent.items()):
        warnings.append(Problem(inputs.data.sheet, None, f"客服「{agent}」不在 {month} 的数据中（姓名有改动？），"
                                f"本次未计算；已保留为她填写的 {typed} 项内容，数据中恢复后会重新填入",
                                severity="warning"))


def _refreshed_history(inputs: _Inputs, month: str, available: set[str], messages: list[str],
                       warnings: list[Problem]) -> list[HistoryRow]:
    """考核历史 brought up to date before ``month``'s streaks: every earlier month in the data is
    recomputed from its data and what was typed on its forms (never-appraised months with their pre-fills)."""
    scheme, table = inputs.scheme.scheme, inputs.data
    history = merge_history(inputs.history, [])  # a copy that keeps the columns people added
    before = {(h.month, h.agent): h for h in history}
    fresh, changed = [], []
    for m in sorted(x for x in table.months() if x < month):
        records = _month_records(table, m)
        if not records:
            continue
        derived = _derived(table, m, scheme, available, [])
        roster_info, _ = _roster(inputs.roster, records, scheme.default_level, scheme, [], [])
        agents, prefills, _, problems = _month_agents(inputs, m, records, roster_info, derived)
        problems = [p for p in problems if p.severity == "error"]  # warnings: this month's run says them
        for p in problems:
            warnings.append(Problem(p.sheet, p.cell, f"{m}：{p.message}，该月历史按预填值计算", severity="warning",
                                    found=p.found))
        if problems:
            bad = {p.cell for p in problems}
            inputs.known = {k: c for k, c in inputs.known.items() if not (c.month == m and c.cell in bad)}
            agents, prefills, _, _ = _month_agents(inputs, m, records, roster_info, derived)
        for k, c in inputs.known.items():
            if c.month == m and not c.recorded and k in prefills:  # the cache was lost: this run's pre-fill
                c.prefill, c.recorded = prefills[k], True
        earlier = [h for h in history if h.month < m]
        rows = history_rows(settle(appraise_month(scheme, agents, earlier, available | set(derived)), earlier))
        if not any(h.month == m for h in inputs.history):
            fresh.append(m)
        else:
            changed += [f"{m} {r.agent} {before[(m, r.agent)].total:g}→{r.total:g}" for r in rows
                        if (m, r.agent) in before and abs(before[(m, r.agent)].total - r.total) > 1e-9]
        history = merge_history(history, rows)
    if fresh:
        messages.append(f"{'、'.join(fresh)} 未曾考核：已按「{table.sheet}」和预填值计入「{HISTORY_SHEET}」，连续规则据此计算")
    if changed:
        messages.append(f"「{HISTORY_SHEET}」已按各月考核表上填写的内容更新总分：{'；'.join(changed)}")
    return history


def _month_records(table: Table, month: str):
    try:
        return table.for_month(month)
    except (InputErrors, XlreportsError):
        return []


def _input_fields(scheme) -> list[tuple[str, str | None]]:
    """(input label, data column that pre-fills it): manual scores, counts, attendance, 奖金, deductions
    (and 专项附加扣除 when the scheme computes 个税), each pre-filled from a data column of its name."""
    out: list[tuple[str, str | None]] = []
    for kpi in scheme.kpis:
        out += kinds.get(kpi.kind).input_fields(kpi)
    out.append((BONUS_COLUMN, BONUS_COLUMN))
    out += [(f, f) for f in (*DEDUCTIONS, *([ADDITIONAL] if scheme.income_tax == "on" else []))]
    return list(dict.fromkeys(out))


def _score_columns(scheme) -> list[str]:
    """The data columns that pre-fill a typed score (主管评分, 考试): read like the score typed on a form."""
    scores = {k.name for k in scheme.kpis if kinds.of(k).typed_score}
    return [column for label, column in _input_fields(scheme) if column and label in scores]


def _roster(roster: Table | None, records, default_level: str, scheme, warnings: list[Problem],
            messages: list[str]):
    info: dict[str, tuple] = {}
    names = [r.values["客服"] for r in records]
    if roster is None:
        messages.append(f"工作簿中没有「{ROSTER_SHEET}」，已新建：所有客服暂按默认级别「{default_level}」计算，"
                        "请补充入职日期、岗位和级别")
        return {}, [(n, "") for n in names]
    levels = {lv.name for lv in scheme.levels}
    problems: list[Problem] = []
    by_name: dict[str, Any] = {}
    for rec in roster.records:  # a person on several rows (one per 账号): the first row giving a 级别
        first = by_name.setdefault(rec.values["客服"], rec)
        if not first.values.get("级别") and rec.values.get("级别"):
            by_name[rec.values["客服"]] = rec
    for name in names:
        rec = by_name.get(name)
        if rec is None:
            warnings.append(Problem(roster.sheet, None, f"名册中没有客服「{name}」，按默认级别「{default_level}」计算",
                                    severity="warning"))
            continue
        level = rec.values.get("级别") or default_level
        if level not in levels:  # an error: the agent would be paid 底薪 0
            problems.append(Problem(roster.sheet, rec.cell("级别") if "级别" in rec.cols else None,
                                    f"级别「{level}」不在考核方案的【级别工资】中（可用：{'、'.join(sorted(levels))}）"))
        info[name] = (rec.values.get("入职日期"), rec.values.get("岗位") or "", level, rec.values.get("工号") or "")
    raise_if_errors(problems)
    return info, None


def _workbook_spec(ctx: BookContext, inputs: _Inputs, opts: AppraiseOptions, new_roster, labels: Labels,
                   warnings: list[Problem]) -> tuple[WorkbookSpec, tuple]:
    data_spec, data_refs = data_sheet(ctx, inputs.rollup)
    forms, form_refs = form_sheets(ctx, data_refs)
    warnings += form_warnings(ctx, form_refs)  # before any sheet that lists the run's warnings (首页)
    summary, summary_refs = summary_sheet(ctx, form_refs)
    payroll = payroll_sheet(ctx, data_refs, form_refs, summary_refs)
    link_payroll(summary, summary_refs, payroll, labels)
    history = merge_history(inputs.history, history_rows(ctx.result))
    month_end = [payslip_sheet(ctx, payroll.name), trend_sheet(ctx, history)]  # after 工资表 (issue 9)
    sheets = []
    if inputs.scheme_is_new:
        sheets.append(scheme_sheet(inputs.scheme.scheme, SCHEME_SHEET))
    computed = [summary, payroll, *month_end, *forms, data_spec, history_sheet(history)]
    sheets += computed
    if new_roster is not None:
        sheets.append(roster_sheet(new_roster, ctx.scheme.default_level))
    generated = [labels(FRONT_PAGE), *(s.name for s in [summary, payroll, *month_end, *forms, data_spec])]
    book = WorkbookSpec(sheets=sheets)
    _localize(book, ctx)
    if opts.protect:  # every sheet written, whichever layout made it; not 考核方案 or a new 客服名册: people add rows
        for s in book.sheets:
            s.protect = s.name not in (SCHEME_SHEET, ROSTER_SHEET)
    current = input_cells(book, ctx.month, ctx.prefills)
    # Other months, and this month's agents absent from this run, stay in the cache until they are back.
    written = {c.key for c in current}
    present = {r.agent.name for r in ctx.result.agents}
    kept = [c for c in inputs.known.values()
            if c.key not in written and (c.month != ctx.month or c.agent not in present)]
    book.sheets.append(manifest_sheet(generated, kept + current))
    book.remove = [n for n in inputs.generated if n not in generated]
    book.adopt = inputs.legacy
    return book, (summary_refs, data_refs)


def _front_page(book: WorkbookSpec, links, ctx: BookContext, inputs: _Inputs, opts: AppraiseOptions,
                existing: list[str], source: str, warnings: list[Problem]) -> None:
    """首页 first in ``book`` (made last: it lists the run's warnings), the tabs' fixed order, and 首页 active."""
    labels = ctx.labels
    names = [s.name for s in book.sheets]
    data_sheets = agent_sheets(existing, opts.sheet) or [inputs.data.sheet]
    front_name = labels(FRONT_PAGE)
    gone = {sheet_key(n) for n in book.remove}
    kept = [n for n in existing if sheet_key(n) not in gone]
    have = {sheet_key(k) for k in kept}
    new = [n for n in [front_name, *names] if sheet_key(n) not in have]
    book.order = tab_order(labels, [*kept, *new], data_sheets)
    hidden = {sheet_key(s.name) for s in book.sheets if s.state != "visible"}
    tabs = [n for n in arranged(kept, new, book.order) if sheet_key(n) not in hidden]
    before = _month_records(inputs.data, previous_month(ctx.month))
    facts = FrontFacts(source, made_at(), list(warnings), tabs,
                       team_totals([r.values for r in before]) if before else None)
    front = front_page(ctx, *links, facts)
    _localize(WorkbookSpec(sheets=[front]), ctx)  # made after the rest of the book was translated
    front.protect = opts.protect
    book.sheets.insert(0, front)
    book.active = front.name


def _source_text(book: str, sheet: str, labels: Labels) -> str:
    """Where the data came from, as 首页 shows it: 店.xlsx「客服数据」 (English: shop.xlsx "客服数据")."""
    return f"{book}「{sheet}」" if labels.lang == "zh" else f'{book} "{sheet}"'


def _localize(book: WorkbookSpec, ctx: BookContext) -> None:
    """--lang en: the generated sheets in English; agent names, the shop and the rules sheets as they are."""
    localize_book(book, ctx.labels, keep={r.agent.name for r in ctx.result.agents} | {ctx.shop},
                  skip={SCHEME_SHEET, HISTORY_SHEET, ROSTER_SHEET},
                  refs=scheme_literals(ctx.scheme, ctx.refs, ctx.labels))


def made_at() -> str:
    """The time of the run as 首页 shows it (a function, so tests comparing two plans can fix it).

    >>> len(made_at())
    16
    """
    return datetime.now().strftime("%Y-%m-%d %H:%M")


def _check_input_not_written(sheet: str, asked: str, book: WorkbookSpec) -> None:
    """The agent data sheet is never an output: stop when it bears a generated tab's name."""
    if sheet_key(sheet) in {sheet_key(s.name) for s in book.sheets}:
        raise XlreportsError(f"客服数据所在的工作表「{sheet}」与 xlreports 生成的工作表同名，写入会覆盖它，"
                             f"本次没有写入任何内容。请把它改名（例如「客服数据」）后用 --sheet 指定（现在是 --sheet {asked}）")


def legacy_tabs(manifest: SheetRows, generated: list[str]) -> list[str]:
    """Tabs an earlier version wrote, vouched for by its manifest: trusted once, until they carry a mark.

    A manifest written since tabs are marked says so in a ``format`` row and vouches for nothing;
    a sheet named like the manifest without its header is the user's and vouches for nothing.
    """
    rows = manifest.rows
    if not rows or tuple(rows[0][:len(MANIFEST_COLUMNS)]) != MANIFEST_COLUMNS:
        return []
    if any(row and row[0] == MANIFEST_FORMAT for row in rows[1:]):
        return []
    return [*generated, HISTORY_SHEET, MANIFEST_SHEET]
