"""The agent-data vocabulary: canonical column names and the aliases real exports use.

A scheme names its input columns by these canonical names; a reader maps
whatever header an export carries (千牛, 赤兔, 生意参谋, 京东咚咚, 拼多多, English)
onto them. A column a scheme names that is not listed here is matched by its
own name, so shops can add their own columns.

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
    FieldDef("接待人数", "number", ("接待量", "售前接待人数", "received"), "Received"),
    FieldDef("回复人数", "number", ("已回复人数", "replied"), "Replied"),
    FieldDef("应答数", "number", ("应答次数", "回复数", "replies"), "Replies"),
    FieldDef("询单人数", "number", ("询单数", "inquiries"), "Inquiries"),
    FieldDef("下单人数", "number", ("询单->最终下单人数", "询单->下单人数", "促成下单人数", "ordered"), "Ordered"),
    FieldDef("最终付款人数", "number", ("询单->最终付款人数", "询单最终付款人数", "最终成团人数", "paid buyers"),
             "Paid buyers"),
    FieldDef("拍下笔数", "number", ("下单笔数", "orders placed"), "Orders placed"),
    FieldDef("付款笔数", "number", ("支付宝付款笔数", "orders paid"), "Orders paid"),
    FieldDef("成交笔数", "number", ("成交量", "个人订单量", "closed orders"), "Closed orders"),
    FieldDef("退款笔数", "number", ("退单量", "refunds"), "Refunds"),
    FieldDef("客服销售额", "number", ("销售额", "询单最终付款金额", "促成下单商品金额", "sales"), "Sales"),
    FieldDef("客服客单价", "number", ("客单价", "agent aov"), "Agent AOV"),
    FieldDef("店铺客单价", "number", ("全店客单价", "shop aov"), "Shop AOV"),
    FieldDef("平均响应时间", "number", ("平均响应时长(秒)", "平均响应(s)", "平均人工响应时长", "avg response"),
             "Avg response (s)"),
    FieldDef("首次响应时间", "number", ("首次响应时长(秒)", "首次平均响应时间", "first response"), "First response (s)"),
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
    FieldDef("落实客单价比", "number", ("客单价比",), "AOV ratio"),
)

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
    return f is not None and f.kind in ("number", "rate") and not f.signed


def field_kind(name: str) -> str:
    """The kind of a canonical field; columns a shop added itself are numbers."""
    f = FIELDS_BY_NAME.get(name)
    return f.kind if f else "number"
