"""The write plan (xlreports.excel.write.plan): the decisions every writer shares, with exact answers."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from xlreports.errors import XlreportsError
from xlreports.excel.write.plan import (
    DEFAULT_MARGINS, MAX_TEXT, POINTS_PER_INCH, VALIDATION_ERROR_MESSAGE, VALIDATION_ERROR_TITLE, CellValue,
    Margins, TabPlan, cell_value, check_sheet_name, check_sheet_names, clean_text, cm_to_points, default_format,
    formula_text, list_validation_formula, margins, paper_size, plan_tabs,
)

# --------------------------------------------------------------------------- sheet names


@pytest.mark.parametrize("name", ["汇总", "考核表-张三", "a" * 31, "Sheet 1", "它's"])
def test_good_sheet_names(name):
    check_sheet_name(name)


@pytest.mark.parametrize("name", ["", "   ", "a" * 32, "a[b", "a]b", "a:b", "a*b", "a?b", "a/b", "a\\b",
                                  "'开头", "结尾'", "History", "history"])
def test_bad_sheet_names(name):
    with pytest.raises(XlreportsError, match="无效"):
        check_sheet_name(name)


def test_names_must_be_unique_ignoring_case():
    check_sheet_names(["汇总", "Sheet", "明细"])
    with pytest.raises(XlreportsError, match="“Sheet”重复"):
        check_sheet_names(["sheet", "Sheet"])


# --------------------------------------------------------------------------- tabs


def test_new_workbook_tabs_in_spec_order_first_is_active():
    assert plan_tabs([], ["汇总", "明细"]) == TabPlan(("汇总", "明细"), ("汇总", "明细"), {}, (), (), "汇总")


def test_spec_sheet_takes_its_namesakes_place_ignoring_case():
    p = plan_tabs(["数据", "SUMMARY", "说明"], ["Summary", "新"], active="说明")
    assert p.order == ("数据", "Summary", "说明", "新")
    assert p.replaced == {"Summary": "SUMMARY"}
    assert (p.removed, p.kept, p.active, p.active_index) == ((), ("数据", "说明"), "说明", 2)


def test_removed_tabs_go_and_the_rest_keep_their_order():
    p = plan_tabs(["一", "二", "三", "四"], ["二"], remove=["三", "没有这张"])
    assert (p.order, p.removed, p.kept) == (("一", "二", "四"), ("三",), ("一", "四"))


def test_a_tab_named_in_remove_and_in_the_spec_is_replaced():
    p = plan_tabs(["一", "二"], ["二"], remove=["二"])
    assert (p.order, p.replaced, p.removed) == (("一", "二"), {"二": "二"}, ())


def test_new_tabs_go_before_the_anchor_or_at_the_end():
    assert plan_tabs(["数据", "汇总"], ["甲", "乙"], before="汇总").order == ("数据", "甲", "乙", "汇总")
    assert plan_tabs(["数据", "汇总"], ["甲"], before="不存在").order == ("数据", "汇总", "甲")
    # the anchor itself replaced: new tabs still go before it
    assert plan_tabs(["数据", "汇总"], ["汇总", "甲"], before="汇总").order == ("数据", "甲", "汇总")


def test_active_tab_is_kept_or_its_replacement():
    assert plan_tabs(["说明", "汇总"], ["汇总"], active="说明").active == "说明"
    assert plan_tabs(["说明", "汇总"], ["汇总"], active="汇总").active == "汇总"


def test_removed_or_hidden_active_tab_falls_to_the_first_visible_spec_sheet():
    assert plan_tabs(["说明", "旧"], ["参数", "汇总"], remove=["旧"], active="旧",
                     hidden=["参数"]).active == "汇总"
    assert plan_tabs(["说明", "秘"], ["参数"], active="秘", hidden=["秘", "参数"]).active == "说明"


def test_no_visible_tab_is_refused():
    with pytest.raises(XlreportsError, match="至少要有一个可见的工作表"):
        plan_tabs([], ["参数"], hidden=["参数"])


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-2", "@x"])
def test_text_that_looks_like_a_formula_stays_text(text):
    assert cell_value(text) == CellValue("text", text, None, True)


def test_text_is_cleaned_and_cut():
    assert cell_value("a\x00b\x0bc\ufffe") == CellValue("text", "abc", None, False)
    assert cell_value("#N/A") == CellValue("text", "#N/A", None, False)
    assert len(cell_value("字" * 40_000).value) == MAX_TEXT == 32_767
    assert cell_value("") == CellValue("blank") and cell_value("\x00") == CellValue("blank")
    assert clean_text("\t换行\n保留\r") == "\t换行\n保留\r"  # tab, LF, CR are legal XML


def test_numbers_bools_and_dates():
    assert cell_value(3) == CellValue("number", 3)
    assert cell_value(2.5) == CellValue("number", 2.5)
    assert cell_value(Decimal("1.10")) == CellValue("number", Decimal("1.10"))
    assert cell_value(True) == CellValue("bool", True)
    for bad in (float("nan"), float("inf"), -float("inf")):
        assert cell_value(bad) == CellValue("blank")
    assert cell_value(None) == CellValue("blank")
    assert cell_value(date(2026, 10, 1)) == CellValue("date", date(2026, 10, 1), "yyyy-mm-dd")
    assert cell_value(time(9, 30)) == CellValue("date", time(9, 30), "h:mm:ss")
    assert cell_value(timedelta(hours=1)) == CellValue("date", timedelta(hours=1), "[hh]:mm:ss")
    aware = datetime(2026, 10, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    assert cell_value(aware) == CellValue("date", datetime(2026, 10, 1, 9, 30), "yyyy-mm-dd h:mm:ss")
    with pytest.raises(TypeError, match="cannot write complex"):
        cell_value(1j)


def test_numpy_scalars_become_python_values():
    np = pytest.importorskip("numpy")
    assert cell_value(np.int64(7)) == CellValue("number", 7)
    assert cell_value(np.float64("nan")) == CellValue("blank")
    assert cell_value(np.bool_(True)) == CellValue("bool", True)


# --------------------------------------------------------------------------- print and validation


def test_paper_sizes_and_margins():
    assert [paper_size(p) for p in ("A4", "a3", "A5", "Letter")] == [9, 8, 11, 1]
    with pytest.raises(ValueError, match="unknown paper size 'B5'"):
        paper_size("B5")
    assert margins((2.54, 1.27, 5.08, 2.54)) == Margins(left=1.0, right=0.5, top=1.0, bottom=2.0,
                                                       header=0.8 / 2.54, footer=0.8 / 2.54)
    assert DEFAULT_MARGINS == Margins(0.75, 0.75, 1.0, 1.0, 0.5, 0.5)


def test_list_validation_limits():
    assert list_validation_formula(['说"明', "好"], "A1") == '"说""明,好"'
    assert list_validation_formula(["x" * 255], "A1") == '"' + "x" * 255 + '"'
    with pytest.raises(XlreportsError, match="A1:A9 的下拉选项合计超过 255 个字符"):
        list_validation_formula(["x" * 128, "y" * 127], "A1:A9")
    with pytest.raises(XlreportsError, match="不能包含英文逗号"):
        list_validation_formula(["a,b"], "A1")


def test_formulas_get_one_leading_equals_sign():
    assert formula_text("SUM(C3:C4)") == "=SUM(C3:C4)"
    assert formula_text("=C5*2") == "=C5*2"
    assert formula_text('LEN($A3)>3') == "=LEN($A3)>3"


def test_default_formats_of_dates_and_times():
    assert [default_format(v) for v in (datetime(2026, 1, 2, 3, 4), date(2026, 1, 2), time(9, 30),
                                        timedelta(hours=1), 3, "2026-10", None)] == [
        "yyyy-mm-dd h:mm:ss", "yyyy-mm-dd", "h:mm:ss", "[hh]:mm:ss", None, None, None]


def test_centimetres_to_points():
    assert POINTS_PER_INCH == 72
    assert cm_to_points(2.54) == 72.0
    assert cm_to_points(0) == 0
    assert cm_to_points(16) == pytest.approx(453.5433070866)
    # margins in inches and in points say the same: 1.27 cm = 0.5 in = 36 pt
    assert margins((1.27, 1.27, 1.27, 1.27)).top * POINTS_PER_INCH == pytest.approx(cm_to_points(1.27)) == 36


def test_validation_error_texts():
    assert (VALIDATION_ERROR_TITLE, VALIDATION_ERROR_MESSAGE) == ("输入无效", "请从下拉列表中选择")
