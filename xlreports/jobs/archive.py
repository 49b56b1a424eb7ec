"""The customer-archive job: order exports → 客户档案, 会员分层, 客户分群, 关怀提醒, 售后登记 tabs.

Everything is read and computed before anything is written. What staff typed
(备注, the personal profile, columns they added, 处理人 / 处理结果, after-sales
cases) is read back from the workbook and carried over by 买家会员名; buyers
missing from this run's exports keep their rows. Big tabs are streamed into
the workbook at the zip level, so a run costs what the new tabs cost, not a
full load and save of everything the workbook holds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xlreports.errors import Problem, XlreportsError
from xlreports.layout import archive_sheets as views
from xlreports.layout.customer_sheet import archive_sheets
from xlreports.layout.sheet_parts import ROWS_PER_SHEET, continuation_sheet, part_name, parts_of, split_ranges
from xlreports.layout.spec import BODY, SheetSpec, WorkbookSpec
from xlreports.layout.membership_sheet import membership_sheet
from xlreports.layout.messages import reminder_messages
from xlreports.model.orders import BUYER
from xlreports.rules.membership_rows import SHEET_NAME as RULES_SHEET, parse_membership_rows
from xlreports.excel.read.export_paths import order_sources
from xlreports.excel.write import Writer
from xlreports.jobs.book_run import run_on_book
from xlreports.jobs.carry import (StaffColumns, added_headers, carry_staff_columns, merge_staff, read_sheet_table,
                                  read_staff_columns, staff_pick)
from xlreports.jobs.old_archive import Keys, all_present, merge_keys, pick_with_tier, take_keys
from xlreports.jobs.care_queue import CareState, care_sheets, read_care_state
from xlreports.jobs.timing import PhaseClock
from xlreports.layout.tiers_sheet import TierView, tiers_sheet

SKIPPED_LISTED = 200


@dataclass
class ArchiveOptions:
    orders: list[str | Path] = field(default_factory=list)  # export files, or folders of them
    today: date | None = None
    out: str | Path | None = None
    mask: bool = True
    rows_per_sheet: int = ROWS_PER_SHEET  # rows of a table per tab before it continues in 名称(2) (tests lower it)
    protect: bool = False  # protect the computed sheets (not 会员规则 or 售后登记, where people add rows)
    backup: bool = True
    templates: str | Path | None = None  # the shop's own message templates (<场景>.j2)
    shop: str | None = None


@dataclass
class ArchiveReport:
    output: Path
    backup: Path | None
    buyers: int
    members: int
    orders: int
    kept_absent: int
    reminders: int
    skipped: int
    sheets: list[str]
    messages: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    legacy: list[str] = field(default_factory=list)  # tabs an earlier version wrote (no marks yet)
    removed: list[str] = field(default_factory=list)  # continuation tabs (客户档案(3) …) no longer needed


def archive(book: str | Path, opts: ArchiveOptions | None = None, writer: Writer | None = None) -> ArchiveReport:
    """Rebuild the customer tabs of ``book`` (created when missing) from the order exports, written
    with ``writer`` (default: into the file, or ``opts.out``, through the zip-level writer).

    The run holds the workbook's run lock from before the read until after the write; what staff
    save in Excel while it computes is never overwritten (the file writer then writes nothing)."""
    opts = opts or ArchiveOptions()

    def plan(wb):
        report, sheets = plan_archive(wb, opts, shop=Path(book).stem)
        return report, WorkbookSpec(sheets, remove=report.removed, adopt=report.legacy)
    return run_on_book(book, opts.out, plan, command="archive", backup=opts.backup, writer=writer)


def plan_archive(wb, opts: ArchiveOptions, *, shop: str) -> tuple[ArchiveReport, list[SheetSpec]]:
    """Read, compute and lay out the customer tabs without writing anything.

    ``wb`` is the workbook as a :class:`~xlreports.excel.read.source.RowsSource` (``frame`` for big
    sheets, ``order_sources`` for pasted exports): ``WorkbookRows`` for a file, ``XlwingsRows``
    (:mod:`xlreports.excel.read.live`) for the add-in; None for a workbook that does not exist yet.
    """
    import polars as pl

    from xlreports.engine.customers import archive as arch_engine, care, segments, tiers
    from xlreports.model.membership import NON_MEMBER, default_rules
    from xlreports.excel.read.orders import read_orders

    today = opts.today or date.today()
    clock = PhaseClock()
    messages: list[str] = []
    sources = order_sources(opts.orders, wb)
    intake = read_orders(sources)
    if not intake.has_buyer:
        raise XlreportsError(f"订单导出中没有「{BUYER}」列（新版导出不含买家信息），无法按买家建立客户档案。"
                             f"请在卖家中心导出含{BUYER}的订单报表。")
    clock.tick("读取订单")

    state = _read_state(wb) if wb is not None else _State()
    rules = state.rules or default_rules()
    if state.rules is None:
        messages.append(f"工作簿中没有「{RULES_SHEET}」，已写入默认会员规则（至尊VIP ≥ 888、VIP ≥ 688、高级会员 ≥ 399）")
    clock.tick("读取工作簿")

    orders = intake.orders
    shop = opts.shop or _shop_name(orders) or shop
    arch = arch_engine.build_archive(orders, today)
    arch = tiers.assign_tiers(arch, rules, today, state.previous_tiers, orders=orders)
    scored = segments.rfm(arch, today)
    arch = arch.join(scored.select([BUYER, "R分", "F分", "M分", "客户分群"]), on=BUYER, how="left")
    arch = arch.with_columns(pl.col("会员等级").fill_null(NON_MEMBER))
    members = arch.filter(pl.col("购买次数") > 0)
    reminders = care.due_reminders(orders, arch, rules, today)
    texts = reminder_messages(reminders, shop, opts.templates, rules)
    clock.tick("计算")

    period = today.strftime("%Y-%m")
    tier_view, fit = _tier_view(arch, members, orders, rules, today, state.previous_tiers, period)
    if fit:
        messages.append(fit)
    queue = care_sheets(state.care, reminders, texts, arch, rules, orders, today)
    messages += queue.messages
    seg_table = [[s.name, s.count, s.share, s.spend, s.spend_share] for s in segments.segment_table(scored)]
    history = _tier_history(state.tier_history, state.previous_tiers, arch, period)

    # Carry over staff columns (values as typed) and keep buyers that this run's exports do not mention.
    staff = state.staff
    staff_cols = _staff_columns(rules, staff, messages)
    table, staff_values, kept = carry_staff_columns(arch, _old_rows(wb, state, arch), staff, staff_cols, opts.mask)
    columns = {**{c: table.get_column(c) for c in table.columns}, **staff_values}
    problems = list(staff.problems) if staff else []
    messages += [str(p) for p in problems[:20]]
    if len(problems) > 20:
        messages.append(f"……另有 {len(problems) - 20} 处（见「{views.REPORT_SHEET}」）")

    detail_cols = [BUYER, "距今天数", "购买次数", "累计消费", "R分", "F分", "M分", "客户分群"]
    detail = {c: scored.get_column(c) for c in detail_cols if c in scored.columns}
    archive_tabs = archive_sheets(columns, staff_cols, table.height, staff.formats if staff else None,
                                  rows_per_sheet=opts.rows_per_sheet)
    sheets: list[SheetSpec] = [
        *archive_tabs,
        tiers_sheet(tier_view),
        *_segment_tabs(seg_table, detail, scored.height, opts.rows_per_sheet),
        queue.sheets[0],
        views.aftersales_sheet(state.cases, state.cases_added, rules=state.aftersales_rules,
                               now=datetime.combine(today, datetime.max.time())),
        *_history_tabs(history, opts.rows_per_sheet),
        queue.sheets[1],  # 关怀记录: with the other logs, behind the day's tabs
        views.report_sheet(_report_lines(intake, sources, table.height, kept, opts.mask, today)
                           + _care_report_lines(queue, fit),
                           [[p.sheet, p.cell, p.message, str(p.found or "")]
                            for p in (problems + list(intake.skipped))[:SKIPPED_LISTED]]),
    ]
    if opts.protect:
        for s in sheets:
            s.protect = s.name != views.AFTERSALES_SHEET
    if state.rules is None:
        sheets.insert(0, membership_sheet(rules))
    clock.tick("排版")
    report = ArchiveReport(Path(), None, table.height, members.height, orders.height, kept, queue.items,
                           len(intake.skipped), [s.name for s in sheets], messages,
                           problems + list(intake.skipped[:20]),
                           clock.laps)
    report.legacy = legacy_tabs(wb.names if wb is not None else [])
    written = {s.name for s in sheets}
    report.removed = [n for base in CONTINUED for n in parts_of(wb.names if wb is not None else [], base)
                      if n not in written and n != base]
    parts = sum(1 for s in sheets if s.name.startswith(views.ARCHIVE_SHEET))
    if parts > 1:
        messages.append(f"买家 {table.height:,} 人，超出一张工作表的行数：{views.ARCHIVE_SHEET}分为 {parts} 张工作表（"
                        + "、".join(s.name for s in archive_tabs) + "）")
    return report, sheets


#: The tabs every earlier version wrote together on each run (introduced in one commit).
LEGACY_TABS = (views.ARCHIVE_SHEET, views.TIERS_SHEET, views.SEGMENTS_SHEET, views.CARE_SHEET,
               views.AFTERSALES_SHEET, views.TIER_HISTORY_SHEET, views.REPORT_SHEET)


def legacy_tabs(names: list[str]) -> list[str]:
    """Customer tabs an earlier version wrote, before tabs were marked: earlier versions wrote all
    seven together, so a workbook holding all seven is taken to hold theirs (once: from then on
    they carry a mark, and a tab marked with a name keeps the claim to it).

    >>> legacy_tabs(["客户档案"]), len(legacy_tabs(list(LEGACY_TABS)))
    ([], 7)
    """
    keys = {n.strip().casefold() for n in names}
    return list(LEGACY_TABS) if all(t.casefold() in keys for t in LEGACY_TABS) else []


@dataclass
class _State:
    """What the workbook already holds: rules, the old archive, staff input."""

    rules: Any = None
    archive: Any = None  # polars DataFrame of the old 客户档案 (computed columns), or None (not read)
    archive_tabs: list[str] = field(default_factory=list)  # 客户档案 tabs whose rows are read when needed
    keys: Keys | None = None  # their buyers and tiers, from the staff-column scan
    staff: StaffColumns | None = None  # its staff columns, values as typed
    previous_tiers: dict[str, str] = field(default_factory=dict)
    tier_history: Any = None
    care: CareState = field(default_factory=CareState)  # the last 关怀提醒, 关怀记录 and 客服名册's names
    cases: list[dict[str, Any]] = field(default_factory=list)
    cases_added: list[str] = field(default_factory=list)  # … and to 售后登记
    aftersales_rules: Any = None  # the 【售后规则】 block of 售后登记 (None: the defaults)


def _read_state(wb) -> _State:
    import polars as pl

    from xlreports.model.membership import NON_MEMBER

    state = _State()
    if wb.find(RULES_SHEET):
        state.rules = parse_membership_rows(wb.rows(RULES_SHEET).rows, wb.find(RULES_SHEET))
    state.care = read_care_state(wb)
    if wb.find(views.AFTERSALES_SHEET):
        name = wb.find(views.AFTERSALES_SHEET)
        state.cases, state.cases_added, state.aftersales_rules = _read_cases(wb.rows(name), name)
    # 客户档案 and its continuation tabs: staff columns (and buyers, tiers) by buyer across all of them
    sure = True
    for name in _parts(wb, views.ARCHIVE_SHEET):
        typed = wb.typed_columns(name, pick_with_tier(staff_pick(views.COMPUTED)))
        if typed is None or not any(h is not None for h in typed.header):
            continue
        keys = take_keys(typed, NON_MEMBER)
        sure = sure and keys is not None
        state.keys = merge_keys(state.keys, keys) if keys is not None else state.keys
        # stops with a located error when the 买家会员名 header is gone, before anything is written
        state.staff = merge_staff(state.staff, read_staff_columns(typed, name, views.COMPUTED))
        state.archive_tabs.append(name)
    if not sure:  # a key or tier the scan cannot vouch for: the rows as the whole-sheet reader gives them
        state.keys = None
        _load_old_archive(wb, state)
    elif state.keys is not None:
        state.previous_tiers = state.keys.tiers
    history = [wb.frame(name) for name in _parts(wb, views.TIER_HISTORY_SHEET)]
    history = [h for h in history if h is not None]
    if history:
        state.tier_history = pl.concat(history, how="diagonal_relaxed") if len(history) > 1 else history[0]
    return state


def _load_old_archive(wb, state: _State) -> None:
    """The computed columns of the old 客户档案 tabs (whole sheets, fastexcel), and the tiers from them."""
    import polars as pl

    from xlreports.model.membership import NON_MEMBER

    olds = []
    for name in state.archive_tabs:
        old = wb.frame(name)
        if old is not None and BUYER in old.columns:
            olds.append(old.filter(pl.col(BUYER).is_not_null()).select(
                [c for c in old.columns if c in views.COMPUTED]))
    state.archive_tabs = []
    if olds:
        old = pl.concat(olds, how="diagonal_relaxed") if len(olds) > 1 else olds[0]
        state.archive = old
        if "会员等级" in old.columns:
            tiers = old.select([BUYER, "会员等级"]).drop_nulls()
            state.previous_tiers = {b: t for b, t in tiers.iter_rows() if t and t != NON_MEMBER}


def _old_rows(wb, state: _State, arch):
    """The old 客户档案 rows for :func:`carry_staff_columns`: read now only when one of its buyers is
    missing from this run (they keep their rows); else none are needed (None)."""
    if state.archive_tabs and not all_present(state.keys, arch.get_column(BUYER)):
        _load_old_archive(wb, state)
    return state.archive


#: the tabs whose tables continue in 名称(2), 名称(3) … past a sheet's rows
CONTINUED = (views.ARCHIVE_SHEET, views.SEGMENTS_SHEET, views.TIER_HISTORY_SHEET)


def _parts(wb, base: str) -> list[str]:
    """The workbook's tabs of ``base`` (its name as the workbook spells it, then 名称(2) …)."""
    first = wb.find(base)
    if first is None:
        return []
    return [first] + [n for n in parts_of(list(wb.names), base) if n != base]


def _staff_columns(rules, staff: StaffColumns | None, messages: list[str]) -> list[str]:
    """备注, the personal fields 会员规则 shows, and every column holding typed values: a field turned
    off keeps its column while it holds anything (typed data is never dropped), and the run says so."""
    typed = staff.headers if staff else []
    filled = {c for c in typed if staff and any(v not in (None, "") for v in staff.values.get(c, {}).values())}
    hidden = [c for c in views.STAFF[1:] if c in filled and c not in rules.shown_fields]
    if hidden:
        messages.append(f"「{RULES_SHEET}」设为不显示的字段仍有填写内容，已保留：" + "、".join(hidden)
                        + "（清空这些列后重新运行即可隐藏）")
    cols = [views.STAFF[0], *rules.shown_fields, *hidden]
    return list(dict.fromkeys(cols + [c for c in typed if c not in views.STAFF]))


def _read_cases(rows, sheet: str):
    """(cases, columns staff added, rules): the rules block is read, then cut off the case table."""
    from xlreports.rules.aftersales_rows import find_block, parse_aftersales_rules

    rules = parse_aftersales_rules(rows.rows, sheet)
    block = find_block(rows.rows)
    if block is not None:
        rows = SimpleNamespace(rows=[list(r[:block[1]]) for r in rows.rows])
    header, cases = read_sheet_table(rows)
    added = added_headers(header, views.AFTERSALES_COLUMNS)
    typed = (*views.AFTERSALES_INPUTS, *added)
    return [c for c in cases if any(c.get(k) not in (None, "") for k in typed)], added, rules


def _shop_name(orders) -> str | None:
    if "店铺名称" not in orders.columns:
        return None
    names = orders.get_column("店铺名称").drop_nulls()
    return names[0] if len(names) else None


def _tier_view(arch, members, orders, rules, today, previous, period) -> tuple[TierView, str]:
    """What 会员分层 shows, and the warning when the thresholds do not fit the shop ("" when they do)."""
    from xlreports.engine.customers import tier_fit, tiers

    stats = tiers.tier_table(arch, rules)
    table = [[s.name, s.threshold, s.target_share, s.count, s.share, s.spend, s.spend_share] for s in stats]
    spends = members.get_column("累计消费")
    suggested = tiers.thresholds_for_shares(spends, rules) or [None] * len(rules.tiers)
    resulting = tiers.shares_for_thresholds(spends, rules) or [None] * len(rules.tiers)
    health = [[h.name, h.value, h.definition, f"{h.window} 天"] for h in tiers.health(arch, orders, rules, today)]
    current = dict(arch.select([BUYER, "会员等级"]).iter_rows())
    changes = [[c.buyer, c.old or "", c.new or "", c.direction]
               for c in tiers.tier_changes(previous, current, rules) if previous]
    far = tier_fit.misfits(stats, suggested)
    view = TierView(rules.mode_label, table, [[t.name, t.target_share, v] for t, v in zip(rules.tiers, suggested)],
                    [[t.name, t.min_spend, v] for t, v in zip(rules.tiers, resulting)],
                    health, changes, period, members.height,
                    [[m.name, m.share, m.target, m.suggested] for m in far])
    return view, tier_fit.fit_message(far)


def _care_report_lines(queue, fit: str) -> list[tuple[str, Any]]:
    lines = [("关怀提醒（今日待办，含逾期）", f"{queue.items:,} 条，其中逾期 {queue.overdue:,} 条"),
             ("已处理、移入「关怀记录」", queue.finished)]
    return lines + ([("会员规则是否适合本店", fit)] if fit else [])


def _tier_history(old, previous: dict[str, str], arch, period: str) -> dict[str, Any]:
    """All old history rows + the changes since the last run (first assignments included).

    ``previous`` holds the last run's tiers, so the old rows of this period must stay: a rerun
    in the same period would otherwise drop the earlier runs' changes and first assignments."""
    import polars as pl

    names = list(views.TIER_HISTORY_COLUMNS)
    current = arch.select([BUYER, "会员等级", "累计消费"]).filter(pl.col("会员等级") != "非会员")
    prev = pl.DataFrame({BUYER: list(previous), "上期等级": list(previous.values())},
                        schema={BUYER: pl.String, "上期等级": pl.String})
    changed = (current.join(prev, on=BUYER, how="left")
               .filter(pl.col("上期等级").is_null() | (pl.col("上期等级") != pl.col("会员等级")))
               .select(pl.lit(period).alias("期间"), BUYER, "上期等级", pl.col("会员等级").alias("本期等级"),
                       "累计消费"))
    if old is not None and set(names) <= set(old.columns):
        kept = old.select(names).filter(pl.col(BUYER).is_not_null())
        kept = kept.with_columns([pl.col(c).cast(changed.schema[c], strict=False) for c in names])
        changed = pl.concat([kept, changed], how="vertical_relaxed")
    return {c: changed.get_column(c) for c in names}


def _segment_tabs(table, detail: dict[str, Any], n: int, per_sheet: int) -> list[SheetSpec]:
    """客户分群 with as many member rows as fit below its summary, the rest in 客户分群(2) …"""
    ranges = split_ranges(n, max(0, per_sheet - views.DETAIL_TOP + 1), per_sheet)
    first, *more = ranges
    tabs = [views.segments_sheet(table, {c: v[first[0]:first[1]] for c, v in detail.items()}, n, _segment_note())]
    headers = list(detail)
    styles = [BODY.but(number_format=views.FORMATS.get(h, "0" if h in ("R分", "F分", "M分") else None))
              for h in headers]
    for k, (start, end) in enumerate(more, start=2):
        tabs.append(continuation_sheet(part_name(views.SEGMENTS_SHEET, k), headers,
                                       [detail[h][start:end] for h in headers], styles, "00B050",
                                       {j: 12 for j in range(1, len(headers) + 1)}))
    return tabs


def _history_tabs(history: dict[str, Any], per_sheet: int) -> list[SheetSpec]:
    """会员等级历史, continued in 会员等级历史(2) … past a sheet's rows."""
    n = len(next(iter(history.values())))
    tabs = []
    for k, (start, end) in enumerate(split_ranges(n, per_sheet, per_sheet), start=1):
        spec = views.tier_history_sheet({c: v[start:end] for c, v in history.items()})
        spec.name = part_name(views.TIER_HISTORY_SHEET, k)
        tabs.append(spec)
    return tabs


def _segment_note() -> str:
    return ("R = 最近一次购买距今天数（越近越好），F = 购买次数，M = 累计消费；各按会员五等分打 1–5 分，"
            "高于会员平均分为“高”，否则为“低”。八类客户按 R/F/M 的高低组合划分。")


def _report_lines(intake, sources, buyers: int, kept: int, mask: bool, today: date) -> list[tuple[str, Any]]:
    lines = [("运行日期", today.isoformat()),
             ("订单来源", "；".join(f"{s.path.name}{'：' + s.sheet if s.sheet else ''}" for s in sources)),
             ("导出格式", "、".join(sorted(set(intake.layouts)))),
             ("读取行数", intake.rows_read),
             ("合并后订单数", intake.orders.height),
             ("重复订单（以较晚的导出为准）", intake.duplicates_replaced),
             ("跳过的行", len(intake.skipped))]
    lines += [(f"  跳过：{reason}", n) for reason, n in sorted(intake.skipped_by_reason.items())]
    lines += [("买家数（客户档案行数）", buyers),
              ("本次导出中没有、保留原档案的买家", kept),
              ("电话、地址", "已脱敏（--no-mask 可输出完整信息）" if mask else "未脱敏：本文件含完整电话和地址，请勿外传")]
    return lines
