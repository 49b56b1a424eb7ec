"""The 考核方案 sheet ⇄ the scheme model.

The sheet is a stack of sections, each a title row (【指标】), a header row and
data rows, so a shop owner can read and edit every rule in Excel. Parsing
keeps the position of every value: generated formulas point at those cells,
and errors name them.

>>> from xlreports.rules.scheme_files import builtin_scheme
>>> rows = scheme_to_rows(builtin_scheme("A"))
>>> parsed = parse_scheme_rows(rows)
>>> parsed.scheme.kpi("询单转化率").bands[0].score
100.0
"""
from __future__ import annotations

from dataclasses import dataclass, fields as dc_fields
from typing import Any, Callable

from xlreports import kinds
from xlreports.errors import InputErrors
from xlreports.model.scheme import (ACTIONS, BOUNDS, COMMISSION_MODES, FORMATS, METRIC_KINDS, NO_DATA, OPS,
                    PAY_MODES, STREAK_KINDS, TAX_MODES, STREAK_OUTCOMES, AdjustRule, Band, CommissionTier, Deduction, Kpi,
                    Level, Metric, ResultBand, Scheme, StreakRule)
from xlreports.model.scheme_refs import SHEET_NAME, Pos, SchemeRefs
from xlreports.rules.sections import SETTING_COLS, CellReader, Col, read_section, require_sections, setting_rows



SETTINGS = (
    Col("方案名称", "name", required=True), Col("方案代码", "code", required=True),
    Col("生效月份", "effective_from"), Col("店铺名称", "shop"),
    Col("绩效工资方式", "pay_mode", PAY_MODES, True), Col("绩效工资总额", "pay_pool", "number"),
    Col("默认级别", "default_level", required=True), Col("岗位工资", "post_wage", "number"),
    Col("津贴", "allowance", "number"), Col("全勤奖", "attendance_bonus", "number"),
    Col("提成方式", "commission_mode", COMMISSION_MODES), Col("提成基数列", "commission_column"),
    Col("提成门槛指标", "commission_gate_kpi"), Col("提成门槛值", "commission_gate_value", "number"),
    Col("计算个税", "income_tax", TAX_MODES),
)
#: Settings written only when they differ from the default, so schemes without them keep their sheet.
OPTIONAL_SETTINGS = {"income_tax": "off"}
SETTING_NOTES = {
    "pay_mode": "按总分：绩效工资 = 总额 × 总分 / 100；按档位：绩效基数 × 结果档位的绩效系数",
    "pay_pool": "按总分时使用，如 750：50 分 → 375",
    "default_level": "客服名册中没有级别时使用",
    "commission_mode": "全额：全部销售额按达到的档位比例；超额累进：每段按本段比例",
    "commission_gate_kpi": "该指标低于门槛值时不计提成（留空则不设门槛）",
    "income_tax": "是：工资表按累计预扣法计算个税（年初至上月的数字取自「考核历史」）；否或不写此行：不计算",
}

KPI_COLS = (
    Col("指标", "name", required=True), Col("类型", "kind", kinds.LABELS, True),
    Col("计算方式", "metric.kind", METRIC_KINDS), Col("分子列", "metric.numerator"),
    Col("分母列", "metric.denominator"), Col("比率列", "metric.rate_column"),
    Col("目标值", "metric.target", "number"), Col("录入列", "input_column"),
    Col("权重", "weight", "number"), Col("倍数", "multiple", "number"), Col("分值", "max_score", "number", True),
    Col("边界", "bound", BOUNDS), Col("加分上限", "bonus_cap", "number"), Col("无数据", "no_data", NO_DATA),
    Col("格式", "fmt", FORMATS), Col("详细描述", "description"), Col("说明", "note"),
)
BAND_COLS = (Col("指标", "kpi", required=True), Col("下限", "lo", "number"), Col("上限", "hi", "number"),
             Col("得分", "score", "number", True))
RULE_COLS = (Col("指标", "kpi", required=True), Col("条件", "op", OPS, True),
             Col("阈值", "threshold", "number", True), Col("方式", "action", ACTIONS, True),
             Col("分值", "amount", "number", True), Col("步长", "step", "number"))
DEDUCTION_COLS = (Col("指标", "kpi", required=True), Col("数据列", "column", required=True),
                  Col("每次扣分", "points", "number", True))
LEVEL_COLS = (Col("级别", "name", required=True), Col("级别工资", "wage", "number", True),
              Col("绩效基数", "perf_base", "number"), Col("晋级所需月数", "months_required", "int"))
COMMISSION_COLS = (Col("销售额下限", "lo", "number", True), Col("提成比例", "rate", "number", True))
RESULT_COLS = (Col("总分下限", "lo", "number"), Col("档位", "label", required=True),
               Col("绩效系数", "multiplier", "number", True), Col("调整建议", "advice"))
STREAK_COLS = (Col("规则", "kind", STREAK_KINDS, True), Col("阈值", "threshold", "number"),
               Col("连续月数", "months", "int", True), Col("结果", "outcome", STREAK_OUTCOMES, True),
               Col("奖金金额", "amount", "number"))
NOTE_COLS = (Col("说明", "text"),)
# A kind's own section (【线性评分】): 指标 | one number column per parameter; on the sheet only when used.
KIND_SECTIONS: dict[str, tuple[kinds.KpiKind, tuple[Col, ...]]] = {
    k.section: (k, (Col("指标", "kpi", required=True), *(Col(p.label, p.attr, "number", True) for p in k.params)))
    for k in kinds.with_section()}

# Section title → its columns. Order = order on the sheet.
SECTIONS: dict[str, tuple[Col, ...]] = {
    "方案设置": SETTING_COLS,
    "指标": KPI_COLS, "档位": BAND_COLS, "加减规则": RULE_COLS, "扣分项": DEDUCTION_COLS,
    **{title: cols for title, (_, cols) in KIND_SECTIONS.items()},
    "级别工资": LEVEL_COLS, "提成档位": COMMISSION_COLS, "结果档位": RESULT_COLS, "连续规则": STREAK_COLS,
    "说明": NOTE_COLS,
}


@dataclass
class ParsedScheme:
    scheme: Scheme
    refs: SchemeRefs


# ---------------------------------------------------------------- model → rows

def _get(obj: Any, attr: str) -> Any:
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _shown(value: Any, kind: Any) -> Any:
    if isinstance(kind, dict):
        return kind.get(value, value) if value is not None else None
    return value


def scheme_to_rows(scheme: Scheme) -> list[list[Any]]:
    """The sheet's rows (values only) for a scheme; ``layout.scheme_sheet`` adds the styling.

    Rows are 0-based here; row i is Excel row i + 1.
    """
    rows: list[list[Any]] = [[f"考核方案：{scheme.name}"],
                             ["黄色区域可以修改：改动阈值、得分、权重后，考核表与工资表中的公式会自动重算；"
                              "增删指标或档位后请重新运行 xlreports appraise。"], []]

    def section(title: str, body: list[list[Any]]) -> None:
        rows.append([f"【{title}】"])
        rows.append([c.label for c in SECTIONS[title]])
        rows.extend(body)
        rows.append([])

    section("方案设置", [[c.label, _shown(_get(scheme, c.attr), c.kind), SETTING_NOTES.get(c.attr)]
                        for c in SETTINGS if OPTIONAL_SETTINGS.get(c.attr, object()) != _get(scheme, c.attr)])
    section("指标", [[_shown(_get(k, c.attr), c.kind) for c in KPI_COLS] for k in scheme.kpis])
    section("档位", [[k.name, b.lo, b.hi, b.score] for k in scheme.kpis for b in k.bands])
    section("加减规则", [[k.name, OPS[r.op], r.threshold, ACTIONS[r.action], r.amount, r.step]
                         for k in scheme.kpis for r in k.rules])
    section("扣分项", [[k.name, d.column, d.points] for k in scheme.kpis for d in k.deductions])
    for title, (kind, cols) in KIND_SECTIONS.items():
        used = [k for k in scheme.kpis if kinds.find(k.kind) is kind]
        if used:
            section(title, [[k.name, *(k.params.get(c.attr) for c in cols[1:])] for k in used])
    section("级别工资", [[lv.name, lv.wage, lv.perf_base, lv.months_required] for lv in scheme.levels])
    section("提成档位", [[t.lo, t.rate] for t in scheme.commission])
    section("结果档位", [[b.lo, b.label, b.multiplier, b.advice] for b in scheme.result_bands])
    section("连续规则", [[STREAK_KINDS[s.kind], s.threshold, s.months, STREAK_OUTCOMES[s.outcome], s.amount]
                         for s in scheme.streaks])
    section("说明", [[n] for n in scheme.notes])
    return rows


# ---------------------------------------------------------------- rows → model

def parse_scheme_rows(rows: list[list[Any]], sheet: str = SHEET_NAME) -> ParsedScheme:
    """Read a 考核方案 sheet's rows (row 0 = Excel row 1) into a scheme and its cell positions.

    Raises InputErrors naming every cell that could not be read; the scheme's
    consistency (bands, weights …) is checked by ``rules.scheme_check``.
    """
    reader = CellReader(sheet)
    refs = SchemeRefs(sheet=sheet)
    starts = require_sections(rows, ("方案设置", "指标"), reader, "考核方案")
    refs.sections = {t: (i + 1, 1) for t, i in starts.items()}

    def read(title: str) -> list[tuple[dict[str, Any], dict[str, Pos]]]:
        return read_section(rows, starts[title], SECTIONS[title], title, reader) if title in starts else []

    scheme = Scheme(code="", name="")
    settings = setting_rows(rows, starts["方案设置"], "方案设置", SETTINGS, reader) if "方案设置" in starts else []
    for col, raw, pos in settings:
        value = reader.convert(raw, col, pos)
        refs.settings[col.attr] = pos
        setattr(scheme, col.attr, value if value is not None else _default(Scheme, col.attr))
    scheme.commission_gate_kpi = scheme.commission_gate_kpi or None

    for values, where in read("指标"):
        kpi = Kpi(name=values["name"] or "", kind=values["kind"] or "info")
        kpi.metric = Metric(kind=values.get("metric.kind") or "none", numerator=values.get("metric.numerator"),
                            denominator=values.get("metric.denominator"),
                            rate_column=values.get("metric.rate_column"), target=values.get("metric.target"))
        for attr in ("input_column", "weight", "multiple", "description", "note"):
            setattr(kpi, attr, values.get(attr) if values.get(attr) is not None else _default(Kpi, attr))
        for attr in ("max_score", "bound", "bonus_cap", "no_data", "fmt"):
            if values.get(attr) is not None:
                setattr(kpi, attr, values[attr])
        if kpi.name in refs.kpis:
            reader.fail(where["name"], f"指标「{kpi.name}」重复")
        scheme.kpis.append(kpi)
        refs.kpis[kpi.name] = where

    by_name = {k.name: k for k in scheme.kpis}
    kpis_unread = not scheme.kpis and bool(reader.problems)  # 【指标】 itself failed: naming each row adds nothing

    def rows_of_kpis(title: str):
        """(KPI, values, positions) of a section whose rows name a KPI of 【指标】."""
        for values, where in read(title):
            kpi = by_name.get(values.get("kpi"))
            if kpi is None:
                if values.get("kpi") and not kpis_unread:
                    reader.fail(where["kpi"], "【指标】中没有这个指标", values.get("kpi"))
                continue
            yield kpi, values, where

    def attach(title: str, make: Callable[[dict[str, Any]], Any], target: str, ref_map: dict) -> None:
        for kpi, values, where in rows_of_kpis(title):
            getattr(kpi, target).append(make(values))
            ref_map.setdefault(kpi.name, []).append(where)

    attach("档位", lambda v: Band(v.get("lo"), v.get("hi"), v.get("score") or 0.0), "bands", refs.bands)
    attach("加减规则", lambda v: AdjustRule(v.get("op") or ">=", v.get("threshold") or 0.0,
                                            v.get("action") or "add", v.get("amount") or 0.0, v.get("step")),
           "rules", refs.rules)
    attach("扣分项", lambda v: Deduction(v.get("column") or "", v.get("points") or 0.0),
           "deductions", refs.deductions)
    for title, (_, cols) in KIND_SECTIONS.items():
        for kpi, values, where in rows_of_kpis(title):
            if any(c.attr in refs.kpis[kpi.name] for c in cols[1:]):
                reader.fail(where["kpi"], f"指标「{kpi.name}」在【{title}】中重复")
                continue
            for c in cols[1:]:
                if c.attr in where:
                    refs.kpis[kpi.name][c.attr] = where[c.attr]
                if values.get(c.attr) is not None:
                    kpi.params[c.attr] = values[c.attr]

    for values, where in read("级别工资"):
        scheme.levels.append(Level(values["name"] or "", values.get("wage") or 0.0, values.get("perf_base") or 0.0,
                                   values.get("months_required") or 0))
        refs.levels.append(where)
    for values, where in read("提成档位"):
        scheme.commission.append(CommissionTier(values.get("lo") or 0.0, values.get("rate") or 0.0))
        refs.commission.append(where)
    for values, where in read("结果档位"):
        scheme.result_bands.append(ResultBand(values.get("lo"), values.get("label") or "",
                                              values.get("multiplier") or 0.0, values.get("advice") or ""))
        refs.result_bands.append(where)
    for values, where in read("连续规则"):
        scheme.streaks.append(StreakRule(values.get("kind") or "below", values.get("months") or 1,
                                         values.get("outcome") or "warning", values.get("threshold"),
                                         values.get("amount") or 0.0))
        refs.streaks.append(where)
    scheme.notes = [v["text"] for v, _ in read("说明") if v.get("text")]

    if reader.problems:
        raise InputErrors(reader.problems)
    return ParsedScheme(scheme, refs)


def _default(cls: type, attr: str) -> Any:
    for f in dc_fields(cls):
        if f.name == attr:
            return f.default
    raise KeyError(attr)
