"""售后登记 as a live sheet (issue 11, item 3): exact answers for every rule combination, and the sheet's
formulas — recalculated by LibreOffice and by Gnumeric — equal the engine for every combination of what
staff type (问题类型, 有照片, 可二次销售, 登记时间, 处理结果), for cases on the sheet at the run, for cases typed
afterwards in the prepared rows, and for a rules block the owner edited.

Times are far in the past or the future, so that NOW() at recalculation and the run's "now" (the end of
TODAY) give the same 状态.
"""
from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import openpyxl
import pytest

import gnumeric
from formula_check import assert_all_equal, equal, poisoned
from libreoffice import recalculate as lo_recalculate
from test_archive import order, write_csv
from xlreports.engine.customers import aftersales
from xlreports.errors import InputErrors
from xlreports.excel.read.source import WorkbookRows
from xlreports.jobs.archive import ArchiveOptions, archive, plan_archive
from xlreports.layout.aftersales_sheet import AFTERSALES_COLUMNS, AFTERSALES_SHEET, BLOCK_TOP, TOP, block_left
from xlreports.layout.spec import WorkbookSpec
from xlreports.model.aftersales import AfterSalesRule, AfterSalesRules, default_aftersales_rules

TODAY = dt.date(2026, 11, 23)
PAST = dt.datetime(2020, 3, 4, 9, 30)
FUTURE = dt.datetime(2099, 5, 6, 14, 15)
COL = {h: j for j, h in enumerate(AFTERSALES_COLUMNS, start=1)}

ASK = "请买家补拍照片后按质量问题处理（退货或换货）"
# (问题类型, 有照片, 可二次销售) → (处理方式, 运费承担), worked out from DOMAIN.md §7 by hand
EXPECTED = {
    ("发错货", "是", "是"): ("退货或换货", "卖家承担"), ("发错货", "是", "否"): ("退货或换货", "卖家承担"),
    ("发错货", "否", "是"): ("退货或换货", "卖家承担"), ("发错货", "否", "否"): ("退货或换货", "卖家承担"),
    ("发少货", "是", "是"): ("退还差价或补发", "卖家承担"), ("发少货", "是", "否"): ("退还差价或补发", "卖家承担"),
    ("发少货", "否", "是"): ("退还差价或补发", "卖家承担"), ("发少货", "否", "否"): ("退还差价或补发", "卖家承担"),
    ("质量问题", "是", "是"): ("退货或换货", "卖家承担"), ("质量问题", "是", "否"): ("退货或换货", "卖家承担"),
    ("质量问题", "否", "是"): ("退货或换货", "买家承担"), ("质量问题", "否", "否"): (ASK, "补拍照片后卖家承担"),
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_every_rule_combination_has_its_answer(key):
    kind, photos, resale = key
    d = aftersales.decide({"问题类型": kind, "有照片": photos, "可二次销售": resale, "登记时间": PAST})
    assert (d.处理方式, d.运费承担, d.跟进截止) == (*EXPECTED[key], PAST + dt.timedelta(hours=24))
    assert "不予" not in d.处理方式  # a way forward in every case


def test_blank_missing_and_unknown_types():
    assert aftersales.decide({}) == aftersales.Decision("", "", None)
    assert aftersales.status({}, dt.datetime(2030, 1, 1)) == ""
    assert aftersales.decide({"登记时间": PAST}) == aftersales.Decision("请选择问题类型", "", PAST + dt.timedelta(days=1))
    assert aftersales.decide({"问题类型": "破损"}).处理方式 == "问题类型不在售后规则中：请从下拉列表选择"
    # 有/Y/TRUE/1 read as 是; anything else as 否
    for word in ("有", " y ", True, 1, "YES", "√"):
        assert aftersales.decide({"问题类型": "质量问题", "有照片": word}).运费承担 == "卖家承担", word
    for word in ("无", None, 0, False, "不是", 2):
        assert aftersales.decide({"问题类型": "质量问题", "有照片": word, "可二次销售": "是"}).运费承担 == "买家承担", word


def test_an_edited_rule_set_most_specific_first():
    rules = AfterSalesRules([
        AfterSalesRule("破损", "任意", "任意", "补发", "卖家承担"),
        AfterSalesRule("破损", "任意", "是", "退货", "买家承担"),  # more specific than the row above
        AfterSalesRule("破损", "是", "任意", "换货", "卖家承担"),  # photos win over resale when both match
    ], follow_up_hours=12)
    def d(photos, resale):
        x = aftersales.decide({"问题类型": "破损", "有照片": photos, "可二次销售": resale, "登记时间": PAST}, rules)
        return x.处理方式, x.跟进截止
    assert d("否", "否") == ("补发", PAST + dt.timedelta(hours=12))
    assert d("否", "是")[0] == "退货"
    assert d("是", "是")[0] == "换货" and d("是", "否")[0] == "换货"


# ------------------------------------------------------------------ the sheet, recalculated

KINDS = ("发错货", "发少货", "质量问题", "破损", "", "物流慢")
YES_NO = ("是", "否", None, "有", True, 1, " y ")
TIMES = (PAST, FUTURE, None)
RESULTS = (None, "已退款")


def all_cases() -> list[dict]:
    """Every combination staff can type (yes/no variants on both columns for the known types)."""
    out = []
    for kind, photos, resale in itertools.product(KINDS, YES_NO, YES_NO):
        if kind not in ("质量问题", "破损") and (photos, resale) not in (("是", "否"), (None, None)):
            continue  # photos do not matter for these: two combinations are enough
        for i, (when, result) in enumerate(itertools.product(TIMES, RESULTS)):
            if (hash((kind, str(photos), str(resale))) + i) % 3 == 0 or kind in ("质量问题", "破损"):
                out.append({"登记时间": when, "订单编号": f"32680000000000{len(out):05d}", "买家会员名": "tb_x",
                            "问题类型": kind, "有照片": photos, "可二次销售": resale, "处理结果": result})
    return out


def _type(ws, row: int, case: dict) -> None:
    for h, v in case.items():
        ws.cell(row, COL[h]).value = v
        if h == "登记时间" and v is not None:
            ws.cell(row, COL[h]).number_format = "yyyy-mm-dd hh:mm"


@pytest.fixture(scope="module")
def live_book(tmp_path_factory):
    """A workbook whose 售后登记 holds every combination, with the owner's edited rules block; its
    WorkbookSpec (the engine's answers) and the cases typed after the run into the prepared rows."""
    folder = tmp_path_factory.mktemp("aftersales")
    export = write_csv(folder / "ExportOrderList.csv", [order(1, "tb_x", "88.00")])
    book = folder / "客户.xlsx"
    opts = ArchiveOptions(orders=[export], today=TODAY, backup=False)
    archive(book, opts)
    cases = all_cases()
    wb = openpyxl.load_workbook(book)
    ws = wb[AFTERSALES_SHEET]
    for i, case in enumerate(cases):
        _type(ws, TOP + i, case)
    left = block_left([])
    rule_row = BLOCK_TOP + 2 + len(default_aftersales_rules().rules)  # first row after the rules: a new rule
    for r in range(rule_row, rule_row + 5):  # below the rules: the blank row, 跟进时限 and the note
        for j in range(6):
            ws.cell(r, left + j).value = None
    # the owner adds a type with its own rules (the next run reads them) and shortens the follow-up to 12 h
    owner_rules = [("破损", "任意", "任意", "补发或退款", "卖家承担"), ("破损", "任意", "是", "退货", "买家承担")]
    for k, rule in enumerate(owner_rules):
        for j, v in enumerate(rule):
            ws.cell(rule_row + k, left + j, v)
    ws.cell(rule_row + len(owner_rules) + 1, left, "跟进时限(小时)")
    ws.cell(rule_row + len(owner_rules) + 1, left + 1, 12)
    wb.save(book)
    with WorkbookRows(book) as rows:
        _, sheets = plan_archive(rows, opts, shop="店")
    archive(book, opts)
    spec = next(s for s in sheets if s.name == AFTERSALES_SHEET)
    return book, spec, cases


def test_run_reads_the_owners_rules_and_answers_every_case(live_book):
    _, spec, cases = live_book
    assert len(cases) > 100
    rules = AfterSalesRules([*default_aftersales_rules().rules,
                             AfterSalesRule("破损", "任意", "任意", "补发或退款", "卖家承担"),
                             AfterSalesRule("破损", "任意", "是", "退货", "买家承担")], 12)
    now = dt.datetime.combine(TODAY, dt.time.max)
    for i, case in enumerate(cases):
        r = TOP + i
        d = aftersales.decide(case, rules)
        got = [spec.cells[(r, COL[h])].value for h in ("处理方式", "运费承担", "跟进截止", "状态")]
        assert got[:2] == [d.处理方式, d.运费承担] and got[2] in (d.跟进截止, "")
        assert got[3] == aftersales.status(case, now, rules)
        assert all(spec.cells[(r, COL[h])].formula for h in ("处理方式", "运费承担", "跟进截止", "状态"))
    late = [c for c in cases if c["登记时间"] == PAST and not c["处理结果"]]
    assert late and all(aftersales.status(c, now, rules) == "已逾期" for c in late)
    hit = next(i for i, c in enumerate(cases) if c["问题类型"] == "破损" and c["可二次销售"] == "是")
    assert spec.cells[(TOP + hit, COL["处理方式"])].value == "退货"
    assert spec.cells[(TOP + hit, COL["跟进截止"])].value in (PAST + dt.timedelta(hours=12), "")


def _check_recalculated(spec, recalculated: Path, program: str) -> None:
    assert assert_all_equal(WorkbookSpec([spec]), recalculated, program) > 4 * 100


def test_libreoffice_recalculation_equals_the_engine(live_book, soffice, tmp_path):
    book, spec, _ = live_book
    copy, n = poisoned(book, tmp_path / "poisoned")
    assert n > 400
    _check_recalculated(spec, lo_recalculate(copy, tmp_path / "lo"), "LibreOffice")


def test_gnumeric_recalculation_equals_the_engine(live_book, tmp_path):
    gnumeric.available()  # skips (or fails in CI) without ssconvert
    book, spec, _ = live_book
    copy, _ = poisoned(book, tmp_path / "poisoned")
    _check_recalculated(spec, gnumeric.recalculate(copy, tmp_path / "gn"), "Gnumeric")


@pytest.mark.parametrize("program", ["LibreOffice", "Gnumeric"])
def test_a_case_typed_in_excel_is_answered_at_once(live_book, tmp_path, program, request):
    """No rerun: cases typed into the prepared rows get their answers when the program recalculates."""
    if program == "LibreOffice":
        request.getfixturevalue("soffice")
        recalc = lo_recalculate
    else:
        gnumeric.available()
        recalc = gnumeric.recalculate
    book, spec, cases = live_book
    rules = AfterSalesRules([*default_aftersales_rules().rules,
                             AfterSalesRule("破损", "任意", "任意", "补发或退款", "卖家承担"),
                             AfterSalesRule("破损", "任意", "是", "退货", "买家承担")], 12)
    typed = book.parent / f"typed-{program}.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb[AFTERSALES_SHEET]
    new = [c for c in all_cases() if c["登记时间"] != FUTURE][::3][:40]
    for i, case in enumerate(new):
        _type(ws, TOP + len(cases) + i, case)
    wb.save(typed)
    out = openpyxl.load_workbook(recalc(typed, tmp_path / "out"), data_only=True)[AFTERSALES_SHEET]
    now = dt.datetime.now()
    for i, case in enumerate(new):
        r = TOP + len(cases) + i
        d = aftersales.decide(case, rules)
        want = [d.处理方式, d.运费承担, d.跟进截止, aftersales.status(case, now, rules)]
        got = [out.cell(r, COL[h]).value for h in ("处理方式", "运费承担", "跟进截止", "状态")]
        assert all(equal(w, g) for w, g in zip(want, got)), (program, case, want, got)


def test_a_bad_rules_block_is_a_located_error_and_nothing_is_written(live_book, tmp_path):
    book, _, _ = live_book
    bad = tmp_path / "bad.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb[AFTERSALES_SHEET]
    left = block_left([])
    ws.cell(BLOCK_TOP + 2, left + 1, "可能")  # 有照片 of the first rule
    ws.cell(BLOCK_TOP + 2, left + 3).value = None  # its 处理方式
    wb.save(bad)
    before = bad.read_bytes()
    export = next(book.parent.glob("*.csv"))
    with pytest.raises(InputErrors) as e:
        archive(bad, ArchiveOptions(orders=[export], today=TODAY, backup=False))
    letter = openpyxl.utils.get_column_letter
    assert str(e.value).splitlines()[0].startswith(f"售后登记!{letter(left + 1)}{BLOCK_TOP + 2}: 「有照片」应为：是、否、任意")
    assert f"售后登记!{letter(left + 3)}{BLOCK_TOP + 2}: 「处理方式」不能为空" in str(e.value)
    assert bad.read_bytes() == before
