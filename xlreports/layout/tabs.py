"""The workbook's tabs in one fixed order: the month's results first, then the forms, then the inputs
and rules. Writers arrange the tabs by :func:`tab_order` (excel/write/plan.arranged); the user's own
tabs keep their places among them. A new generated sheet gets its place by adding its name here.

>>> from xlreports.layout.labels import Labels
>>> tab_order(Labels("zh"), ["考核表-小美", "考核汇总", "我的表", "首页", "客服数据"])
['首页', '考核汇总', '考核表-小美', '客服数据']
>>> tab_order(Labels("en"), ["Data", "Scorecard", "Overview"])
['Overview', 'Scorecard', 'Data']
"""
from __future__ import annotations

from collections.abc import Iterable

from xlreports.layout.labels import Labels

FORMS = "考核表"  # every form tab (考核表, 考核表-<客服>), in the order written
DATA = "客服数据"  # the agent data sheet(s) the run read, whatever their names

#: Generated and input tabs, by their Chinese names (``--lang en`` translates them).
TAB_ORDER: tuple[str, ...] = (
    "首页", "考核汇总", "工资表", "工资条", "趋势", FORMS,
    DATA, "考核数据", "考核方案", "考核历史", "客服名册", "_xlreports",
)

#: What each tab is, for 首页's 目录.
TAB_NOTES: dict[str, str] = {
    "首页": "本月概况、提醒和目录",
    "考核汇总": "每位客服的总分、排名、结果档位、工资和预警，指标明细，图表",
    "工资表": "应发、扣款和实发工资，签字",
    "工资条": "每人一条，裁开发放",
    "趋势": "各月总分、排名和绩效工资",
    FORMS: "每位客服的考核表，签字确认",
    DATA: "粘贴的原始客服数据",
    "考核数据": "本月整理后的数据，考核表公式读取",
    "考核方案": "考核规则：指标、档位、工资，可修改",
    "考核历史": "各月的总分、排名、绩效工资",
    "客服名册": "入职日期、岗位、级别",
}


def tab_key(name: str, labels: Labels, data_sheets: Iterable[str] = (DATA,)) -> str | None:
    """The entry of :data:`TAB_ORDER` a tab stands at (None: a tab of the user's).

    >>> tab_key("考核表-小美", Labels("zh")), tab_key("数据", Labels("zh"), ["数据"]), tab_key("x", Labels("zh"))
    ('考核表', '客服数据', None)
    """
    forms = labels(FORMS)
    if name == forms or name.startswith(forms + "-"):
        return FORMS
    if name in data_sheets:
        return DATA
    return next((key for key in TAB_ORDER if key not in (FORMS, DATA) and name in (labels(key), key)), None)


def tab_order(labels: Labels, names: Iterable[str], data_sheets: Iterable[str] = (DATA,)) -> list[str]:
    """Those of ``names`` that have a place in :data:`TAB_ORDER`, in its order (forms as given)."""
    data_sheets = list(data_sheets)
    keyed = [(n, tab_key(n, labels, data_sheets)) for n in names]
    placed = [(n, k) for n, k in keyed if k is not None]
    return [n for n, k in sorted(placed, key=lambda p: TAB_ORDER.index(p[1]))]  # stable: forms as given
