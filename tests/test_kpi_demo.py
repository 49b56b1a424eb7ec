"""A fresh user tries chat KPIs: ``xlreports demo`` writes the chat samples and prints the commands; run
through the CLI as printed they give 客服数据-聊天 and an appraisal that scores it (people, not accounts)."""
from __future__ import annotations

import shlex

from xlreports.cli import main
from xlreports.excel.read.source import WorkbookRows
from xlreports.samples_chats import PRESALES


def test_demo_chats_run_end_to_end_through_the_cli(tmp_path, capsys):
    assert main(["demo", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    folder = tmp_path / "聊天记录"
    assert sorted(p.name for p in folder.iterdir()) == ["千牛聊天记录.txt", "聊天记录.csv", "订单导出_聊天.csv"]
    commands = [shlex.split(line.strip()) for line in out.splitlines() if line.strip().startswith("xlreports ")]
    assert [c[1] for c in commands] == ["init", "kpi", "appraise"]
    book = tmp_path / "chat_sample.xlsx"
    assert all(c[2] == str(book) for c in commands)
    for c in commands:
        assert main(c[1:]) == 0, c
    out = capsys.readouterr().out
    assert "2026-10 客服数据" in out and "静默销售额" in out
    with WorkbookRows(book) as wb:
        data = wb.rows("客服数据-聊天").rows
        names = wb.names
        summary = wb.rows("考核汇总").rows
    people = sorted(r[0] for r in data[1:] if r and r[1] == "2026-10")
    assert people == sorted([*PRESALES, "小鹿"])  # 子账号 names: no 客服名册 maps the accounts otherwise
    assert {"聊天统计", "归因明细", "聊天抽查", "统计规则", "考核汇总"} <= set(names)
    scored = {c for r in summary for c in r if isinstance(c, str)}
    assert set(PRESALES) <= scored
