"""The agent-data vocabulary: canonical column names and the aliases real exports use.

A scheme names its input columns by these canonical names; a reader maps
whatever header an export carries (千牛, 赤兔, 生意参谋, 京东咚咚, 拼多多, English)
onto them. A column a scheme names that is not listed here is matched by its
own name, so shops can add their own columns. ``PLATFORMS`` lists what each
platform's export header reads as (the README's platform table), and
``STAND_INS`` which columns an owner may have meant when one is missing.

>>> canonical("询单->最终付款人数")
'最终付款人数'
>>> canonical("平均响应时长（秒)")
'平均响应时间'
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldDef:
    """A canonical column: ``kind`` is "text", "number", "rate" (a fraction, "75%" → 0.75) or "month"."""

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    en: str = ""
    signed: bool = False  # may be below 0 (a 奖金 may be a penalty); counts, amounts and rates may not


AGENT_FIELDS: tuple[FieldDef, ...] = (
    FieldDef("客服", "text", ("客服昵称", "客服名称", "客服账号", "旺旺", "旺旺昵称", "姓名", "agent", "name"), "Agent"),
    FieldDef("月份", "month", ("统计月份", "考核月份", "期间", "month", "period"), "Month"),
    FieldDef("咨询人数", "number", ("咨询量", "consultations"), "Consultations"),
    FieldDef("接待人数", "number", ("接待量", "售前接待人数", "人工已接待人数", "已接待人数", "received"), "Received"),
    FieldDef("回复人数", "number", ("已回复人数", "replied"), "Replied"),
    FieldDef("应答数", "number", ("应答次数", "回复数", "replies"), "Replies"),
    FieldDef("询单人数", "number", ("询单数", "inquiries"), "Inquiries"),
    FieldDef("下单人数", "number", ("询单->最终下单人数", "询单->下单人数", "促成下单人数", "ordered"), "Ordered"),
    FieldDef("最终付款人数", "number", ("询单->最终付款人数", "询单最终付款人数", "最终成团人数", "支付人数",
                                          "paid buyers"),
             "Paid buyers"),
    FieldDef("拍下笔数", "number", ("下单笔数", "orders placed"), "Orders placed"),
    FieldDef("付款笔数", "number", ("支付宝付款笔数", "orders paid"), "Orders paid"),
    FieldDef("成交笔数", "number", ("成交量", "个人订单量", "closed orders"), "Closed orders"),
    FieldDef("退款笔数", "number", ("退单量", "refunds"), "Refunds"),
    FieldDef("客服销售额", "number", ("销售额", "询单最终付款金额", "促成下单商品金额", "sales"), "Sales"),
    FieldDef("客服客单价", "number", ("客单价", "agent aov"), "Agent AOV"),
    FieldDef("店铺客单价", "number", ("全店客单价", "shop aov"), "Shop AOV"),
    FieldDef("平均响应时间", "duration", ("平均响应时长(秒)", "平均响应(s)", "平均人工响应时长", "平均响应时长",
                                       "avg response"), "Avg response (s)"),
    FieldDef("首次响应时间", "duration", ("首次响应时长(秒)", "首次平均响应时间", "首次响应时长", "first response"),
             "First response (s)"),
    FieldDef("会话量", "number", ("人工会话量", "会话数", "sessions"), "Sessions"),
    FieldDef("客服服务分", "number", ("服务分", "service score"), "Service score"),
    FieldDef("目标销售额", "number", ("销售目标", "sales target"), "Sales target"),
    FieldDef("上月销售额", "number", ("上月客服销售额", "last month sales"), "Last month sales"),
    FieldDef("访问量", "number", ("访客数", "visits"), "Visits"),
    FieldDef("主推单品销售额", "number", ("主推销售额", "featured sales"), "Featured sales"),
    FieldDef("主推单品目标", "number", ("主推目标", "featured target"), "Featured target"),
    FieldDef("交易纠纷次数", "number", ("交易纠纷", "纠纷次数", "disputes"), "Disputes"),
    FieldDef("迟到早退次数", "number", ("迟到早退", "迟到次数", "late"), "Late/early"),
    FieldDef("请假天数", "number", ("请假", "leave days"), "Leave days"),
    FieldDef("工作任务", "number", ("工作任务得分", "task score"), "Tasks"),
    FieldDef("工作态度", "number", ("工作态度得分", "attitude score"), "Attitude"),
    FieldDef("经验条数", "number", ("经验分享条数", "经验", "tips"), "Tips shared"),
    FieldDef("应答时间抽查", "number", ("聊天记录抽查·应答时间", "应答时间"), "Spot check: response"),
    FieldDef("服务态度抽查", "number", ("聊天记录抽查·服务态度", "服务态度"), "Spot check: attitude"),
    FieldDef("产品知识考试", "number", ("产品知识",), "Product exam"),
    FieldDef("岗位操作考试", "number", ("岗位操作",), "Operations exam"),
    FieldDef("工作总结", "number", ("工作总结得分",), "Work summary"),
    FieldDef("奖金", "number", ("bonus",), "Bonus", signed=True),
    # Rates an export may give instead of the two counts.
    FieldDef("询单转化率", "rate", ("询单->最终付款成功率", "询单->最终付款转化率", "询单最终付款转化率",
                                   "询单转化率(%)", "conversion"), "Inquiry conversion"),
    FieldDef("回复率", "rate", ("客服回复率", "旺旺回复率", "reply rate"), "Reply rate"),
    FieldDef("支付率", "rate", ("付款率", "payment rate"), "Payment rate"),
    FieldDef("退款率", "rate", ("refund rate",), "Refund rate"),
    # Speed rates: the share answered within a time, not 回复率 (the share answered at all).
    FieldDef("3分钟人工回复率", "rate", ("3分钟人工回复率(8-23点)", "3分钟人工回复率(会话)", "3分钟人工响应率",
                                     "3min reply rate"), "3-min reply rate"),
    FieldDef("30秒应答率", "rate", ("30s应答率", "30秒应答率(8-23点)", "30s reply rate"), "30-s reply rate"),
    FieldDef("落实客单价比", "number", ("客单价比",), "AOV ratio"),
)

# What each platform's export header reads as: (platform, header, field, note). The README's platform
# table is this list; tests read every row through ``canonical``. A metric that is not the KPI input
# it resembles keeps a field of its own and says so.
PLATFORMS: tuple[tuple[str, str, str, str], ...] = (
    ("京东 咚咚", "客服", "客服", "子账号，如 店铺名:子账号"),
    ("京东 咚咚", "接待量", "接待人数", ""),
    ("京东 咚咚", "售前接待人数", "接待人数", "与「接待量」同义时只用第一列（有提示）；不是询单人数：咚咚不给询单人数"),
    ("京东 咚咚", "首次平均响应时间", "首次响应时间", "时长，秒或 00:01:30 / 1分30秒"),
    ("京东 咚咚", "平均响应时间", "平均响应时间", "时长"),
    ("京东 咚咚", "30s应答率", "30秒应答率", "30 秒内应答的比例，不是回复率（回复人数 ÷ 接待人数）"),
    ("京东 咚咚", "促成下单商品金额", "客服销售额", "按下单金额计，未扣未付款和退款"),
    ("京东 咚咚", "促成下单人数", "下单人数", "下单不等于付款：不是最终付款人数，询单转化率缺最终付款人数时会提示"),
    ("京东 咚咚", "满意率", "满意率", "方案未用；方案可按列名引用（以“率”结尾的列按比率读）"),
    ("拼多多", "客服账号", "客服", ""),
    ("拼多多", "客服服务分", "客服服务分", "平台服务分，方案未用"),
    ("拼多多", "咨询人数", "咨询人数", ""),
    ("拼多多", "询单人数", "询单人数", ""),
    ("拼多多", "最终成团人数", "最终付款人数", "拼单成团即已付款，最接近最终付款人数"),
    ("拼多多", "询单转化率", "询单转化率", "比率：0.55、55% 或 55"),
    ("拼多多", "客服销售额", "客服销售额", ""),
    ("拼多多", "3分钟人工回复率(8-23点)", "3分钟人工回复率", "3 分钟内人工回复的比例（8–23 点），不是回复率"),
    ("拼多多", "30秒应答率(8-23点)", "30秒应答率", "不是回复率"),
    ("拼多多", "平均人工响应时长", "平均响应时间", "时长；只算人工回复"),
    ("抖店 飞鸽", "客服", "客服", ""),
    ("抖店 飞鸽", "人工已接待人数", "接待人数", "只算人工接待"),
    ("抖店 飞鸽", "人工会话量", "会话量", "会话数，不是人数"),
    ("抖店 飞鸽", "3分钟人工回复率(会话)", "3分钟人工回复率", "按会话计（拼多多按人），不是回复率"),
    ("抖店 飞鸽", "询单人数", "询单人数", ""),
    ("抖店 飞鸽", "下单人数", "下单人数", ""),
    ("抖店 飞鸽", "支付人数", "最终付款人数", "询单后支付的人数"),
    ("抖店 飞鸽", "平均响应时长", "平均响应时间", "时长"),
)

# Headers only a 淘宝/天猫 export (千牛, 赤兔, 生意参谋) carries.
TAOBAO_MARKERS = ("旺旺昵称", "旺旺", "旺旺回复率", "客服回复率", "询单->最终付款人数", "询单最终付款人数",
                  "询单->最终付款成功率", "询单最终付款转化率", "询单最终付款金额")
_SHEET_PLATFORMS = (("京东", "京东 咚咚"), ("咚咚", "京东 咚咚"), ("jd", "京东 咚咚"), ("拼多多", "拼多多"),
                    ("pdd", "拼多多"), ("抖店", "抖店 飞鸽"), ("抖音", "抖店 飞鸽"), ("飞鸽", "抖店 飞鸽"),
                    ("天猫", "淘宝/天猫"), ("淘宝", "淘宝/天猫"), ("千牛", "淘宝/天猫"))


# A column a scheme needs → columns an export may carry under a name the owner reads as it, although the
# vocabulary maps them elsewhere (an export's 咨询量 is 咨询人数, yet 考核方案 B's 咨询量 KPI counts 应答数).
STAND_INS: dict[str, tuple[str, ...]] = {
    "应答数": ("咨询人数", "回复人数", "接待人数", "会话量"),
    "回复人数": ("应答数",),
    "接待人数": ("咨询人数", "会话量"),
    "询单人数": ("咨询人数", "接待人数"),
    "最终付款人数": ("下单人数",),
    "下单人数": ("最终付款人数",),
    "回复率": ("3分钟人工回复率", "30秒应答率"),
    "成交笔数": ("付款笔数",),
    "付款笔数": ("成交笔数",),
    "客服销售额": ("主推单品销售额",),
}

# (part, whole, severity): a count that is a subset of another. Above it, a rate exceeds 100% and scores the
# top band: an error where no export can produce it; a warning where one legitimately may (an order placed
# on the last day of last month and paid this month counts in 付款笔数 but not in 拍下笔数).
SUBSETS: tuple[tuple[str, str, str], ...] = (
    ("最终付款人数", "询单人数", "error"), ("下单人数", "询单人数", "error"), ("回复人数", "接待人数", "error"),
    ("付款笔数", "拍下笔数", "warning"),
)

# The first cell of a row that is a summary, not an agent (生意参谋 and 赤兔 add these at the bottom).
SUMMARY_LABELS = ("汇总值", "平均值", "全店汇总值", "全店平均值", "同行同层优秀", "同行同层均值",
                  "合计", "汇总", "总计", "平均", "total", "average")


def normalize_header(text: object) -> str:
    """Fold a header to a comparable key: full-width → half-width, '→' → '->', no spaces, lower case.

    >>> normalize_header(" 询单→最终付款转化率 ")
    '询单->最终付款转化率'
    >>> normalize_header("首次响应时长（秒)")
    '首次响应时长(秒)'
    """
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = s.replace("→", "->").replace("－>", "->").replace("—>", "->").replace("➝", "->")
    s = re.sub(r"\s+", "", s)
    return s.lower()


_ALIASES: dict[str, str] = {}
for _f in AGENT_FIELDS:
    for _name in (_f.name, *_f.aliases, _f.en):
        if _name:
            _ALIASES.setdefault(normalize_header(_name), _f.name)

FIELDS_BY_NAME: dict[str, FieldDef] = {f.name: f for f in AGENT_FIELDS}


def canonical(header: object) -> str | None:
    """The canonical field a header stands for, or None if it is not a known column."""
    return _ALIASES.get(normalize_header(header))


def non_negative(name: str) -> bool:
    """Whether a known number or rate column can never be below 0.

    >>> non_negative("询单人数"), non_negative("奖金"), non_negative("客服"), non_negative("本店自定义列")
    (True, False, False, False)
    """
    f = FIELDS_BY_NAME.get(name)
    return f is not None and f.kind in ("number", "rate", "duration") and not f.signed


def field_kind(name: str) -> str:
    """The kind of a canonical field; a column a shop added itself is a rate when its name ends in 率
    (满意率, 好评率), else a number.

    >>> field_kind("平均响应时间"), field_kind("回复率"), field_kind("满意率"), field_kind("好评数")
    ('duration', 'rate', 'rate', 'number')
    """
    f = FIELDS_BY_NAME.get(name)
    if f:
        return f.kind
    return "rate" if re.sub(r"\(.*?\)$", "", normalize_header(name)).endswith("率") else "number"


_OWN_HEADER: dict[str, str | None] = {}  # a header → the one platform exporting it (None when several do)
for _platform, _header, _, _ in PLATFORMS:
    _key = normalize_header(_header)
    _OWN_HEADER[_key] = _platform if _OWN_HEADER.get(_key, _platform) == _platform else None


def platform_of(sheet: str, headers) -> str:
    """The platform an export comes from: named in its sheet (客服数据-京东), else the platform whose own
    headers it carries most (at least two; a tie is no answer); "" when unknown.

    >>> platform_of("客服数据-京东", []), platform_of("客服数据", ["客服账号", "最终成团人数", "客服服务分"])
    ('京东 咚咚', '拼多多')
    >>> platform_of("s", ["旺旺昵称", "询单最终付款人数"]), platform_of("s", ["客服", "询单人数"])
    ('淘宝/天猫', '')
    """
    name = normalize_header(sheet)
    for word, platform in _SHEET_PLATFORMS:
        if word in name:
            return platform
    found = {normalize_header(h) for h in headers}
    hits: dict[str, int] = {}
    for platform, header, _, _ in PLATFORMS:
        if normalize_header(header) in found and _OWN_HEADER.get(normalize_header(header)) == platform:
            hits[platform] = hits.get(platform, 0) + 1
    hits["淘宝/天猫"] = sum(normalize_header(h) in found for h in TAOBAO_MARKERS)
    ranked = sorted(hits.values(), reverse=True)
    best = max(hits, key=hits.get)
    return best if ranked[0] >= 2 and (len(ranked) < 2 or ranked[0] > ranked[1]) else ""
