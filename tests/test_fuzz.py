"""Fuzzing the readers: whatever a cell holds, they answer with the project's own errors, located.

Properties: no exception other than XlreportsError (and subclasses); every Problem names its sheet,
and a problem about one value names its cell. ``FUZZ_EXAMPLES`` raises the number of examples
for a longer campaign (``FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py``).
"""
from __future__ import annotations

import copy
import datetime as dt
import os
import re

from hypothesis import HealthCheck, example, given, settings, strategies as st

from xlreports.errors import InputErrors, XlreportsError
from xlreports.excel.read.source import SheetRows
from xlreports.excel.read.tables import coerce, read_agent_table, read_table
from xlreports.excel.read.values import parse_duration, parse_number, read_rates
from xlreports.excel.write.plan import check_sheet_names
from xlreports.layout.context import safe_sheet_name
from xlreports.model.membership import MembershipRules, default_rules
from xlreports.rules.membership_rows import membership_rows, parse_membership_rows
from xlreports.rules.scheme_check import check_scheme
from xlreports.rules.scheme_files import builtin_scheme
from xlreports.rules.scheme_rows import parse_scheme_rows, scheme_to_rows

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
CELL = re.compile(r"[A-Z]{1,3}[1-9]\d*|[A-Z]{1,3}|[1-9]\d*")

texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["1,234.50", "1，234", "205216,36", "1e999", "-1e999", "nan", "inf", "75%", "150%", "-3",
                     '="123"', "'182", "¥-34元", "2026-13", "2026年10月", "2099-01-01", "N/A", "#DIV/0!", "汇总值",
                     "张\x01三", "a\x0bb", "x\ny", "\t", " ", "【指标】", "1" * 400]),
    st.text(alphabet=st.characters(max_codepoint=0x3000), min_size=200, max_size=2000),
)
values = st.one_of(
    st.none(), st.booleans(), texts,
    st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1, 1, 1)), st.datetimes(), st.times(),
)


def _located(problems, sheet: str) -> None:
    for p in problems:
        assert p.sheet == sheet, p
        assert p.cell is None or CELL.fullmatch(p.cell), p
        assert p.message and isinstance(p.message, str)
        str(p)


def _ours(call, sheet: str):
    """Run ``call``; only the project's errors may come out, every problem located on ``sheet``."""
    try:
        return call()
    except InputErrors as e:
        assert e.problems
        _located(e.problems, sheet)
    except XlreportsError:
        pass
    return None


# ------------------------------------------------------------------ values and tables


@FUZZ
@given(values, st.sampled_from(["text", "number", "rate", "duration", "month", "date"]))
@example(float("inf"), "month")  # found by the campaign: OverflowError from int(inf)
@example(1e300, "month")
def test_coerce_answers_a_value_or_a_chinese_valueerror(value, kind):
    try:
        out = coerce(value, kind)
    except ValueError as e:
        assert re.search(r"[\u4e00-\u9fff]", str(e)), e
        return
    if kind in ("number", "rate", "duration") and out is not None:
        assert isinstance(out, (int, float)) and abs(out) <= 1e15


@FUZZ
@given(texts)
def test_parse_number_is_finite_or_refuses(text):
    try:
        number, _ = parse_number(text)
    except ValueError:
        return
    assert number is None or abs(number) <= 1e15


durations = st.one_of(values, st.sampled_from(["00:01:30", "1:30", "1:75", "1分30秒", "1.5分钟", "90秒", "2m30s",
                                                "1小时", "99999999999999999999:00", "1e400分钟", "1:2:3:4", "-1:30"]),
                      st.from_regex(r"\A[0-9.:]{0,8}(小时|分钟|分|秒|s|m|min)?[0-9.]{0,4}(秒|s)?\Z"),
                      st.timedeltas(), st.times())


@FUZZ
@given(durations)
def test_parse_duration_is_seconds_or_a_chinese_valueerror(value):
    try:
        seconds = parse_duration(value)
    except ValueError as e:
        assert re.search(r"[\u4e00-\u9fff]", str(e)), e
        return
    assert seconds is None or (isinstance(seconds, (int, float)) and abs(seconds) <= 1e15)


@FUZZ
@given(st.lists(values, max_size=8))
def test_read_rates_answers_every_cell(cells):
    column = read_rates(cells)
    assert len(column.values) == len(cells)
    for i, v in enumerate(column.values):
        assert v is None or abs(v) <= 1e15
        assert i not in column.errors or v is None
    assert set(column.ambiguous) <= set(range(len(cells)))


@FUZZ
@given(st.lists(st.lists(values, max_size=6), max_size=5), st.lists(st.lists(values, max_size=6), max_size=5))
def test_pasted_exports_and_several_sheets(first, second):
    header = ["客服", "平均响应时间", "回复率", "30s应答率"]
    sheets = [SheetRows("客服数据-京东", [header, *first, ["拼多多"], ["客服账号", "询单人数", "3分钟人工回复率"], *second]),
              SheetRows("客服数据-天猫", [list(header), *second])]
    for sheet in sheets:
        _ours(lambda: read_agent_table(sheet), sheet.sheet)
    try:
        read_agent_table(sheets)
    except InputErrors as e:
        assert {p.sheet for p in e.problems} <= {"客服数据-京东", "客服数据-天猫"}
    except XlreportsError:
        pass


HEADER = ["客服", "月份", "询单人数", "最终付款人数", "回复率", "迟到早退次数", "奖金"]
GOOD = [["张三", "2026-10", 100, 80, "99%", 1, 50], ["李四", "2026-10", 90, 60, 0.95, 0, -20]]


@FUZZ
@given(st.lists(st.lists(values, max_size=9), max_size=6),
       st.lists(st.tuples(st.integers(0, 2), st.integers(0, 8), values), max_size=6))
def test_agent_table_on_arbitrary_and_mutated_sheets(extra_rows, edits):
    rows = [list(HEADER), *copy.deepcopy(GOOD), *extra_rows]
    for r, c, v in edits:  # cleared/overwritten cells, the header row included
        while len(rows[r]) <= c:
            rows[r].append(None)
        rows[r][c] = v
    table = _ours(lambda: read_agent_table(SheetRows("客服数据", rows), extra=["本店列"]), "客服数据")
    if table is not None:
        _located(table.warnings, "客服数据")
        for rec in table.records:
            name = rec.values["客服"]
            assert name and not re.search(r"[\x00-\x1f]", name)


@FUZZ
@given(st.lists(st.lists(values, max_size=5), max_size=6))
def test_generic_table_reader(rows):
    table = _ours(lambda: read_table(SheetRows("名单", rows), wanted=["姓名", "日期"], kinds={"日期": "date"},
                                     key="姓名", aliases=lambda h: h if h in ("姓名", "日期") else None), "名单")
    if table is not None:  # read: every record has its key, every warning is located
        _located(table.warnings, "名单")
        assert table.records and all(rec.values["姓名"] for rec in table.records)


# ------------------------------------------------------------------ rules sheets


def _mutated(rows, data, cells):
    rows = copy.deepcopy(rows)
    for op in data.draw(st.lists(st.sampled_from(["set", "clear", "swap", "delete"]), max_size=4)):
        i = data.draw(st.integers(0, len(rows) - 1))
        if op == "swap":
            j = data.draw(st.integers(0, len(rows) - 1))
            rows[i], rows[j] = rows[j], rows[i]
        elif op == "delete":
            del rows[i]
        elif rows[i]:
            j = data.draw(st.integers(0, len(rows[i]) - 1))
            rows[i][j] = None if op == "clear" else data.draw(cells)
        if not rows:
            break
    return rows


SCHEMES = {code: scheme_to_rows(builtin_scheme(code)) for code in ("A", "B")}


@FUZZ
@given(st.sampled_from(["A", "B"]), st.data())
def test_scheme_parser_and_check_on_mutated_sheets(code, data):
    rows = _mutated(SCHEMES[code], data, values)

    def parse_and_check():
        parsed = parse_scheme_rows(rows)
        _located(check_scheme(parsed.scheme, parsed.refs), "考核方案")
    _ours(parse_and_check, "考核方案")


@FUZZ
@given(st.data())
def test_membership_parser_on_mutated_sheets(data):
    rows = _mutated(membership_rows(default_rules()), data, values)
    rules = _ours(lambda: parse_membership_rows(rows), "会员规则")
    if rules is not None:  # read: rules that could be used (validated on construction), tiers named
        assert isinstance(rules, MembershipRules) and all(t.name for t in rules.tiers)


# ------------------------------------------------------------------ sheet names


@FUZZ
@given(st.lists(st.text(max_size=40), min_size=1, max_size=6))
@example(["\x85"])  # found by the campaign: a name of only U+0085 (blank to Excel) made an empty sheet name
@example(["\u3000", "'", "History"])
def test_form_sheet_names_follow_excels_rules(names):
    taken: set[str] = set()
    made = [safe_sheet_name("考核表-" + n, taken) for n in names] + [safe_sheet_name(n, taken) for n in names]
    check_sheet_names(made)  # valid, at most 31 characters, unique ignoring case
    assert len(set(made)) == len(made)


# ------------------------------------------------------------------ order exports

ORDER_HEADER = ["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "订单创建时间", "订单付款时间", "退款金额"]
ORDER_ROW = ['="3268000000000000001"', "tb_甲", "1,234.50", "交易成功", "2026-10-05 12:30:45", "2026-10-05 12:31:02",
             "0.00"]


@FUZZ
@given(st.lists(st.lists(values, min_size=1, max_size=8), max_size=5), st.integers(0, 6), st.booleans(),
       st.sampled_from(["csv", "xlsx"]))
def test_order_reader_on_generated_files(tmp_path_factory, rows, drop, keep_header, kind):
    import openpyxl
    from xlreports.excel.read.orders import OrderSource, read_orders
    from xlreports.model.cells import XML_ILLEGAL

    header = list(ORDER_HEADER)
    if not keep_header:
        header[drop] = None  # a cleared header cell
    table = [header, list(ORDER_ROW), *rows]
    folder = tmp_path_factory.mktemp("orders")
    if kind == "csv":
        path = folder / "ExportOrderList.csv"
        text = "\n".join(",".join('"' + ("" if v is None else str(v)).replace('"', '""') + '"' for v in r) for r in table)
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        label = "ExportOrderList.csv"
        source = OrderSource(path)
    else:
        path = folder / "订单.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "订单报表"
        for r in table:
            ws.append([XML_ILLEGAL.sub("", v) if isinstance(v, str) else v for v in r])
        wb.save(path)
        label = "订单.xlsx:订单报表"
        source = OrderSource(path, "订单报表")
    try:
        intake = read_orders([source])
    except InputErrors as e:
        _located(e.problems, e.problems[0].sheet)
        return
    except XlreportsError:
        return
    _located(intake.skipped, label)
    assert all(p.cell for p in intake.skipped)
    assert intake.orders.height + len(intake.skipped) + intake.duplicates_replaced == intake.rows_read
