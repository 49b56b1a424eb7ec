"""One run at a time, no lost update, clear OS faults (issue 8, item 7), on real files and processes.

- the run lock (xlreports.excel.write.lock): simultaneous runs in real processes, a holder in another
  process, a crashed holder, a stale record from another computer, a file system without OS locks;
- no lost update: the workbook saved by someone else between the plan and the write (appraise,
  archive, init) is refused with the file byte-identical;
- OS faults: disk full, read-only file system, no permission, `-o` naming a folder or into a missing
  folder, a symlinked workbook: a Chinese message, exit 2, no traceback, the original intact.
"""
from __future__ import annotations

import contextlib
import errno
import io
import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from xlreports import cli
from xlreports.errors import ChangedMeanwhile, FileLocked, NoSpace, NotAWorkbook, ReadOnly, XlreportsError
from xlreports.excel.write import lock as run_lock_module
from xlreports.excel.write.lock import STALE_AFTER, lock_path, run_lock
from xlreports.excel.write.xlsx import save as xlsx_save
from xlreports.jobs import appraise as appraise_job
from xlreports.jobs import archive as archive_job
from xlreports.jobs.appraise import AppraiseOptions, appraise
from xlreports.jobs.archive import ArchiveOptions, archive
from xlreports.jobs.init import init_book
from xlreports.samples import build_order_exports, build_sample

ROOT = Path(__file__).resolve().parents[1]
HISTORY = "考核历史"
BUSY = "另一个 xlreports 正在处理这个工作簿"
CHANGED = "工作簿在计算期间被修改并保存过"


@pytest.fixture(scope="module")
def sample_src(tmp_path_factory) -> Path:
    return build_sample(tmp_path_factory.mktemp("sample") / "店铺.xlsx")


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("exports")
    build_order_exports(folder)
    return folder


@pytest.fixture
def book(sample_src, tmp_path) -> Path:
    target = tmp_path / "店铺.xlsx"
    shutil.copyfile(sample_src, target)
    return target


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def months_in_history(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        if HISTORY not in wb.sheetnames:
            return []
        return sorted({row[0] for row in wb[HISTORY].iter_rows(min_row=2, values_only=True) if row[0]})
    finally:
        wb.close()


def sheet_names(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def save_in_excel(path: Path, sheet: str = "说明", cell: str = "H40", value: object = "用户刚保存的") -> bytes:
    """What a person saving the workbook in Excel does to the file: new content, new time."""
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)
    return path.read_bytes()


# ------------------------------------------------------------------ simultaneous runs, real processes


def cli_in_child(argv: list[str], barrier, results) -> None:
    """A forked run of the command line (forkserver: a clean process that never ran polars' threads)."""
    barrier.wait(timeout=60)
    results.put((argv, *run_cli(argv)))


def simultaneous(*argvs: list[str]) -> list[tuple[list[str], int, str, str]]:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["xlreports.cli", "xlreports.jobs.appraise", "xlreports.jobs.archive"])
    barrier, results = ctx.Barrier(len(argvs)), ctx.Queue()
    procs = [ctx.Process(target=cli_in_child, args=(argv, barrier, results)) for argv in argvs]
    for p in procs:
        p.start()
    got = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return sorted(got, key=lambda r: argvs.index(r[0]))


def test_eight_pairs_of_simultaneous_runs_never_lose_a_month(sample_src, tmp_path):
    outcomes = []
    for i in range(8):
        path = tmp_path / f"店铺{i}.xlsx"
        shutil.copyfile(sample_src, path)
        runs = simultaneous(*[["appraise", str(path), "--month", m, "--no-backup"] for m in ("2026-08", "2026-09")])
        codes = [code for _, code, _, _ in runs]
        months = months_in_history(path)
        for _, code, _, err in runs:
            assert "Traceback" not in err and "内部错误" not in err
            if code:
                assert code == 2 and BUSY in err and path.name in err, err
        if codes == [0, 0]:
            assert months == ["2026-08", "2026-09"], f"pair {i}: a month was lost"
            outcomes.append("both, one after the other")
        else:
            assert sorted(codes) == [0, 2], codes
            winner = ["2026-08", "2026-09"][codes.index(0)]
            # a month's run also brings earlier months of the data into 考核历史 (never-appraised ones too)
            assert months == [m for m in ("2026-08", "2026-09") if m <= winner], f"pair {i}"
            outcomes.append("one refused")
        assert listing(tmp_path) == sorted(f"店铺{j}.xlsx" for j in range(i + 1))  # no lock, temp or backup left
    assert len(outcomes) == 8


def test_an_archive_and_an_appraisal_at_once_keep_each_others_sheets(sample_src, exports, tmp_path):
    for i in range(2):
        path = tmp_path / f"店铺{i}.xlsx"
        shutil.copyfile(sample_src, path)
        runs = simultaneous(["appraise", str(path), "--month", "2026-09", "--no-backup"],
                            ["archive", str(path), "--orders", str(exports), "--today", "2026-11-23", "--no-backup"])
        codes = [code for _, code, _, _ in runs]
        for _, code, _, err in runs:
            assert "Traceback" not in err
            assert code == 0 or (code == 2 and BUSY in err), err
        assert 0 in codes
        assert ("2026-09" in months_in_history(path)) == (codes[0] == 0)  # each success is in the file
        assert ("客户档案" in sheet_names(path)) == (codes[1] == 0)


# ------------------------------------------------------------------ the lock: holders, crashes, stale records

HOLD = """
import sys
from xlreports.excel.write.lock import run_lock
with run_lock(sys.argv[1], command="test"):
    print("held", flush=True)
    if sys.argv[2] == "crash":
        import os; os._exit(9)
    sys.stdin.read()
"""


def holder(path: Path, how: str = "hold") -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), how], env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline().strip() == "held", proc.stderr.read()
    return proc


def test_a_run_held_by_another_process_is_refused_and_writes_nothing(book):
    before = book.read_bytes()
    proc = holder(book)
    try:
        record = json.loads(lock_path(book).read_text(encoding="utf-8"))
        assert (record["pid"], record["host"], record["program"]) == (proc.pid, socket.gethostname(), "xlreports")
        for argv in (["appraise", str(book), "--month", "2026-08"], ["init", str(book)],
                     ["archive", str(book), "--orders", str(book)]):
            code, out, err = run_cli(argv)
            assert code == 2 and "Traceback" not in err
            assert f"店铺.xlsx：{BUSY}（电脑 {socket.gethostname()}，进程 {proc.pid}，开始于 " in err
            assert "本次未读取也未写入任何内容" in err
        with pytest.raises(FileLocked):
            appraise(book, AppraiseOptions(month="2026-08"))
        assert book.read_bytes() == before
        assert listing(book.parent) == ["~$店铺.xlsx.xlreports-lock", "店铺.xlsx"]
        # exporting the scheme only reads: no lock needed
        code, _, err = run_cli(["init", str(book.parent / "新.xlsx")])
        assert code == 0, err
        code, _, err = run_cli(["scheme", "export", str(book.parent / "新.xlsx"), str(book.parent / "方案.json")])
        assert code == 0, err
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    assert not lock_path(book).exists()  # the holder removed it on the way out
    appraise(book, AppraiseOptions(month="2026-08", backup=False))
    assert months_in_history(book) == ["2026-08"]


def test_a_crashed_runs_lock_is_taken_over(book):
    proc = holder(book, "crash")
    assert proc.wait(timeout=30) == 9
    left = lock_path(book)
    assert json.loads(left.read_text(encoding="utf-8"))["pid"] == proc.pid  # left behind by the crash
    report = appraise(book, AppraiseOptions(month="2026-08", backup=False))
    assert report.output == book and months_in_history(book) == ["2026-08"]
    assert listing(book.parent) == ["店铺.xlsx"]


def stale_record(path: Path, *, host: str, age: float, pid: int = 4242) -> None:
    lock_path(path).write_text(json.dumps({"program": "xlreports", "pid": pid, "host": host,
                                           "time": time.time() - age, "started": "2026-11-30 09:00:00"}),
                               encoding="utf-8")


def test_a_record_from_another_computer_is_respected_until_it_is_stale(book):
    before = book.read_bytes()
    stale_record(book, host="前台电脑", age=60)
    code, _, err = run_cli(["appraise", str(book), "--month", "2026-08"])
    assert code == 2 and f"{BUSY}（电脑 前台电脑，进程 4242，开始于 2026-11-30 09:00:00）" in err
    assert book.read_bytes() == before
    stale_record(book, host="前台电脑", age=STALE_AFTER + 60)
    code, _, err = run_cli(["appraise", str(book), "--month", "2026-08", "--no-backup"])
    assert code == 0, err
    assert listing(book.parent) == ["店铺.xlsx"]


def test_without_os_locks_the_record_decides(book, monkeypatch):
    import fcntl

    def no_locks(fd, how):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale_record(book, host=socket.gethostname(), age=1, pid=sleeper.pid)
        with pytest.raises(FileLocked, match=f"进程 {sleeper.pid}"):
            with run_lock(book):
                pass
    finally:
        sleeper.kill()
        sleeper.wait()
    with run_lock(book, command="appraise") as path:  # that process is gone now: taken over
        assert json.loads(path.read_text(encoding="utf-8"))["pid"] == os.getpid()
    assert not path.exists()


def test_two_names_of_one_workbook_share_one_lock(book):
    link = book.parent / "链接.xlsx"
    link.symlink_to(book.name)
    assert lock_path(link) == lock_path(book) == book.parent / "~$店铺.xlsx.xlreports-lock"
    with run_lock(book):
        with pytest.raises(FileLocked, match="链接.xlsx"):
            with run_lock(link):
                pass


def test_the_lock_is_released_when_a_run_fails(book, tmp_path):
    code, _, err = run_cli(["appraise", str(book), "--month", "2031-01"])
    assert code == 2 and "Traceback" not in err
    assert listing(tmp_path) == ["店铺.xlsx"]


# ------------------------------------------------------------------ no lost update


def test_a_save_in_excel_while_appraise_computes_is_kept(book, monkeypatch):
    plan = appraise_job.plan_appraisal
    edited = {}

    def plan_then_user_saves(*args, **kwargs):
        report = plan(*args, **kwargs)
        edited["bytes"] = save_in_excel(book)
        return report

    monkeypatch.setattr(appraise_job, "plan_appraisal", plan_then_user_saves)
    code, out, err = run_cli(["appraise", str(book), "--month", "2026-08"])
    assert code == 2 and "Traceback" not in err
    assert err.strip() == f"错误：店铺.xlsx：{xlsx_save.CHANGED_MESSAGE}"
    assert CHANGED in err and "请重新运行" in err
    assert book.read_bytes() == edited["bytes"]  # byte-identical: the user's save is what stays
    assert listing(book.parent) == ["店铺.xlsx"]  # no backup, no temp file, no lock


def test_a_note_saved_while_archive_computes_is_not_reverted(book, exports, monkeypatch):
    archive(book, ArchiveOptions(orders=[exports], today=None, backup=False))
    wb = openpyxl.load_workbook(book, read_only=True)
    header = [c for c in next(wb["客户档案"].iter_rows(max_row=1, values_only=True))]
    wb.close()
    column = openpyxl.utils.get_column_letter(header.index("备注") + 1)
    plan = archive_job.plan_archive
    edited = {}

    def plan_then_staff_save(*args, **kwargs):
        result = plan(*args, **kwargs)
        edited["bytes"] = save_in_excel(book, "客户档案", f"{column}2", "老客户，只穿连衣裙")
        return result

    monkeypatch.setattr(archive_job, "plan_archive", plan_then_staff_save)
    with pytest.raises(ChangedMeanwhile, match=CHANGED):
        archive(book, ArchiveOptions(orders=[exports]))
    assert book.read_bytes() == edited["bytes"]
    assert listing(book.parent) == ["店铺.xlsx"]
    monkeypatch.setattr(archive_job, "plan_archive", plan)  # the re-run the message asks for keeps the note
    archive(book, ArchiveOptions(orders=[exports], backup=False))
    wb = openpyxl.load_workbook(book, read_only=True)
    notes = [row[header.index("备注")] for row in wb["客户档案"].iter_rows(min_row=2, values_only=True)]
    wb.close()
    assert "老客户，只穿连衣裙" in notes


def test_a_restamped_file_counts_as_changed(book, monkeypatch):
    plan = appraise_job.plan_appraisal
    before = book.read_bytes()

    def plan_then_touch(*args, **kwargs):
        report = plan(*args, **kwargs)
        os.utime(book, ns=(1, 1))  # saved again, same bytes: refused all the same (a re-run is cheap)
        return report

    monkeypatch.setattr(appraise_job, "plan_appraisal", plan_then_touch)
    with pytest.raises(ChangedMeanwhile):
        appraise(book, AppraiseOptions(month="2026-08"))
    assert book.read_bytes() == before and listing(book.parent) == ["店铺.xlsx"]


def test_a_change_that_keeps_size_and_time_is_caught(tmp_path):
    path = tmp_path / "店铺.xlsx"
    path.write_bytes(b"version one")
    read_as = xlsx_save.fingerprint(path)
    path.write_bytes(b"version two")
    os.utime(path, ns=(read_as.mtime_ns, read_as.mtime_ns))  # a coarse clock: same time, same size
    assert xlsx_save.changed_since(path, read_as)
    path.unlink()
    assert xlsx_save.changed_since(path, read_as)  # deleted meanwhile: changed, nothing written


# ------------------------------------------------------------------ OS faults


@contextlib.contextmanager
def tmpfs(folder: Path, size: str, *, read_only: bool = False, fill: list[Path] = ()):
    """A small tmpfs at ``folder`` holding copies of ``fill``; skips where mounting isn't permitted."""
    folder.mkdir()
    if shutil.which("mount") is None or os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if done.returncode:
        pytest.skip(f"mount not permitted here: {done.stderr.decode(errors='replace').strip()}")
    try:
        for path in fill:
            shutil.copyfile(path, folder / path.name)
        if read_only:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_disk_full_is_a_message_and_the_original_is_intact(book, tmp_path):
    with tmpfs(tmp_path / "满", "64k", fill=[book]) as disk:
        target = disk / book.name
        before = target.read_bytes()
        code, out, err = run_cli(["appraise", str(target), "--month", "2026-08"])
        assert code == 2 and "Traceback" not in err
        assert err.strip() == "错误：店铺.xlsx：磁盘空间不足，未保存；原文件没有改动"
        assert target.read_bytes() == before
        assert listing(disk) == ["店铺.xlsx"]  # no temp file, no backup, no lock


def test_disk_full_while_flushing_is_a_no_space_error(book, monkeypatch):
    before = book.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsx_save.os, "fsync", full)
    with pytest.raises(NoSpace, match="磁盘空间不足"):
        appraise(book, AppraiseOptions(month="2026-08"))
    assert book.read_bytes() == before
    assert listing(book.parent) == ["店铺.xlsx"]


def test_a_read_only_file_system_is_a_message(book, tmp_path):
    with tmpfs(tmp_path / "只读", "1m", read_only=True, fill=[book]) as disk:
        target = disk / book.name
        before = target.read_bytes()
        for argv in (["appraise", str(target), "--month", "2026-08"], ["init", str(target)],
                     ["archive", str(target), "--orders", str(target)]):
            code, out, err = run_cli(argv)
            assert code == 2 and "Traceback" not in err
            assert err.strip() == (f"错误：{disk}：所在的磁盘或共享文件夹是只读的，未保存；原文件没有改动。"
                                   "请把工作簿复制到可以写入的文件夹，或用 -o 另存到别处")
        assert target.read_bytes() == before
        out_file = tmp_path / "另存.xlsx"  # reading from it and writing elsewhere works
        code, _, err = run_cli(["appraise", str(target), "--month", "2026-08", "-o", str(out_file)])
        assert code == 0, err
        assert months_in_history(out_file) == ["2026-08"]


def test_a_folder_without_write_permission_is_a_message(book, monkeypatch):
    before = book.read_bytes()
    real_open = os.open

    def refused(path, *args, **kwargs):
        if str(path).endswith(".xlreports-lock"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(run_lock_module.os, "open", refused)
    with pytest.raises(ReadOnly, match="没有写入此文件夹的权限"):
        appraise(book, AppraiseOptions(month="2026-08"))
    monkeypatch.setattr(run_lock_module.os, "open", real_open)

    def no_temp(**kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(xlsx_save.tempfile, "mkstemp", no_temp)
    code, _, err = run_cli(["appraise", str(book), "--month", "2026-08"])
    assert code == 2 and "Traceback" not in err
    assert err.strip() == (f"错误：{book.parent}：没有写入此文件夹的权限，未保存；原文件没有改动。"
                           "请检查文件夹权限，或用 -o 另存到别处")
    assert book.read_bytes() == before
    assert listing(book.parent) == ["店铺.xlsx"]


def test_out_naming_a_folder_or_a_missing_folder_is_a_message(book, tmp_path, monkeypatch):
    before = book.read_bytes()
    planned = []
    monkeypatch.setattr(appraise_job, "plan_appraisal", lambda *a, **k: planned.append(1))
    for name in ("报表", "报表.xlsx"):  # a folder, with or without a workbook's suffix
        folder = tmp_path / name
        folder.mkdir()
        code, _, err = run_cli(["appraise", str(book), "--month", "2026-08", "-o", str(folder)])
        assert code == 2 and "Traceback" not in err
        assert err.strip() == f"错误：{folder}：是一个文件夹，不是工作簿文件；请给出文件名，例如 {folder / '店铺.xlsx'}"
        assert listing(folder) == []
    code, _, err = run_cli(["appraise", str(book), "--month", "2026-08", "-o", str(tmp_path / "没有" / "x.xlsx")])
    assert code == 2 and err.strip() == f"错误：找不到文件夹：{tmp_path / '没有'}"
    assert planned == []  # refused before anything was read or computed
    for argv in (["archive", str(book), "--orders", str(book), "-o", str(tmp_path / "报表")],
                 ["init", str(tmp_path / "报表.xlsx")]):
        code, _, err = run_cli(argv)
        assert code == 2 and "是一个文件夹" in err and "Traceback" not in err
    assert book.read_bytes() == before
    assert listing(tmp_path) == sorted(["报表", "报表.xlsx", "店铺.xlsx"])


def test_a_symlinked_workbook_stays_a_link_and_its_file_is_updated(book, exports, tmp_path):
    shared = tmp_path / "共享"
    shared.mkdir()
    real = shared / "真实.xlsx"
    book.rename(real)
    link = tmp_path / "店铺.xlsx"
    link.symlink_to(Path("共享") / "真实.xlsx")  # relative, as `ln -s` makes them
    original = real.read_bytes()
    code, out, err = run_cli(["appraise", str(link), "--month", "2026-08"])
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(Path("共享") / "真实.xlsx")
    assert months_in_history(real) == ["2026-08"]  # the file it points to is the one updated
    backups = [p for p in shared.iterdir() if p.name.startswith("真实.bak-")]
    assert len(backups) == 1 and backups[0].read_bytes() == original  # the backup beside the real file
    assert listing(tmp_path) == ["共享", "店铺.xlsx"] and len(listing(shared)) == 2
    init_book(link, backup=False)  # every job goes through the link
    archive(link, ArchiveOptions(orders=[exports], backup=False))
    assert link.is_symlink() and os.readlink(link) == str(Path("共享") / "真实.xlsx")
    assert {"考核方案", "客户档案", HISTORY} <= set(sheet_names(real))
    assert listing(tmp_path) == ["共享", "店铺.xlsx"] and len(listing(shared)) == 2


def test_other_os_errors_are_messages_not_tracebacks(book, monkeypatch):
    before = book.read_bytes()

    def broken(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(xlsx_save.os, "replace", broken)
    code, _, err = run_cli(["appraise", str(book), "--month", "2026-08"])
    assert code == 2 and "Traceback" not in err
    assert err.strip() == "错误：店铺.xlsx：操作系统报告错误（Input/output error），未保存；原文件没有改动"
    assert book.read_bytes() == before
    assert listing(book.parent) == ["店铺.xlsx"]


def test_a_directory_as_target_of_the_writer_itself(tmp_path):
    with pytest.raises(NotAWorkbook, match="是一个文件夹"):
        xlsx_save.save_atomically(tmp_path, lambda temp: temp.write_bytes(b"x"))
    with pytest.raises(XlreportsError, match="找不到文件夹"):
        xlsx_save.save_atomically(tmp_path / "没有" / "x.xlsx", lambda temp: temp.write_bytes(b"x"))
