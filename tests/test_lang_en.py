"""--lang en complete (issue 9, part 10): in the book appraised with --lang en, no text we generated —
cell texts and formula results, page headers and footers, chart titles, number formats — contains
Chinese, except user data: agent names, the input sheets' names (考核方案, 考核历史, 客服数据, 客服名册,
which stay Chinese because they are read back by those names) and the scheme's own free text (its
name, each KPI's 详细描述 and 说明, the 【说明】 lines), all collected from the input book. Plus exact
labels and widths, readback of typed input by the English labels, the console, and LibreOffice
computing every formula (band names and levels as English literals) as the engine did."""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from demo_books import demo_books, generated  # noqa: F401  (a session fixture)
from formula_check import assert_all_equal, poisoned
from libreoffice import recalculate
from xlreports.cli import main
from xlreports.jobs.appraise import AppraiseOptions, appraise
from xlreports.layout.text_width import longest_word
from xlreports.samples import build_sample

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
KEPT_SHEETS = ("考核方案", "考核历史", "客服数据", "客服名册")  # read back by their Chinese names
A_TO_Z = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def user_texts(path: Path) -> set[str]:
    """The texts of the input: agent names (客服数据's and 客服名册's first column) and the scheme's free text."""
    wb = openpyxl.load_workbook(path)
    out = {v for sheet in ("客服数据", "客服名册") for (v,) in wb[sheet].iter_rows(max_col=1, values_only=True)
           if isinstance(v, str)}  # the 客服 column of each (and the export's title and header cells)
    scheme = wb["考核方案"]
    out.add(scheme["B6"].value)  # 方案名称
    kpi_head = next(r for r in range(1, scheme.max_row + 1) if scheme.cell(r, 16).value == "详细描述")
    for r in range(kpi_head + 1, scheme.max_row + 1):
        if not scheme.cell(r, 1).value:
            break
        out |= {scheme.cell(r, c).value for c in (16, 17) if scheme.cell(r, c).value}
    notes = next(r for r in range(1, scheme.max_row + 1) if scheme.cell(r, 1).value == "【说明】")
    out |= {scheme.cell(r, 1).value for r in range(notes + 2, scheme.max_row + 1) if scheme.cell(r, 1).value}
    return {str(t) for t in out} | set(KEPT_SHEETS)


def chinese_left(text: str, allowed: list[str]) -> str | None:
    """``text`` with every allowed piece taken out, when Chinese remains (else None)."""
    for piece in allowed:  # longest first
        text = text.replace(piece, "")
    return text if CJK.search(text) else None


def chart_titles(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return ["".join(re.findall(r"<a:t>([^<]*)</a:t>", z.read(n).decode("utf-8")))
                for n in z.namelist() if n.startswith("xl/charts/chart")]


def test_no_generated_text_is_chinese_except_user_data(demo_books):
    path = demo_books["en"]
    allowed = sorted(user_texts(path), key=len, reverse=True)
    values = openpyxl.load_workbook(path, data_only=True)
    looked, wrong, validations = 0, [], 0
    for title in generated(values):
        ws = values[title]
        if ws.sheet_state != "visible" or title in KEPT_SHEETS:
            continue
        texts = [title, ws.oddHeader.left.text, ws.oddHeader.center.text, ws.oddHeader.right.text,
                 ws.oddFooter.center.text]
        for row in ws.iter_rows():
            for c in row:
                texts += [c.value if isinstance(c.value, str) else None, c.number_format,
                          c.comment.text if c.comment else None]
        for dv in ws.data_validations.dataValidation:  # drop-down lists, prompts and what a refusal says
            validations += 1
            texts += [dv.formula1, dv.prompt, dv.promptTitle, dv.error, dv.errorTitle]
        for t in filter(None, texts):
            looked += 1
            left = chinese_left(t, allowed)
            if left is not None:
                wrong.append((title, t[:80]))
    for t in chart_titles(path):
        looked += 1
        if chinese_left(t, allowed) is not None:
            wrong.append(("chart", t))
    assert looked > 1000 and validations > 40 and sorted(set(wrong))[:30] == []
    confirm = [dv for dv in values["Scorecard-小美"].data_validations.dataValidation if dv.type == "list"]
    assert [(dv.formula1, dv.prompt, dv.errorTitle, dv.error) for dv in confirm] == [
        ('"Confirmed,Disputed"', "Choose: Confirmed / Disputed", "Invalid entry", "Choose from the drop-down list")]


def test_labels_bands_and_levels_in_english_and_headers_wide_enough(demo_books):
    wb = openpyxl.load_workbook(demo_books["en"])
    values = openpyxl.load_workbook(demo_books["en"], data_only=True)
    summary = wb["Summary"]
    head = {c.value: c.column_letter for c in summary[2] if c.value}
    assert "Performance pay" in head and "Inquiry conversion Score" in head
    for label, col in head.items():  # a wrapped header never breaks a word ("Performanc e pay")
        assert summary.column_dimensions[col].width >= longest_word(label) + 1, label
    assert summary.column_dimensions[head["Performance pay"]].width >= longest_word("Performance") + 1
    form = values["Scorecard-小美"]
    shown = {c.value for row in form.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"Inquiry conversion", "Response time", "Attendance", "Pre-sales", "Senior", "Excellent",
            "Not scored", "Shown only, not scored", "Page &P of &N"} - shown - {form.oddFooter.center.text} == set()
    assert not {"优秀", "售前", "高级", "不计分", "建议不变"} & shown
    deduct = [c for row in wb["Scorecard-小美"].iter_rows() for c in row if "pts" in (c.number_format or "")]
    assert deduct and all(c.number_format == '"-"General" pts"' for c in deduct)
    advice = {values[t].cell(r, 6).value for t in generated(values) if t.startswith("Scorecard-")
              for r in range(1, 30) if values[t].cell(r, 4).value == "Level advice"}
    assert advice and not any(CJK.search(a) for a in advice)
    assert values["Payroll"]["B3"].value in ("Junior", "Intermediate", "Senior")


def test_formulas_with_english_literals_equal_the_engine_in_libreoffice(tmp_path, soffice):
    book = build_sample(tmp_path / "shop.xlsx")
    report = appraise(book, AppraiseOptions(month="2026-10", lang="en", backup=False))
    copy, n = poisoned(book, tmp_path / "poisoned")
    assert n > 100
    assert assert_all_equal(report.book, recalculate(copy, tmp_path / "out")) > 100


def test_typed_scores_survive_an_english_rerun(tmp_path):
    book = build_sample(tmp_path / "shop.xlsx")
    appraise(book, AppraiseOptions(month="2026-10", lang="en", backup=False))
    wb = openpyxl.load_workbook(book)
    ws = wb["Scorecard-小美"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Attitude")
    ws.cell(row, 6).value = 3
    wb.save(book)
    again = appraise(book, AppraiseOptions(month="2026-10", lang="en", backup=False))
    assert again.result.agent("小美").kpis["工作态度"].score == 3
    assert openpyxl.load_workbook(book)["Scorecard-小美"].cell(row, 6).value == 3


def test_console_in_english(tmp_path, capsys):
    book = build_sample(tmp_path / "shop.xlsx")
    assert main(["appraise", str(book), "--month", "2026-10", "--lang", "en", "--no-backup"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    table = lines[lines.index(next(x for x in lines if x.startswith("Rank"))):]
    assert table[0].split() == ["Rank", "Agent", "Total", "score", "Performance", "pay", "Gross", "pay", "Warnings"]
    assert "results (scheme A" in out and "Written: " in out and "Info: No 考核方案 sheet" in out
    assert "Streak bonus: first for 3 months running" in out
    names = {r.agent.name for r in appraise(book, AppraiseOptions(month="2026-10", lang="en",
                                                                   backup=False)).result.agents}
    scheme_name = openpyxl.load_workbook(book)["考核方案"]["B6"].value
    allowed = sorted(names | {scheme_name, *KEPT_SHEETS}, key=len, reverse=True)
    assert [x for x in lines if chinese_left(x, allowed)] == []


def _troubled_book(path: Path) -> Path:
    """The demo with what the readers and the job warn about: an agent missing from 客服名册, a row
    without 月份, a name with a control character, 付款笔数 above 拍下笔数, a score beyond 分值, and a
    typed formula over a form's figure on the second run."""
    build_sample(path)
    wb = openpyxl.load_workbook(path)
    roster = wb["客服名册"]
    roster.delete_rows(next(r for r in range(2, roster.max_row + 1) if roster.cell(r, 1).value == "阿杰"))
    data = wb["客服数据"]
    head = {data.cell(4, c).value: c for c in range(1, data.max_column + 1)}
    rows = [r for r in range(5, data.max_row + 1) if data.cell(r, head["月份"]).value == "2026-10"]
    data.cell(rows[0], head["工作态度"]).value = 12  # beyond 分值
    data.cell(rows[1], head["付款笔数"]).value = data.cell(rows[1], head["拍下笔数"]).value + 3
    sunny = next(r for r in rows if data.cell(r, 1).value == "Sunny")
    data.cell(sunny, 1).value = "Sun\nny"
    extra = data.max_row + 1
    for c in range(1, data.max_column + 1):
        data.cell(extra, c).value = data.cell(rows[2], c).value
    data.cell(extra, head["月份"]).value = None
    wb.save(path)
    return path


def test_console_and_overview_warnings_in_english(tmp_path, capsys):
    book = _troubled_book(tmp_path / "shop.xlsx")
    assert main(["appraise", str(book), "--month", "2026-10", "--lang", "en", "--no-backup"]) == 0
    wb = openpyxl.load_workbook(book)
    form = wb["Scorecard-小美"]
    total = next(r for r in range(1, form.max_row + 1) if form.cell(r, 1).value == "Total score")
    figure = next(c for c in range(2, form.max_column + 1) if str(form.cell(total, c).value or "").startswith("="))
    form.cell(total, figure).value = 99  # typed over the form's 总分: the run restores it and says so
    wb.save(book)
    capsys.readouterr()
    assert main(["appraise", str(book), "--month", "2026-10", "--lang", "en", "--no-backup"]) == 0
    out = capsys.readouterr().out
    notes = [x for x in out.splitlines() if x.startswith("Note: ")]
    expected = ["is not in the roster: computed at the default level", "No month: this row counts in no month",
                "contains a line break, tab or control character", "Orders paid cannot exceed Orders placed",
                "Attitude is 12, outside 0–5; scored 5", "is a formula of the scheme and was overwritten with the number 99"]
    assert all(any(e in n for n in notes) for e in expected), notes
    allowed = sorted(user_texts(book) | {"Sun ny"}, key=len, reverse=True)  # names as typed and as cleaned
    assert [x for x in out.splitlines() if chinese_left(x, allowed)] == []
    front = openpyxl.load_workbook(book)["Overview"]
    start = next(r for r in range(1, front.max_row + 1) if str(front.cell(r, 1).value).startswith("Notices ("))
    listed = [front.cell(r, 1).value for r in range(start + 1, start + 1 + len(notes))]
    assert listed == [n[len("Note: "):] for n in notes]
    assert front.cell(start, 1).value == f"Notices ({len(notes)})"
