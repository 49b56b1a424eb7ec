"""The progress bar of long runs: on a terminal (a fake tty here) it shows the phases of a real archive
run and is wiped at the end; not on a terminal, or with --quiet, nothing reaches stderr."""
from __future__ import annotations

import io

import pytest
from test_archive import CSV_ROWS, write_csv

from xlreports import progress
from xlreports.cli import main


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def export(tmp_path):
    return write_csv(tmp_path / "ExportOrderList202610.csv", CSV_ROWS)


def run_cli(monkeypatch, err, *args) -> int:
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)  # the run is short: show the bar from the start
    return main(list(args))


def test_bar_on_a_terminal_shows_the_phases_and_is_wiped(tmp_path, export, monkeypatch, capsys):
    err = FakeTty()
    assert run_cli(monkeypatch, err, "archive", str(tmp_path / "客户.xlsx"), "--orders", str(export),
                   "--today", "2026-11-23") == 0
    shown = err.getvalue()
    frames = [f for f in shown.split("\r") if f.strip()]
    # one frame per finished phase at least, each naming the phase now under way, the bar filling up
    for phase in ("读取工作簿", "计算", "排版", "写入", "完成"):
        assert any(f" {phase} " in f for f in frames), (phase, frames)
    assert frames[-1].startswith("[" + "█" * progress.WIDTH + "] 完成")
    assert shown.endswith("\r" + " " * (progress.WIDTH + 30) + "\r")  # wiped before the report
    assert "已写入" in capsys.readouterr().out


@pytest.mark.parametrize("tty, quiet", [(False, False), (True, True)])
def test_silent_off_a_terminal_or_with_quiet(tmp_path, export, monkeypatch, tty, quiet):
    err = FakeTty() if tty else io.StringIO()
    args = ["archive", str(tmp_path / "客户.xlsx"), "--orders", str(export), "--today", "2026-11-23"]
    assert run_cli(monkeypatch, err, *args, *(["--quiet"] if quiet else [])) == 0
    assert err.getvalue() == ""


def test_a_quick_run_shows_nothing(tmp_path, export, monkeypatch):
    err = FakeTty()
    monkeypatch.setattr("sys.stderr", err)  # SHOW_AFTER stays 2 s: this run takes well under it
    assert main(["archive", str(tmp_path / "客户.xlsx"), "--orders", str(export), "--today", "2026-11-23"]) == 0
    assert err.getvalue() == ""


def test_bar_redraws_during_a_long_phase():
    err = FakeTty()
    import time

    with progress.PhaseProgress(err, progress.ARCHIVE_PHASES, show_after=0.0):
        time.sleep(3 * progress.REFRESH)  # a phase that takes a while: the line keeps moving
    frames = [f for f in err.getvalue().split("\r") if f.strip()]
    assert len(frames) >= 2 and all(" 读取订单 " in f for f in frames)
