"""Only our sheets are ours: a tab is replaced or deleted only if xlreports wrote it (a sheet-scoped
mark that survives saving in LibreOffice and Gnumeric), the input sheet is never an output, and the
shop's own 考核方案 / 会员规则 are never replaced without ``init --replace`` (which keeps the old one).
"""
from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

import fake_xlwings as fx
from office_ops import perform
from xlreports.cli import main
from xlreports.errors import XlreportsError
from xlreports.excel.write import LiveWriter
from xlreports.excel.write.plan import MARK_NAME
from xlreports.jobs.appraise import AppraiseOptions, appraise, plan_appraisal
from xlreports.jobs.archive import ArchiveOptions, archive
from xlreports.jobs.init import init_book
from xlreports.layout.spec import SheetSpec, WorkbookSpec
from xlreports.samples import build_order_exports

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

HEADER = ["客服", "月份", "询单人数", "最终付款人数", "拍下笔数", "付款笔数", "客服客单价", "店铺客单价", "接待人数",
          "回复人数", "平均响应时间", "工作任务", "工作态度", "迟到早退次数", "请假天数"]
VALUES = [100, 80, 100, 90, 110, 100, 200, 199, 28, 8, 5, 1, 1]
APPRAISAL_NAMES = ["考核汇总", "工资表", "考核数据", "考核历史", "考核表-张三", "_xlreports"]
ARCHIVE_NAMES = ["客户档案", "会员分层", "客户分群", "关怀提醒", "售后登记", "会员等级历史", "导入报告"]
TODAY = dt.date(2026, 11, 23)


def agent_book(path: Path, extra: str | None = None, data_sheet: str = "客服数据") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = data_sheet
    ws.append(HEADER)
    ws.append(["张三", "2026-10", *VALUES])
    if extra:
        own = wb.create_sheet(extra)
        own["A1"], own["B2"], own["C3"] = "店主自己的表", 12345, "=B2*2"
    wb.save(path)
    return path


def marks(path: Path) -> dict[str, str]:
    """Tab → the name its mark says (read straight from workbook.xml)."""
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/workbook.xml").decode()
    names = [html.unescape(n) for n in re.findall(r'<sheet\b[^>]*?name="([^"]*)"', xml)]
    out = {}
    for attrs, value in re.findall(r"<definedName\b([^>]*)>(.*?)</definedName>", xml):
        if f'name="{MARK_NAME}"' in attrs:
            idx = int(re.search(r'localSheetId="(\d+)"', attrs).group(1))
            out[names[idx]] = html.unescape(value).strip('"')
    return out


def sheet_xml(path: Path, name: str) -> bytes:
    """The part holding sheet ``name`` (found through workbook.xml and its relationships)."""
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        m = re.search(rf'<sheet\b[^>]*name="{re.escape(name)}"[^>]*?r:id="(\w+)"', xml)
        target = re.search(rf'<Relationship\b[^>]*Id="{m.group(1)}"[^>]*Target="([^"]+)"', rels) or \
            re.search(rf'<Relationship\b[^>]*Target="([^"]+)"[^>]*Id="{m.group(1)}"', rels)
        return z.read("xl/" + target.group(1).lstrip("/").removeprefix("xl/"))


# --------------------------------------------------------------------------- the mark


def test_every_written_tab_is_marked_with_its_name(tmp_path):
    book = agent_book(tmp_path / "店.xlsx")
    report = appraise(book, AppraiseOptions(month="2026-10", backup=False))
    got = marks(book)
    assert set(got) == set(report.sheets) | {"_xlreports"} and all(k == v for k, v in got.items())
    assert "客服数据" not in got


def test_mark_survives_libreoffice_and_a_rerun_replaces_our_tabs(tmp_path, soffice, uno_python):
    book = agent_book(tmp_path / "店.xlsx")
    appraise(book, AppraiseOptions(month="2026-10", backup=False))
    perform(book, [])  # opened and saved as .xlsx by LibreOffice
    assert marks(book)["工资表"] == "工资表"
    appraise(book, AppraiseOptions(month="2026-10", backup=False))  # recognised: replaced, not refused
    assert openpyxl.load_workbook(book).sheetnames.count("工资表") == 1


def test_mark_survives_gnumeric(tmp_path):
    if shutil.which("ssconvert") is None:
        pytest.skip("Gnumeric (ssconvert) not installed")
    book = agent_book(tmp_path / "店.xlsx")
    appraise(book, AppraiseOptions(month="2026-10", backup=False))
    saved = tmp_path / "gnumeric.xlsx"
    subprocess.run(["ssconvert", str(book), str(saved)], check=True, capture_output=True, timeout=300)
    got = marks(saved)
    assert got["工资表"] == "工资表" and got["考核汇总"] == "考核汇总"


def test_a_sheet_the_user_adds_in_libreoffice_with_our_name_is_not_ours(tmp_path, soffice, uno_python):
    book = agent_book(tmp_path / "店.xlsx")
    appraise(book, AppraiseOptions(month="2026-10", backup=False))
    perform(book, [{"op": "rename_sheet", "sheet": "工资表", "to": "工资表-十月"},
                   {"op": "insert_sheet", "sheet": "工资表"},
                   {"op": "set", "sheet": "工资表", "cell": "A1", "value": "我的工资"}])
    before = book.read_bytes()
    with pytest.raises(XlreportsError, match="「工资表」，但它不是 xlreports 生成的"):
        appraise(book, AppraiseOptions(month="2026-10", backup=False))
    assert book.read_bytes() == before
    assert marks(book)["工资表-十月"] == "工资表"  # the renamed tab keeps its mark: a copy is the user's


def test_a_renamed_tab_of_ours_is_kept_and_ours_written_anew(tmp_path, soffice, uno_python):
    book = agent_book(tmp_path / "店.xlsx")
    appraise(book, AppraiseOptions(month="2026-10", backup=False))
    perform(book, [{"op": "rename_sheet", "sheet": "工资表", "to": "工资表-十月"}])
    kept = sheet_xml(book, "工资表-十月")
    appraise(book, AppraiseOptions(month="2026-10", backup=False))
    assert sheet_xml(book, "工资表-十月") == kept
    assert marks(book)["工资表"] == "工资表"


# --------------------------------------------------------------------------- the user's sheets


@pytest.mark.parametrize("name", APPRAISAL_NAMES)
def test_appraise_refuses_a_user_sheet_with_a_generated_name(tmp_path, name):
    book = agent_book(tmp_path / "店.xlsx", extra=name)
    before = book.read_bytes()
    # 考核历史 is read before anything is planned: a user's sheet of that name that is no history
    # stops the run there, as a located input error naming it.
    refusal = "考核历史: 没有数据行" if name == "考核历史" else f"「{name}」，但它不是 xlreports 生成的"
    with pytest.raises(XlreportsError, match=refusal):
        appraise(book, AppraiseOptions(month="2026-10"))
    assert book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["店.xlsx"]  # no backup, no temp file


def test_the_refusal_is_a_message_on_the_command_line(tmp_path, capsys):
    book = agent_book(tmp_path / "店.xlsx", extra="工资表")
    before = book.read_bytes()
    assert main(["appraise", str(book), "--month", "2026-10"]) == 2
    assert "「工资表」，但它不是 xlreports 生成的" in capsys.readouterr().err
    assert book.read_bytes() == before


@pytest.mark.parametrize("name", ["客服名册", "考核方案"])
def test_user_roster_and_scheme_are_read_never_rewritten(tmp_path, name):
    book = agent_book(tmp_path / "店.xlsx")
    if name == "客服名册":
        wb = openpyxl.load_workbook(book)
        ws = wb.create_sheet(name)
        ws.append(["客服", "入职日期", "岗位", "级别"])
        ws.append(["张三", dt.date(2025, 1, 1), "售前", "初级"])
        wb.save(book)
    else:
        init_book(book, "A", backup=False)
        book.write_bytes(_via_openpyxl(book))  # now a sheet "the user" saved, without our mark
    before = sheet_xml(book, name)
    appraise(book, AppraiseOptions(month="2026-10", backup=False))
    assert sheet_xml(book, name) == before


def _via_openpyxl(path: Path) -> bytes:
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        ws.defined_names.clear()
    out = path.with_name("resaved.xlsx")
    wb.save(out)
    return out.read_bytes()


def test_the_input_sheet_is_never_an_output(tmp_path):
    book = agent_book(tmp_path / "店.xlsx", data_sheet="考核数据")
    before = book.read_bytes()
    with pytest.raises(XlreportsError, match="客服数据所在的工作表「考核数据」与 xlreports 生成的工作表同名"):
        appraise(book, AppraiseOptions(month="2026-10", sheet="考核数据"))
    assert book.read_bytes() == before


def test_a_removed_tab_that_is_the_users_now_is_kept(tmp_path):
    book = agent_book(tmp_path / "店.xlsx")
    wb = openpyxl.load_workbook(book)
    wb["客服数据"].append(["李四", "2026-10", *VALUES])
    wb.save(book)
    appraise(book, AppraiseOptions(month="2026-10", backup=False))
    # 李四 leaves; meanwhile the shop replaced her form with a sheet of its own under that name
    wb = openpyxl.load_workbook(book)
    wb.remove(wb["考核表-李四"])
    wb.create_sheet("考核表-李四")["A1"] = "面谈记录"
    wb["客服数据"].delete_rows(3)
    wb.save(book)
    appraise(book, AppraiseOptions(month="2026-10", backup=False))
    assert openpyxl.load_workbook(book)["考核表-李四"]["A1"].value == "面谈记录"


@pytest.fixture(scope="module")
def orders(tmp_path_factory) -> list[Path]:
    return build_order_exports(tmp_path_factory.mktemp("orders"))


@pytest.mark.parametrize("name", ARCHIVE_NAMES)
def test_archive_refuses_a_user_sheet_with_a_generated_name(tmp_path, orders, name):
    book = agent_book(tmp_path / "店.xlsx", extra=name)
    if name == "客户档案":  # the archive reads its 客户档案 first: give it the key column
        wb = openpyxl.load_workbook(book)
        wb[name]["A1"] = "买家会员名"
        wb.save(book)
    before = book.read_bytes()
    with pytest.raises(XlreportsError, match=f"「{name}」，但它不是 xlreports 生成的"):
        archive(book, ArchiveOptions(orders=orders, today=TODAY))
    assert book.read_bytes() == before


def test_archive_keeps_the_users_membership_rules_and_reruns(tmp_path, orders):
    book = tmp_path / "店.xlsx"
    archive(book, ArchiveOptions(orders=orders, today=TODAY, backup=False))
    rules = sheet_xml(book, "会员规则")
    archive(book, ArchiveOptions(orders=orders, today=TODAY, backup=False))  # our tabs: replaced
    assert sheet_xml(book, "会员规则") == rules
    assert set(ARCHIVE_NAMES) <= set(marks(book))


# --------------------------------------------------------------------------- 考核方案 and init


def test_init_never_replaces_a_scheme_without_replace_and_keeps_the_old_one(tmp_path, capsys):
    book = tmp_path / "店.xlsx"
    init_book(book, "A", backup=False)
    wb = openpyxl.load_workbook(book)
    wb["考核方案"]["A1"] = "本店方案（改过）"  # customised
    wb.save(book)
    before = book.read_bytes()
    custom = sheet_xml(book, "考核方案")
    assert main(["init", str(book), "--scheme", "B"]) == 2
    assert "--replace" in capsys.readouterr().err and book.read_bytes() == before
    assert main(["init", str(book), "--scheme", "A"]) == 0  # its rules are still A's: nothing to write
    assert "未改动" in capsys.readouterr().out and book.read_bytes() == before

    done = init_book(book, "B", backup=False, replace=True, today=dt.date(2026, 12, 1))
    assert done.kept_as == "考核方案(旧 2026-12-01)"
    assert sheet_xml(book, "考核方案(旧 2026-12-01)") == custom
    names = openpyxl.load_workbook(book).sheetnames
    assert names.index("考核方案") + 1 == names.index("考核方案(旧 2026-12-01)")
    assert init_book(book, "B", backup=False).written is False  # already B: nothing to do
    done = init_book(book, "A", backup=False, replace=True, today=dt.date(2026, 12, 1))
    assert done.kept_as == "考核方案(旧 2026-12-01 2)"


def test_appraise_scheme_option_never_replaces_the_workbooks_scheme(tmp_path):
    book = agent_book(tmp_path / "店.xlsx")
    init_book(book, "A", backup=False)
    before = book.read_bytes()
    with pytest.raises(XlreportsError, match="init 工作簿 --scheme B --replace"):
        appraise(book, AppraiseOptions(month="2026-10", scheme="B"))
    assert book.read_bytes() == before
    scheme = sheet_xml(book, "考核方案")
    appraise(book, AppraiseOptions(month="2026-10", scheme="A", backup=False))  # the same: fine
    assert sheet_xml(book, "考核方案") == scheme


# --------------------------------------------------------------------------- earlier versions


def _as_earlier_version(monkeypatch) -> None:
    """Write as versions before marks did: no sheet mark, no format row in the manifest."""
    monkeypatch.setattr("xlreports.excel.write.xlsx.workbook.MARK_NAME", "_legacy.unused")
    monkeypatch.setattr("xlreports.layout.ledgers.MANIFEST_FORMAT", "legacy-ignored")


def test_a_workbook_of_an_earlier_version_migrates_once(tmp_path, monkeypatch, orders):
    book = agent_book(tmp_path / "店.xlsx")
    with monkeypatch.context() as m:
        _as_earlier_version(m)
        appraise(book, AppraiseOptions(month="2026-10", backup=False))
        archive(book, ArchiveOptions(orders=orders, today=TODAY, backup=False))
    wb = openpyxl.load_workbook(book)
    wb.remove(wb["关怀记录"])  # no earlier version wrote 关怀记录: the simulated one must not leave it
    wb.save(book)
    assert marks(book) == {}
    appraise(book, AppraiseOptions(month="2026-10", backup=False))  # trusted from the old manifest
    archive(book, ArchiveOptions(orders=orders, today=TODAY, backup=False))  # all seven tabs: theirs
    got = marks(book)
    assert {"工资表", "考核历史", "_xlreports", *ARCHIVE_NAMES} <= set(got)
    # From now on the manifest vouches for nothing: a sheet the user puts in place of ours is theirs.
    wb = openpyxl.load_workbook(book)
    wb.remove(wb["工资表"])
    wb.create_sheet("工资表")["A1"] = "我的"
    wb.save(book)
    before = book.read_bytes()
    with pytest.raises(XlreportsError, match="「工资表」"):
        appraise(book, AppraiseOptions(month="2026-10"))
    assert book.read_bytes() == before


def test_a_user_sheet_named_like_the_manifest_vouches_for_nothing(tmp_path):
    book = agent_book(tmp_path / "店.xlsx", extra="工资表")
    wb = openpyxl.load_workbook(book)
    wb.create_sheet("_xlreports").append(["sheet", None, None, "工资表"])
    wb.save(book)
    with pytest.raises(XlreportsError, match="「工资表」「_xlreports」"):
        appraise(book, AppraiseOptions(month="2026-10"))


# --------------------------------------------------------------------------- the live writer


def _live_book() -> fx.Book:
    book = fx.Book("店.xlsx", sheets=("客服数据",))
    ws = book._sheet("客服数据")
    ws.range((1, 1)).value = [HEADER, ["张三", "2026-10", *VALUES]]
    return book


def test_live_writer_marks_its_tabs_and_refuses_a_user_tab(tmp_path):
    from xlreports.excel.read.live import XlwingsRows

    book = _live_book()
    report = plan_appraisal(XlwingsRows(book), AppraiseOptions(month="2026-10"), shop="店")
    LiveWriter(book, com=True).write(report.book)
    payroll = book._sheet("工资表")
    assert [(n.name, n.refers_to) for n in payroll._names] == [("'工资表'!_xlreports.sheet", '="工资表"')]
    assert payroll._names[0]._visible is False
    LiveWriter(book, com=True).write(report.book)  # ours: replaced
    assert book._sheet("工资表") is not payroll

    book._sheet("工资表").name = "工资表-十月"  # renamed away, a user's tab put in its place
    book.sheets.add("工资表")._cells  # noqa: B018 - the user's new, empty tab
    before = fx.snapshot(book)
    with pytest.raises(XlreportsError, match="「工资表」，但它不是 xlreports 生成的"):
        LiveWriter(book, com=True).write(report.book)
    assert fx.snapshot(book) == before


def test_live_writer_keeps_a_renamed_tab(tmp_path):
    book = fx.Book("店.xlsx", sheets=("考核方案", "说明"))
    old = book._sheet("考核方案")
    spec = SheetSpec("考核方案")
    spec.set(1, 1, "新方案")
    LiveWriter(book, com=False).write(WorkbookSpec([spec], rename={"考核方案": "考核方案(旧)"}))
    assert [s._name for s in book._sheets] == ["考核方案", "考核方案(旧)", "说明"]
    assert book._sheet("考核方案(旧)") is old
