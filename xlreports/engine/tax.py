"""Payroll to 实发: typed deductions, and 个税 by the cumulative withholding method (累计预扣法).

累计应纳税所得额 = 累计收入 − 累计减除费用 (5,000 × months paid this year) − 累计专项扣除 (社保/公积金个人)
− 累计专项附加扣除; the cumulative tax is the annual table applied to it; this month's 个税 is that
less what was withheld in the year's earlier months, never below 0. The year's earlier months come
from 考核历史 (the rows that recorded pay: :class:`HistoryRow` ``income`` not None); January restarts.
收入 here is 应发合计 less 事假扣款 and 迟到扣款 (wages not earned); 其他扣款 does not lower it.

The tax bureau's example (应发 30,000, 专项扣除 4,500, 专项附加 2,000 every month):

>>> ytd, taxes = YearToDate(), []
>>> for _ in range(3):
...     taxes.append(withhold(ytd, 30000, 4500, 2000))
...     ytd = ytd.add(30000, 4500, 2000, taxes[-1])
>>> taxes
[555.0, 625.0, 1850.0]
"""
from __future__ import annotations

from dataclasses import dataclass

from xlreports.engine.numbers import excel_round
from xlreports.engine.records import HistoryRow, MonthResult

#: 预扣率表 (cumulative taxable income): (upper bound, rate, quick deduction); the last is open.
BRACKETS = ((36000.0, 0.03, 0.0), (144000.0, 0.10, 2520.0), (300000.0, 0.20, 16920.0),
            (420000.0, 0.25, 31920.0), (660000.0, 0.30, 52920.0), (960000.0, 0.35, 85920.0),
            (None, 0.45, 181920.0))
BASIC_DEDUCTION = 5000.0  # 减除费用 per month
UNEARNED = ("事假扣款", "迟到扣款")  # deductions that lower taxable income
SPECIAL = ("社保个人", "公积金个人")  # 专项扣除
DEDUCTIONS = (*UNEARNED, *SPECIAL, "其他扣款")  # typed per person on 工资表, taken from 应发合计
ADDITIONAL = "专项附加扣除"  # typed per person; lowers taxable income only


@dataclass
class YearToDate:
    """The tax year's months already paid, summed: months, 收入, 专项扣除, 专项附加扣除, 个税 withheld."""

    months: int = 0
    income: float = 0.0
    special: float = 0.0
    additional: float = 0.0
    tax: float = 0.0

    def add(self, income: float, special: float, additional: float, tax: float) -> "YearToDate":
        """This total with one more month added (a new object)."""
        return YearToDate(self.months + 1, self.income + income, self.special + special,
                          self.additional + additional, self.tax + tax)


def cumulative_tax(taxable: float) -> float:
    """The annual table on a cumulative taxable income: the largest of income × rate − quick deduction
    over the brackets (equal to the bracket's own figure; 0 or less when nothing is taxable).

    >>> cumulative_tax(36000), cumulative_tax(37000), cumulative_tax(-500) <= 0
    (1080.0, 1180.0, True)
    """
    return max(taxable * rate - quick for _, rate, quick in BRACKETS)


def taxable_income(ytd: YearToDate, income: float, special: float, additional: float) -> float:
    """累计预扣预缴应纳税所得额 through this month (may be negative), in the Excel formula's order.

    >>> taxable_income(YearToDate(), 10000, 1000, 2000)
    2000.0
    """
    return ((ytd.income + income) - BASIC_DEDUCTION * (ytd.months + 1)
            - (ytd.special + special) - (ytd.additional + additional))


def withhold(ytd: YearToDate, income: float, special: float, additional: float) -> float:
    """本期应预扣预缴税额: the cumulative tax less what was withheld this year, not below 0, to the cent.

    >>> withhold(YearToDate(), 4000, 500, 0)
    0.0
    """
    return max(0.0, excel_round(cumulative_tax(taxable_income(ytd, income, special, additional)) - ytd.tax, 2))


def year_to_date(history: list[HistoryRow], agent: str, month: str) -> YearToDate:
    """The agent's months of ``month``'s year before it that recorded pay in 考核历史.

    >>> h = [HistoryRow("2025-12", "x", 1, 1, 1, income=9000.0), HistoryRow("2026-01", "x", 1, 1, 1, income=8000.0,
    ...      special=800.0, tax=66.0), HistoryRow("2026-01", "y", 1, 1, 1, income=1.0)]
    >>> year_to_date(h, "x", "2026-02")
    YearToDate(months=1, income=8000.0, special=800.0, additional=0.0, tax=66.0)
    """
    ytd = YearToDate()
    for h in history:
        if h.agent == agent and h.income is not None and h.month[:4] == month[:4] and h.month < month:
            ytd = ytd.add(h.income, h.special, h.additional, h.tax)
    return ytd


def settle(result: MonthResult, history: list[HistoryRow]) -> MonthResult:
    """Fill each agent's deductions, 个税 (when the scheme's 计算个税 is 是) and 实发工资 from the typed
    inputs (``agent.values`` by field label) and the year's earlier months in ``history``."""
    on = result.scheme.income_tax == "on"
    for r in result.agents:
        r.deductions = {f: r.agent.number0(f) for f in DEDUCTIONS}
        r.additional = r.agent.number0(ADDITIONAL) if on else 0.0
        r.income = excel_round(r.gross - sum(r.deductions[f] for f in UNEARNED), 2)
        r.special = excel_round(sum(r.deductions[f] for f in SPECIAL), 2)
        r.ytd = year_to_date(history, r.agent.name, result.month) if on else YearToDate()
        r.tax = withhold(r.ytd, r.income, r.special, r.additional) if on else 0.0
        r.net = excel_round(r.gross - sum(r.deductions.values()) - r.tax, 2)
    return result
