#!/usr/bin/env python3
"""Speed and memory of one appraisal run: N agents, scheme A, forms + summary + payroll → a NEW workbook.

    python benchmarks/bench_appraise.py [--agents 500] [--forms single|tabs|auto] [--repeat 3] [--keep DIR]
                                        [--days 31 --accounts 2]

With ``--days D --accounts K`` the input is a daily export: each agent's month split over K accounts
("店铺1:name" … "店铺K:name", a 客服名册 giving each agent her accounts) and D days, one row per account
per day (agents × D × K rows), which the job rolls back up to one row per person (engine/rollup.py).

Target (the issue): 500 agents under 5 s wall and under 500 MB peak memory on a 2-core machine.
This prints figures; it asserts nothing and exits 0 whether the target is met or not. It exits
non-zero only when the job itself errors, or when the phase breakdown no longer matches
``xlreports.jobs.appraise`` internals (the end-to-end figures are still printed first).

How it measures:
  * The input workbook (one plain 「客服数据」 sheet, header on row 1, N agents for 2026-10,
    fixed seed) is written with openpyxl write_only, outside any timing.
  * Each repetition runs two FRESH child processes (this script with ``--child``), so the peak
    RSS is the job's own and nothing is warm:
      - e2e:    ``appraise(book, AppraiseOptions(month="2026-10", scheme=..., out=<new file>, forms=...))``
                timed with time.perf_counter around the call; peak RSS = ru_maxrss after it.
                Interpreter start-up (parent's launch → child's first line) and the import of
                xlreports + openpyxl are timed separately.
      - phases: the same job, reproduced by calling appraise()'s internals in its order:
                read (_read_inputs + _pick_month), engine (_build_context; of which
                appraise_month), layout (_workbook_spec), load (load_for_update: openpyxl
                reloads the input to write into it), render (apply_workbook_spec), save
                (formula_values + save_atomically: openpyxl save, cached-value injection, fsync,
                swap). ru_maxrss is read after each phase, so the column where
                peak memory jumps is the phase that sets it.
  * Counts (cells written, formula cells, sheets) come from the returned WorkbookSpec,
    after the timed call.
"""
from __future__ import annotations

import time

_T_WALL_START = time.time()  # first thing: start-up cost = this minus the parent's launch time
_T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ChildFailed, cpu_line, fmt_range, peak_mb  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MONTH = "2026-10"
SEED = 20261023
TARGET_SECONDS = 5.0
TARGET_MB = 500.0
RESULT_MARK = "BENCH_RESULT "

HEADER = ("客服", "月份", "接待人数", "回复人数", "询单人数", "最终付款人数", "拍下笔数", "付款笔数", "成交笔数",
          "退款笔数", "客服销售额", "客服客单价", "店铺客单价", "平均响应时间", "工作任务", "工作态度",
          "迟到早退次数", "请假天数")
SHOP_AOV = 150.00  # 店铺客单价, the same for every agent (as in samples/make_sample.py)

# Fictional nicknames; a running number keeps 500 of them unique (and sheet names ≤ 31 chars).
_PREFIXES = ("", "", "", "售前-", "售后-", "客服-")
_NAMES = ("小美", "阿杰", "小雨", "Sunny", "橙子", "糖糖", "阿磊", "小鹿", "大伟", "七七", "木子", "安琪",
          "小宇", "果果", "可乐", "阿宝", "豆豆", "Lily", "小白", "花花", "米粒", "阿飞", "静静", "乐乐")

PHASES = ("read", "engine", "layout", "write")  # as AppraiseReport.timings names them


# ------------------------------------------------------------------ input workbook


def _agent_row(rng, name: str) -> list:
    """One agent's month, numbers consistent with each other (modelled on samples/make_sample.py)."""
    u = rng.uniform
    conv, pay, ratio = u(0.52, 0.84), u(0.78, 0.975), u(1.00, 1.17)
    reply, resp = u(0.93, 1.0), u(18, 60)
    inq = rng.randint(300, 1500)
    paid = round(inq * conv)
    ordered = min(inq, round(paid / u(0.86, 0.96)))
    placed = round(ordered * u(1.05, 1.18))
    orders_paid = round(placed * pay)
    closed = max(0, orders_paid - rng.randint(0, 3))
    refunds = round(closed * (u(0.002, 0.009) if rng.random() < 0.6 else u(0.01, 0.03)))
    received = round(inq / u(0.55, 0.75))
    replied = round(received * reply)
    agent_aov = round(SHOP_AOV * ratio, 2)
    sales = round(paid * agent_aov * u(0.98, 1.03), 2)
    tasks, attitude = rng.randint(6, 10), rng.randint(3, 5)
    late = rng.choice((0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3)) if rng.random() < 0.6 else 0
    leave = rng.choice((0.0,) * 8 + (0.5, 1.0, 1.5, 2.0))
    return [name, MONTH, received, replied, inq, paid, placed, orders_paid, closed, refunds, sales,
            agent_aov, SHOP_AOV, round(resp, 1), tasks, attitude, late, leave]


def agent_names(n: int) -> list[str]:
    return [f"{_PREFIXES[i % len(_PREFIXES)]}{_NAMES[i % len(_NAMES)]}{i + 1:03d}" for i in range(n)]


def write_input(path: Path, agents: int, seed: int = SEED, days: int = 0, accounts: int = 1) -> None:
    """A plain 客服数据 sheet: header on row 1, one row per agent for 2026-10; with ``days``, one row per
    account per day instead (日期 in place of 月份) and a 客服名册 with each agent's accounts."""
    import random

    from openpyxl import Workbook

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("客服数据")
    names = agent_names(agents)
    if not days:
        ws.append(list(HEADER))
        for name in names:
            ws.append(_agent_row(rng, name))
        wb.save(path)
        return
    ws.append(["日期", *HEADER[:1], *HEADER[2:]])
    for day in range(1, days + 1):
        for name in names:
            for k in range(1, accounts + 1):
                row = _daily_row(rng, name)
                ws.append([f"2026-10-{day:02d}", f"店铺{k}:{name}", *row[2:]])
    roster = wb.create_sheet("客服名册")
    roster.append(["客服", "账号", "级别"])
    for name in names:
        roster.append([name, "、".join(f"店铺{k}:{name}" for k in range(1, accounts + 1)), None])
    wb.save(path)


def _daily_row(rng, name: str) -> list:
    """One account-day: counts of a small month's size; manual scores and attendance left blank but 迟到."""
    row = _agent_row(rng, name)
    counts = (2, 3, 4, 5, 6, 7, 8, 9, 10)  # 接待 … 客服销售额 (indexes in HEADER)
    for i in counts:
        row[i] = round(row[i] / 30, 2) if i == 10 else max(0, round(row[i] / 30))
    row[14] = row[15] = None  # 工作任务, 工作态度: typed on the forms
    return row


# ------------------------------------------------------------------ child side




def _spec_counts(spec) -> dict:
    cells = formulas = 0
    for sheet in spec.sheets:
        cells += len(sheet.cells)
        formulas += sum(1 for c in sheet.cells.values() if c.formula is not None)
    return {"cells": cells, "formulas": formulas, "sheets": len(spec.sheets)}


def _child(args) -> dict:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))  # measure this checkout
    startup = _T_WALL_START - args.launched_at
    t0 = time.perf_counter()
    import openpyxl  # noqa: F401
    import xlreports.jobs.appraise as ap
    from xlreports.excel.write import xlsx  # noqa: F401 - appraise() imports it lazily
    imports = time.perf_counter() - t0
    scheme = None if args.scheme == "none" else args.scheme
    opts = ap.AppraiseOptions(month=MONTH, scheme=scheme, out=args.out, forms=args.forms)
    out = Path(args.out)
    if out.exists():
        raise SystemExit(f"bench: {out} exists; the benchmark writes into a NEW workbook")
    result = {"startup_s": startup, "import_s": imports, "peak_before_mb": peak_mb()}
    if args.child == "e2e":
        t0 = time.perf_counter()
        report = ap.appraise(Path(args.input), opts)
        result["wall_s"] = time.perf_counter() - t0
        result["peak_mb"] = peak_mb()
        result.update(_spec_counts(report.book))
        result["appraised"] = len(report.result.agents)
    else:
        result.update(_phases(ap, Path(args.input), opts))
    result["out_kb"] = out.stat().st_size / 1024
    result["backup"] = any(p.name.startswith(f"{out.stem}.bak-") for p in out.parent.iterdir())
    return result


def _phases(ap, book: Path, opts) -> dict:
    """One appraise() run; the job reports its own phase timings (read, engine, layout, write)."""
    t = time.perf_counter()
    report = ap.appraise(book, opts)
    total = time.perf_counter() - t
    return {"phase_s": dict(report.timings), "phases_total_s": total, "peak_mb": peak_mb(),
            **_spec_counts(report.book)}


def child_main(args) -> int:
    result = _child(args)
    print(RESULT_MARK + json.dumps(result), flush=True)
    return 0


# ------------------------------------------------------------------ parent side




def run_child(mode: str, book: Path, out: Path, args) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--input", str(book),
           "--out", str(out), "--forms", args.forms, "--scheme", args.scheme]
    launched = time.time()
    cmd += ["--launched-at", repr(launched)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=str(REPO))
    process_s = time.perf_counter() - t0
    if proc.returncode != 0:
        raise ChildFailed(mode, proc.returncode, proc.stderr or proc.stdout)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_MARK)]
    if not lines:
        raise ChildFailed(mode, proc.returncode, "no result line in output:\n" + proc.stdout + proc.stderr)
    result = json.loads(lines[-1][len(RESULT_MARK):])
    result["process_s"] = process_s
    return result


def machine() -> str:
    import openpyxl

    return f"{cpu_line()} (CPython), openpyxl {openpyxl.__version__}"




def report(args, e2e: list[dict], phases: list[dict], phase_error: str | None) -> None:
    walls = [r["wall_s"] for r in e2e]
    peaks = [r["peak_mb"] for r in e2e]
    wall_med, peak_max = statistics.median(walls), max(peaks)
    first = e2e[0]
    print(machine())
    print(f"job: appraise(month={MONTH}, scheme={args.scheme}, forms={args.forms}) into a new workbook; "
          f"{args.repeat} repetition(s), each in fresh processes")
    print()
    rows = [
        ("agents", f"{args.agents}" + ("" if first["appraised"] == args.agents
                                       else f"  (WARNING: only {first['appraised']} appraised)")),
        ("forms mode", args.forms),
        ("sheets written", f"{first['sheets']}"),
        ("cells written", f"{first['cells']:,}"),
        ("formula cells", f"{first['formulas']:,}"),
        ("output size KB", f"{first['out_kb']:,.0f}"),
        ("wall s min/median", fmt_range(walls)),
        ("peak RSS MB max", f"{peak_max:.0f}  (after imports: {max(r['peak_before_mb'] for r in e2e):.0f})"),
        ("start-up s min/med", fmt_range([r["startup_s"] for r in e2e], "{:.3f}")),
        ("imports s min/med", fmt_range([r["import_s"] for r in e2e], "{:.3f}")),
        ("process s min/med", fmt_range([r["process_s"] for r in e2e])),
    ]
    if phases:
        for name in PHASES:
            vals = [p["phase_s"][name] for p in phases]
            rows.append((f"  {name} s min/med", fmt_range(vals, "{:.3f}")))
        sums = [p["phases_total_s"] for p in phases]
        med = {n: statistics.median(p["phase_s"][n] for p in phases) for n in PHASES}
        top = max(med, key=med.get)
        rows.append(("  phases total s", f"{fmt_range(sums)}  (dominant: {top}, "
                                          f"{100 * med[top] / statistics.median(sums):.0f}%)"))
    elif phase_error:
        rows.append(("  phases", "UNAVAILABLE (see error below)"))
    ok_time, ok_mem = wall_med < TARGET_SECONDS, peak_max < TARGET_MB
    verdict = "PASS" if ok_time and ok_mem else "FAIL"
    rows.append(("target", f"{verdict}: wall median {wall_med:.2f} s {'<' if ok_time else '>='} {TARGET_SECONDS:g} s, "
                           f"peak {peak_max:.0f} MB {'<' if ok_mem else '>='} {TARGET_MB:g} MB"))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    if any(r.get("backup") for r in e2e):
        print("note: a backup file appeared, so the output was not a new file")


def parent_main(args) -> int:
    if args.agents < 1 or args.repeat < 1:
        print("bench: --agents and --repeat must be at least 1", file=sys.stderr)
        return 2
    keep = Path(args.keep).resolve() if args.keep else None
    tmp = None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        folder = keep
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench_appraise.")
        folder = Path(tmp.name)
    try:
        book = folder / f"bench_input_{args.agents}x{args.days}x{args.accounts}.xlsx"
        t0 = time.perf_counter()
        write_input(book, args.agents, days=args.days, accounts=args.accounts)
        rows = args.agents * args.days * args.accounts if args.days else args.agents
        print(f"input: {book.name}, {args.agents} agents, {rows:,} data rows, {book.stat().st_size / 1024:.0f} KB, "
              f"written in {time.perf_counter() - t0:.2f} s (not timed)"
              + (f" — kept in {folder}" if keep else ""), flush=True)
        stamp = f"{args.agents}_{args.forms}_{os.getpid()}"
        e2e, phases, phase_error = [], [], None
        for i in range(args.repeat):
            out = folder / f"bench_out_{stamp}_{i + 1}.xlsx"
            e2e.append(run_child("e2e", book, out, args))
            if not keep or i + 1 < args.repeat:
                out.unlink(missing_ok=True)  # keep only the last output
            if phase_error is None:
                p_out = folder / f".bench_phases_{stamp}_{i + 1}.xlsx"
                try:
                    phases.append(run_child("phases", book, p_out, args))
                except ChildFailed as exc:
                    phase_error = exc.stderr.strip()
                finally:
                    p_out.unlink(missing_ok=True)
            print(f"  repetition {i + 1}/{args.repeat}: {e2e[-1]['wall_s']:.2f} s, "
                  f"{e2e[-1]['peak_mb']:.0f} MB", flush=True)
        print()
        report(args, e2e, phases, phase_error)
    except ChildFailed as exc:
        print(f"bench: the appraisal job failed ({exc}):\n{exc.stderr}", file=sys.stderr)
        return 1
    finally:
        if tmp is not None:
            tmp.cleanup()
    if phase_error:
        print("\n" + "!" * 72 + f"\nPHASE BREAKDOWN FAILED:\n{phase_error}\n" + "!" * 72, file=sys.stderr)
        return 3
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--agents", type=int, default=500, help="agents in the 客服数据 sheet (default 500)")
    p.add_argument("--forms", choices=("single", "tabs", "auto"), default="single",
                   help="appraisal forms: one sheet (single), a tab each (tabs), or auto (default single)")
    p.add_argument("--repeat", type=int, default=3, help="repetitions, each in fresh processes (default 3)")
    p.add_argument("--scheme", default="A", help='scheme: "A", "B", a JSON file, or "none" (default A)')
    p.add_argument("--days", type=int, default=0, help="daily rows: days per account (0: one monthly row per agent)")
    p.add_argument("--accounts", type=int, default=1, help="with --days: accounts per agent (default 1)")
    p.add_argument("--keep", metavar="DIR", help="write the input (and last output) workbook here and keep them")
    p.add_argument("--child", choices=("e2e", "phases"), help=argparse.SUPPRESS)
    p.add_argument("--input", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--launched-at", type=float, default=_T_WALL_START, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    return child_main(args) if args.child else parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
