"""售后登记 as a live sheet: staff type cases (yellow); 处理方式, 运费承担, 跟进截止 and 状态 (grey) are
formulas over what they typed and the 【售后规则】 block right of the cases, so a case typed in Excel
gets its answers at once, and 状态 turns 已逾期 as NOW() passes 跟进截止.

Each formula cell holds the engine's answer (:mod:`xlreports.engine.customers.aftersales`) as its
value; the formulas are the engine's branches (INDEX/MATCH only: every program has them).

>>> spec = aftersales_sheet([], rules=None, now=None)
>>> spec.cells[(3, 8)].formula[:40]
'=IF(AND(TRIM(D3)="",A3=""),"",IF(TRIM(D3'
>>> spec.cells[(3, 15)].value
'【售后规则】'
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from xlreports.a1 import col_letter
from xlreports.engine.customers import aftersales as rules_engine
from xlreports.layout.spec import BODY, HEADER, INPUT, NOTE, ConditionalFormat, DataValidation, PageSetup, SheetSpec, Style
from xlreports.model.aftersales import ANY, CONDITIONS, NO, YES, AfterSalesRules, default_aftersales_rules
from xlreports.model.orders import BUYER
from xlreports.rules.aftersales_rows import KEY_COL, aftersales_block_rows

AFTERSALES_SHEET = "售后登记"
AFTERSALES_INPUTS = ("登记时间", "订单编号", BUYER, "问题类型", "有照片", "可二次销售", "问题描述")
AFTERSALES_FILLED = ("处理方式", "运费承担", "跟进截止", "状态")
AFTERSALES_STAFF = ("处理结果", "处理人")
AFTERSALES_COLUMNS = AFTERSALES_INPUTS + AFTERSALES_FILLED + AFTERSALES_STAFF
AFTERSALES_BLANK_ROWS = 100  # rows ready with formulas below the cases (the next run adds more)
PRINTED_BLANK_ROWS = 20  # of which the printout shows these (for cases noted on paper)
TOP = 3  # first case row (row 1: the note, row 2: the header)
BLOCK_TOP = TOP  # the rules block's title row: below the header row, which stays the cases' alone
FILLED = BODY.but(fill="EDEDED")
LATE = Style(fill="FFC7CE", color="9C0006", bold=True)
DATETIME = "yyyy-mm-dd hh:mm"


def block_left(added: Sequence[str]) -> int:
    """The column of the rules block: one blank column right of the cases and the columns staff added.

    >>> block_left([]), block_left(["快递单号"])
    (15, 16)
    """
    return len(AFTERSALES_COLUMNS) + len(added) + 2


def _yes(ref: str) -> str:
    words = ",".join(f'"{w}"' for w in rules_engine.YES_WORDS)
    # TRUE and 1 compared as such too: Gnumeric's TRIM keeps a number a number
    return f'IF(OR(ISNUMBER(MATCH(TRIM({ref}),{{{words}}},0)),{ref}=1,{ref}=TRUE),"{YES}","{NO}")'


def _lookup(out: str, keys: str, kind: str, photos: str, resale: str, otherwise: str) -> str:
    """INDEX/MATCH over the rule keys, most specific first (model.aftersales.rule_keys)."""
    tries = [f'{kind}&"|"&{photos}&"|"&{resale}', f'{kind}&"|"&{photos}&"|{ANY}"',
             f'{kind}&"|{ANY}|"&{resale}', f'{kind}&"|{ANY}|{ANY}"']
    formula = otherwise
    for key in reversed(tries):
        formula = f"IFERROR(INDEX({out},MATCH({key},{keys},0)),{formula})"
    return formula


class _Refs:
    """Where the formulas of one case row read from."""

    def __init__(self, headers: list[str], rules: AfterSalesRules, left: int):
        self.col = {h: col_letter(j) for j, h in enumerate(headers, start=1) if h in AFTERSALES_COLUMNS}
        first, last = BLOCK_TOP + 2, BLOCK_TOP + 1 + len(rules.rules)  # title, header, then the rules
        rng = lambda k: f"${col_letter(left + k)}${first}:${col_letter(left + k)}${last}"  # noqa: E731
        self.keys, self.handling, self.freight = rng(KEY_COL), rng(3), rng(4)
        self.hours = f"${col_letter(left + 1)}${last + 2}"

    def formulas(self, r: int) -> dict[str, str]:
        c = {h: f"{x}{r}" for h, x in self.col.items()}
        blank = f'AND(TRIM({c["问题类型"]})="",{c["登记时间"]}="")'
        kind = f'TRIM({c["问题类型"]})'
        photos, resale = _yes(c["有照片"]), _yes(c["可二次销售"])

        def answer(out: str, choose: str, unknown: str) -> str:
            found = _lookup(out, self.keys, kind, photos, resale, f'"{unknown}"')
            return f'=IF({blank},"",IF({kind}="","{choose}",{found}))'

        return {
            "处理方式": answer(self.handling, rules_engine.CHOOSE_TYPE, rules_engine.UNKNOWN_TYPE),
            "运费承担": answer(self.freight, "", ""),
            "跟进截止": f'=IF(ISNUMBER({c["登记时间"]}),{c["登记时间"]}+{self.hours}/24,"")',
            "状态": (f'=IF({blank},"",IF(TRIM({c["处理结果"]})<>"","{rules_engine.HANDLED}",'
                   f'IF(AND(ISNUMBER({c["跟进截止"]}),NOW()>{c["跟进截止"]}),"{rules_engine.OVERDUE}",'
                   f'"{rules_engine.OPEN}")))'),
        }


def _rules_block(spec: SheetSpec, rules: AfterSalesRules, left: int) -> None:
    rows = aftersales_block_rows(rules)
    for i, row in enumerate(rows):
        r = BLOCK_TOP + i
        for k, value in enumerate(row):
            if i == 0 or (i == len(rows) - 1):
                spec.set(r, left + k, value, style=NOTE.but(wrap=False) if i else HEADER.but(h_align="left"))
            elif i == 1:
                spec.set(r, left + k, value, style=HEADER)
            elif k == KEY_COL:
                kind, photos, resale = (f"{col_letter(left + j)}{r}" for j in range(3))
                spec.set(r, left + k, rules.rules[i - 2].key, style=FILLED,
                         formula=f'=TRIM({kind})&"|"&IF(TRIM({photos})="","{ANY}",TRIM({photos}))'
                                 f'&"|"&IF(TRIM({resale})="","{ANY}",TRIM({resale}))')
            else:
                spec.set(r, left + k, value, style=HEADER.but(h_align="left") if i == len(rows) - 2 and k == 0
                         else INPUT)
    first, last = BLOCK_TOP + 2, BLOCK_TOP + 1 + len(rules.rules)
    for k in (1, 2):
        col = col_letter(left + k)
        spec.validations.append(DataValidation(f"{col}{first}:{col}{last}", list(CONDITIONS), None))
    widths = (10, 8, 10, 34, 16, 22)
    spec.col_widths.update({left + k: w for k, w in enumerate(widths)})


def aftersales_sheet(cases: list[dict[str, Any]], added: Sequence[str] = (), *,
                     rules: AfterSalesRules | None, now: datetime | None) -> SheetSpec:
    """售后登记: the ``cases`` typed so far (dicts by header, columns staff ``added`` included), then
    empty rows ready for new ones; every row's grey columns are formulas over the rules block.
    ``now`` is when the engine's values (the formulas' cached results) are taken."""
    rules = rules or default_aftersales_rules()
    now = now or datetime.now()
    headers = [*AFTERSALES_COLUMNS, *added]
    left = block_left(added)
    refs = _Refs(headers, rules, left)
    spec = SheetSpec(AFTERSALES_SHEET, freeze="D3", tab_color="FFC000",
                     page=PageSetup(orientation="landscape", header_center="售后登记", print_title_rows="2:2",
                                    print_area=f"A1:{col_letter(len(headers))}{TOP + len(cases) + PRINTED_BLANK_ROWS - 1}"))
    spec.merge(1, 1, 1, 9, "售后登记：黄色列由客服填写，灰色列按右侧【售后规则】自动计算（填入问题类型即出结果，"
               "状态随时间变为已逾期）", style=NOTE.but(wrap=False))
    for j, h in enumerate(headers, start=1):
        spec.set(2, j, h, style=HEADER)
    total = len(cases) + AFTERSALES_BLANK_ROWS
    for i in range(total):
        r = TOP + i
        case = cases[i] if i < len(cases) else {}
        decision = rules_engine.decide(case, rules)
        engine = {"处理方式": decision.处理方式, "运费承担": decision.运费承担, "跟进截止": decision.跟进截止,
                  "状态": rules_engine.status(case, now, rules)}
        formulas = refs.formulas(r)
        for j, h in enumerate(headers, start=1):
            if h in AFTERSALES_FILLED:
                spec.set(r, j, engine[h] if engine[h] is not None else "", formula=formulas[h],
                         style=FILLED.but(number_format=DATETIME if h == "跟进截止" else None,
                                          wrap=h in ("处理方式", "运费承担")))
            else:
                value = case.get(h)
                if h == "登记时间" and value not in (None, ""):
                    value = rules_engine.registered_at(case) or value  # text dates become dates the formulas read
                spec.set(r, j, value, style=INPUT.but(number_format=DATETIME if h == "登记时间" else None))
    last = TOP + total - 1
    letter = {h: col_letter(j) for j, h in enumerate(headers, start=1)}
    for h, choices in (("问题类型", rules.kinds), ("有照片", [YES, NO]), ("可二次销售", [YES, NO])):
        spec.validations.append(DataValidation(f"{letter[h]}{TOP}:{letter[h]}{last}", choices, None))
    state = letter["状态"]
    spec.conditional_formats.append(ConditionalFormat(f"{state}{TOP}:{state}{last}", "formula",
                                                      f'={state}{TOP}="{rules_engine.OVERDUE}"', LATE))
    _rules_block(spec, rules, left)
    spec.col_widths.update({1: 16, 2: 20, 3: 14, 4: 10, 5: 8, 6: 10, 7: 24, 8: 34, 9: 18, 10: 16, 11: 9, 12: 20, 13: 9})
    spec.col_widths.update({j: 14 for j in range(len(AFTERSALES_COLUMNS) + 1, len(headers) + 1)})
    return spec

