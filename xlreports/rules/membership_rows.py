"""The 会员规则 sheet ⇄ MembershipRules: tiers, tier mode and the windows of the health figures.

Same section format as 考核方案 (【会员等级】, 【设置】), so a shop owner edits both the same way.

>>> from xlreports.model.membership import default_rules
>>> parse_membership_rows(membership_rows(default_rules())) == default_rules()
True
"""
from __future__ import annotations

from typing import Any

from xlreports.model.membership import MODE_LABELS, MembershipRules, Tier
from xlreports.model.profile_fields import CATEGORY
from xlreports.errors import InputErrors
from xlreports.rules.sections import SETTING_COLS, CellReader, Col, read_section, require_sections, setting_rows

SHEET_NAME = "会员规则"
TIER_COLS = (Col("等级", "name", required=True), Col("累计消费下限", "min_spend", "number"),
             Col("目标占比", "target_share", "number", True))
SETTINGS = (
    (Col("等级模式", "mode", MODE_LABELS, True), "升级模式：等级只升不降；升降级模式：每期按最近一个周期的消费重新评定"),
    (Col("升降级周期(天)", "period_days", "int", True), "升降级模式下统计消费的天数"),
    (Col("新增统计窗口(天)", "new_window_days", "int", True), "会员新增率、会员消费占比统计最近多少天"),
    (Col("活跃统计窗口(天)", "active_window_days", "int", True), "会员活跃度：最近多少天内有购买"),
    (Col("流失判定(天)", "churn_days", "int", True), "会员流失率：超过多少天没有购买"),
    (Col("回访天数", "revisit_days", "int", True), "没有回购周期的买家，多少天未购买后回访"),
    (Col("回访周期倍数", "revisit_cycle_factor", "number", True), "有回购周期的买家，超过 周期 × 倍数 天未购买后回访"),
    (Col("签收天数", "sign_days", "int", True), "发货后多少天发送签收提醒"),
    (Col("回访话术·近期(天)", "revisit_near_days", "int", True), "距上次购买不到这么多天：用「客户回访_近期」话术"),
    (Col("回访话术·久别(天)", "revisit_far_days", "int", True),
     "距上次购买达到这么多天：用「客户回访」（好久不见）话术；两者之间用「客户回访_一段时间」"),
)


FIELDS_SECTION = "客户档案字段"
FIELD_COLS = (Col("字段", "name", required=True), Col("显示", "shown", {"是": "是", "否": "否"}, True),
              Col("类别", "category"))


def membership_rows(rules: MembershipRules) -> list[list[Any]]:
    """The sheet's rows (row 0 = Excel row 1)."""
    rows: list[list[Any]] = [["会员规则"], ["黄色区域可以修改；修改后重新运行 xlreports archive。普通会员一档的下限留空：一次成功交易即为会员。"], []]
    rows.append(["【会员等级】"])
    rows.append([c.label for c in TIER_COLS])
    rows += [[t.name, t.min_spend, t.target_share] for t in rules.tiers]
    rows.append([])
    rows.append(["【设置】"])
    rows.append([c.label for c in SETTING_COLS])
    for col, note in SETTINGS:
        value = getattr(rules, col.attr)
        rows.append([col.label, col.kind.get(value, value) if isinstance(col.kind, dict) else value, note])
    rows += [[], [f"【{FIELDS_SECTION}】"], [c.label for c in FIELD_COLS]]
    rows += [[name, "是" if on else "否", CATEGORY.get(name, "")] for name, on in rules.profile_fields.items()]
    return rows


def parse_membership_rows(rows: list[list[Any]], sheet: str = SHEET_NAME) -> MembershipRules:
    """Read the sheet; every unreadable or inconsistent value is an error naming its cell."""
    reader = CellReader(sheet)
    starts = require_sections(rows, ("会员等级", "设置"), reader, "会员规则")
    tiers = []
    tier_cells = []
    for values, where in read_section(rows, starts["会员等级"], TIER_COLS, "会员等级", reader):
        tiers.append(Tier(values["name"] or "", values.get("min_spend"), values.get("target_share") or 0.0))
        tier_cells.append(where)
    settings: dict[str, Any] = {}
    cells: dict[str, Any] = {}
    for col, raw, pos in setting_rows(rows, starts["设置"], "设置", [c for c, _ in SETTINGS], reader):
        value = reader.convert(raw, col, pos)
        if value is None:
            continue
        if col.kind in ("int", "number") and value <= 0:  # a window of 0 days or a factor of −1: every buyer due, or none
            reader.fail(pos, f"「{col.label}」应大于 0", value)
            continue
        settings[col.attr] = value
        cells[col.attr] = pos
    if FIELDS_SECTION in starts:  # optional: workbooks from before it show the default fields
        fields: dict[str, bool] = {}
        for values, where in read_section(rows, starts[FIELDS_SECTION], FIELD_COLS, FIELDS_SECTION, reader):
            name = values.get("name")
            if name in fields:
                reader.fail(where.get("name"), f"字段「{name}」重复", name)
            elif name and values.get("shown"):
                fields[name] = values["shown"] == "是"
        settings["profile_fields"] = fields
    if tiers:
        _check_tiers(tiers, tier_cells, reader)
    elif not reader.problems:
        reader.fail((starts["会员等级"] + 1, 1), "【会员等级】至少需要一档（最后一档为普通会员，下限留空）")
    near = settings.get("revisit_near_days", MembershipRules.revisit_near_days)
    far = settings.get("revisit_far_days", MembershipRules.revisit_far_days)
    if near >= far:
        reader.fail(cells.get("revisit_far_days") or cells.get("revisit_near_days"),
                    f"「回访话术·久别(天)」应大于「回访话术·近期(天)」（{near}）", far)
    if reader.problems:
        raise InputErrors(reader.problems)
    return MembershipRules(tiers=tiers, **settings)


def _check_tiers(tiers: list[Tier], cells: list[dict], reader: CellReader) -> None:
    for i, t in enumerate(tiers):
        if t.min_spend is not None and t.min_spend < 0:
            reader.fail(cells[i].get("min_spend"), "累计消费下限不能为负数", t.min_spend)
        if not 0 <= t.target_share <= 1:
            reader.fail(cells[i].get("target_share"), "目标占比应在 0 到 100% 之间", t.target_share)
    if tiers[-1].min_spend is not None:
        reader.fail(cells[-1].get("min_spend"), "最后一档（普通会员）的累计消费下限应留空：一次成功交易即为会员")
    for i, t in enumerate(tiers[:-1]):
        if t.min_spend is None:
            reader.fail(cells[i].get("min_spend"), f"「{t.name}」需要累计消费下限（只有最后一档可以留空）")
    spends = [t.min_spend for t in tiers[:-1]]
    for i in range(1, len(spends)):
        a, b = spends[i - 1], spends[i]
        if a is not None and b is not None and b >= a:
            reader.fail(cells[i].get("min_spend"), "等级应从高到低排列，下限逐档降低", b)
    names = [t.name for t in tiers]
    for i, name in enumerate(names):
        if name in names[:i]:
            reader.fail(cells[i].get("name"), f"等级「{name}」重复")
