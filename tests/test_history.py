"""考核历史 follows the confirmed forms (issue 8, item 3): a month's streaks are computed from earlier
months as they were confirmed on their forms, and months never appraised are appraised for the history."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from office_ops import perform
from xlreports.a1 import addr
from xlreports.jobs.appraise import AppraiseOptions, appraise

ROOT = Path(__file__).resolve().parents[1]
MAKE_SAMPLE = ROOT / "samples" / "make_sample.py"
BEST = "小美"  # first in every month of the sample: 额外奖金 200 in October (three months first)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("history") / "shop.xlsx"
    subprocess.run([sys.executable, str(MAKE_SAMPLE), str(path)], check=True, capture_output=True, timeout=60)
    return path


def run(path: Path, month: str):
    return appraise(path, AppraiseOptions(month=month, backup=False))


def history(path: Path) -> dict[tuple[str, str], tuple]:
    ws = openpyxl.load_workbook(path, data_only=True)["考核历史"]
    head = {c.value: c.column - 1 for c in ws[1]}
    return {(r[head["月份"]], r[head["客服"]]): (r[head["总分"]], r[head["排名"]], r[head["绩效工资"]])
            for r in ws.iter_rows(min_row=2, values_only=True) if r[head["客服"]]}


def figures(report) -> dict[str, tuple]:
    return {a.agent.name: (a.total, a.rank, a.streak_bonus, a.gross, tuple(a.flags)) for a in report.result.agents}


def test_october_reads_september_as_confirmed_on_its_forms(sample, tmp_path, soffice, uno_python):
    book = tmp_path / "shop.xlsx"
    shutil.copyfile(sample, book)
    run(book, "2026-08")
    september = run(book, "2026-09")
    typed = {"工作任务": 0, "工作态度": 0, "迟到早退次数": 10}
    cells = {f: next((s.name, addr(r, c)) for s in september.book.sheets for (r, c), cell in s.cells.items()
                     if cell.input_key == f"2026-09|{BEST}|{f}") for f in typed}
    perform(book, [{"op": "set", "sheet": s, "cell": c, "value": typed[f]} for f, (s, c) in cells.items()])

    oracle = tmp_path / "oracle.xlsx"  # the same edit, then September re-run before October
    shutil.copyfile(book, oracle)
    confirmed = run(oracle, "2026-09")
    assert confirmed.result.agent(BEST).rank != 1
    expected = figures(run(oracle, "2026-10"))

    october = run(book, "2026-10")
    assert history(book)[("2026-09", BEST)][0] == pytest.approx(confirmed.result.agent(BEST).total)
    assert history(book) == history(oracle)
    assert figures(october) == expected
    assert october.result.agent(BEST).streak_bonus == 0  # not three months first any more
    assert any("2026-09" in m and BEST in m and "考核历史" in m for m in october.messages)


def test_a_month_whose_earlier_months_were_never_appraised_still_has_its_streaks(sample, tmp_path):
    stepwise, direct = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    shutil.copyfile(sample, stepwise)
    shutil.copyfile(sample, direct)
    for month in ("2026-08", "2026-09"):
        run(stepwise, month)
    expected = run(stepwise, "2026-10")
    october = run(direct, "2026-10")
    assert figures(october) == figures(expected)
    assert october.result.agent(BEST).streak_bonus == 200
    assert history(direct) == history(stepwise)
    assert "2026-08、2026-09 未曾考核：已按「客服数据」和预填值计入「考核历史」，连续规则据此计算" in october.messages
    assert not [m for m in expected.messages if "未曾考核" in m]
