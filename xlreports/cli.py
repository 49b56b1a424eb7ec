"""The ``xlreports`` command: init, appraise, demo, scheme export.

Exit codes: 0 success; 2 bad input or a file that can't be read or written (the problems are
listed, in Chinese); 1 an unexpected error.

>>> main(["--version"])
xlreports 0.1.0
0
"""
from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from xlreports import __version__
from xlreports.errors import InputErrors, XlreportsError, os_problem
from xlreports.jobs.timing import phase_listener
from xlreports.progress import ARCHIVE_PHASES, PhaseProgress

SUMMARY_LIMIT = 30  # larger teams: the table shows the top and bottom of the ranking


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="xlreports", description="客服绩效考核、工资表与客户档案，写成可打印、会自动重算的 Excel 表。")
    p.add_argument("--version", action="store_true", help="显示版本")
    sub = p.add_subparsers(dest="command")

    a = sub.add_parser("appraise", help="计算一个月的考核表、考核汇总和工资表")
    a.add_argument("book", help="店铺工作簿（.xlsx/.xlsm），或一个客服数据 .csv")
    a.add_argument("--month", help="考核月份，如 2026-10（默认：数据中最近的月份）")
    a.add_argument("--scheme", help="A、B 或方案文件 .json（默认：工作簿中的「考核方案」，没有则写入 A）")
    a.add_argument("--sheet", default="客服数据", help="客服数据所在的工作表（默认：客服数据）")
    a.add_argument("--lang", choices=["zh", "en"], default="zh", help="表格语言（默认中文）")
    a.add_argument("--forms", choices=["auto", "tabs", "single"], default="auto",
                   help="tabs：每个客服一张表；single：所有考核表在一张表中分页；auto：30 人以内用 tabs")
    _output_options(a, "保护生成的表（无密码）：只有黄色输入格可填写，公式不会被误改；仍可排序、筛选、调整格式")

    r = sub.add_parser("archive", help="由订单导出重建客户档案、会员分层、客户分群、关怀提醒和售后登记")
    r.add_argument("book", help="店铺工作簿（.xlsx/.xlsm）；不存在时新建")
    r.add_argument("--orders", nargs="+", default=[], metavar="FILE_OR_DIR",
                   help="订单导出（.xlsx/.xls/.csv，UTF-8 或 GBK），或存放导出的文件夹；工作簿中以「订单」开头的表也会读取")
    r.add_argument("--today", help="按哪一天计算关怀提醒，如 2026-11-23（默认：今天）")
    r.add_argument("--no-mask", action="store_true", help="输出完整电话和地址（仅供店主自用，请勿外传）")
    r.add_argument("--templates", help="本店话术模板文件夹（<场景>.j2），同名模板优先")
    r.add_argument("--shop", help="店铺名称（默认取订单中的店铺名称）")
    _output_options(r, "保护生成的表（无密码，售后登记除外）：只有黄色输入格可填写；仍可排序、筛选、调整格式")
    r.add_argument("-q", "--quiet", action="store_true", help="不显示进度条（运行超过 2 秒时在终端上显示）")

    k = sub.add_parser("kpi", help="由聊天记录和订单计算客服数据（询单、响应、归因），写入「客服数据-聊天」等表")
    k.add_argument("book", help="店铺工作簿（.xlsx/.xlsm）；不存在时新建")
    k.add_argument("--chats", nargs="+", default=[], metavar="FILE_OR_DIR",
                   help="聊天记录：千牛复制的 .txt、表格 .xlsx/.csv，或存放它们的文件夹；工作簿中的「聊天记录」表也会读取")
    k.add_argument("--orders", nargs="+", default=[], metavar="FILE_OR_DIR",
                   help="订单导出（.xlsx/.xls/.csv），或存放导出的文件夹；工作簿中以「订单」开头的表也会读取")
    k.add_argument("--month", help="统计月份，如 2026-10（默认：聊天记录中最近的月份）")
    _output_options(k, "保护生成的表（无密码）：只有黄色输入格可填写；仍可排序、筛选、调整格式")

    i = sub.add_parser("init", help="把考核方案写入工作簿的「考核方案」表")
    i.add_argument("book", help="工作簿；不存在时新建（附带一张空的客服数据表）")
    i.add_argument("--scheme", default="A", help="A、B 或方案文件 .json（默认 A）")
    i.add_argument("--replace", action="store_true",
                   help="工作簿中已有不同的「考核方案」时替换它（原表改名保留为「考核方案(旧 日期)」）")
    i.add_argument("--no-backup", action="store_true", help="不保留原文件的备份")

    d = sub.add_parser("demo", help="生成示例工作簿并计算 2026-08 至 2026-10 三个月")
    d.add_argument("--dir", default="xlreports-demo", help="输出目录（默认 ./xlreports-demo）")
    d.add_argument("--scheme", default="A", help="A 或 B（默认 A）")

    s = sub.add_parser("scheme", help="考核方案文件")
    ssub = s.add_subparsers(dest="scheme_command")
    e = ssub.add_parser("export", help="把工作簿中的「考核方案」表导出为 .json 文件")
    e.add_argument("book")
    e.add_argument("file")

    x = sub.add_parser("addin", help="Excel 加载项（功能区按钮，通过 xlwings 调用本程序）")
    xsub = x.add_subparsers(dest="addin_command")
    xb = xsub.add_parser("build", help="由 workbook_macros/ 生成 xlreports.xlam（以及 xlreports.xlsm）")
    xb.add_argument("-o", "--out", default="xlreports-addin", help="输出目录（默认 ./xlreports-addin）")
    xb.add_argument("--vba-bin", metavar="FILE",
                    help="使用由 Excel 保存的 vbaProject.bin（或含它的 .xlsm/.xlam），先核对其模块与源文件一致")
    xb.add_argument("--no-xlsm", action="store_true", help="只生成 .xlam")
    xi = xsub.add_parser("install", help="把加载项装入 Excel（Windows/macOS，通过 xlwings addin install）")
    xi.add_argument("--file", help="已生成的 .xlam（默认：先生成到用户目录）")
    xi.add_argument("--vba-bin", metavar="FILE", help="生成时使用由 Excel 保存的 vbaProject.bin")
    return p


def _output_options(parser, protect_help: str) -> None:
    """-o, --protect and --no-backup: how a job that writes generated sheets writes them."""
    parser.add_argument("-o", "--out", help="写入新文件，不改动原工作簿")
    parser.add_argument("--protect", action="store_true", help=protect_help)
    parser.add_argument("--no-backup", action="store_true", help="不保留原文件的备份")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    if args.version:
        print(f"xlreports {__version__}")
        return 0
    try:
        if args.command == "appraise":
            return _appraise(args)
        if args.command == "archive":
            return _archive(args)
        if args.command == "init":
            return _init(args)
        if args.command == "kpi":
            return _kpi(args)
        if args.command == "demo":
            return _demo(args)
        if args.command == "scheme" and args.scheme_command == "export":
            return _export(args)
        if args.command == "addin" and args.addin_command in ("build", "install"):
            return _addin(args)
        _parser().print_help()
        return 2
    except InputErrors as e:
        print(f"发现 {len(e.problems)} 个问题，未写入任何文件：", file=sys.stderr)
        for p in e.problems:
            print(f"  - {p}", file=sys.stderr)
        return 2
    except XlreportsError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    except OSError as e:  # the system refused (disk, permission, network share): a message, not a bug
        print(f"错误：{os_problem(e, e.filename or '工作簿')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断，未写入任何文件。", file=sys.stderr)
        return 130
    except Exception:  # a bug: say so plainly, keep the trace for the report
        traceback.print_exc()
        print("xlreports 内部错误（工作簿未被修改）。请把以上信息反馈给开发者。", file=sys.stderr)
        return 1


def _appraise(args) -> int:
    from xlreports.jobs.appraise import AppraiseOptions, appraise

    report = appraise(args.book, AppraiseOptions(month=args.month, scheme=args.scheme, sheet=args.sheet,
                                                 out=args.out, lang=args.lang, forms=args.forms,
                                                 backup=not args.no_backup, protect=args.protect))
    _print_report(report, args.lang)
    return 0


def _print_report(report, lang: str = "zh") -> None:
    from xlreports.layout.labels import Labels
    from xlreports.layout.localize import Translator

    en = lang == "en"
    agents = sorted(report.result.agents, key=lambda a: (a.rank, a.agent.name))
    kept = {a.agent.name for a in agents} | {report.result.scheme.name, "考核方案", "考核历史", "客服数据", "客服名册"}
    tr = Translator(Labels(lang), kept) if en else None
    say = tr.text if en else str
    for m in report.messages:
        print(("Info: " if en else "提示：") + say(m))
    for w in report.warnings:
        print(("Note: " if en else "注意：") + (tr.problem(w) if en else str(w)))
    scheme = report.result.scheme
    print(f"\n{report.result.month} results (scheme {scheme.code}: {scheme.name}, {len(agents)} agents)" if en else
          f"\n{report.result.month} 考核结果（方案 {scheme.code}：{scheme.name}，{len(agents)} 人）")
    rows = agents if len(agents) <= SUMMARY_LIMIT else agents[:10] + [None] + agents[-5:]
    head = ["排名", "客服", "总分", "绩效工资", "应发合计", "预警"]
    print(_table([Labels(lang)(h) for h in head],
                 [["…", f"({len(agents)} in all)" if en else f"（共 {len(agents)} 人）", "", "", "", ""] if a is None else
                  [a.rank, a.agent.name, f"{a.total:.2f}", f"{a.perf_pay:,.2f}", f"{a.gross:,.2f}",
                   say(" ".join(a.flags))]
                  for a in rows]))
    print(f"\n{'Written' if en else '已写入'}：{report.output}".replace("：", ": " if en else "："))
    if report.backup:
        print(f"{'Backup of the original' if en else '原文件备份'}：{report.backup}".replace("：", ": " if en else "："))


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _table(header: list[str], rows: list[list[object]]) -> str:
    """A plain-text table that lines up Chinese (double-width) characters."""
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(_width(r[j]) for r in cells) for j in range(len(header))]
    lines = []
    for k, r in enumerate(cells):
        lines.append("  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _archive(args) -> int:
    from datetime import date

    from xlreports.jobs.archive import ArchiveOptions, archive

    today = None
    if args.today:
        try:
            today = date.fromisoformat(args.today)
        except ValueError:
            raise XlreportsError(f"日期「{args.today}」的格式不对，应为 2026-11-23 这样的年-月-日") from None
    options = ArchiveOptions(orders=args.orders, today=today, out=args.out, mask=not args.no_mask,
                             backup=not args.no_backup, templates=args.templates, shop=args.shop, protect=args.protect)
    with PhaseProgress(sys.stderr, ARCHIVE_PHASES, enabled=not args.quiet) as bar, phase_listener(bar.done):
        report = archive(args.book, options)
    _print_archive(report)
    return 0


def _print_archive(report) -> None:
    for m in report.messages:
        print(f"提示：{m}")
    if report.skipped:
        print(f"注意：跳过 {report.skipped} 行有问题的订单，详见「导入报告」；例如：")
        for w in report.warnings[:5]:
            print(f"  - {w}")
    print(_table(["订单", "买家", "会员", "保留的原档案", "今日提醒"],
                 [[f"{report.orders:,}", f"{report.buyers:,}", f"{report.members:,}", f"{report.kept_absent:,}",
                   f"{report.reminders:,}"]]))
    print(f"\n已写入：{report.output}（{'、'.join(report.sheets)}）")
    if report.backup:
        print(f"原文件备份：{report.backup}")


def _kpi(args) -> int:
    from xlreports.jobs.kpi import KpiOptions, kpi

    report = kpi(args.book, KpiOptions(chats=args.chats, orders=args.orders, month=args.month, out=args.out,
                                       backup=not args.no_backup, protect=args.protect))
    for m in report.messages:
        print(f"提示：{m}")
    for w in report.warnings:
        print(f"注意：{w}")
    if report.skipped:
        print("跳过：" + "，".join(f"{reason} {n:,} 行" for reason, n in report.skipped.most_common()))
    print(f"读取消息 {report.messages_read:,} 条，订单 {report.orders_read:,} 笔；{report.month} 客服数据：")
    print(_table(["客服", "接待人数", "询单人数", "最终付款人数", "客服销售额", "平均响应(秒)"],
                 [[r["客服"], r["接待人数"], r["询单人数"], r["最终付款人数"], f"{r['客服销售额']:,.2f}",
                   "" if r["平均响应时间"] is None else f"{r['平均响应时间']:.1f}"] for r in report.rows]))
    print(f"\n已写入：{report.output}（{'、'.join(report.sheets)}）")
    if report.backup:
        print(f"原文件备份：{report.backup}")
    print("运行 xlreports appraise 时，「客服数据-聊天」与「客服数据」一起读取。")
    return 0


def _init(args) -> int:
    from xlreports.jobs.init import init_book

    done = init_book(args.book, args.scheme, backup=not args.no_backup, replace=args.replace)
    if not done.written:
        print(f"「考核方案」已是方案 {args.scheme}，未改动：{done.path}")
        return 0
    print(f"已{'新建工作簿并' if done.created else ''}写入「考核方案」：{done.path}")
    if done.kept_as:
        print(f"原来的考核方案已改名保留为「{done.kept_as}」")
    if done.backup:
        print(f"原文件备份：{done.backup}")
    print("在 Excel 中修改「考核方案」里的阈值、得分和权重，然后运行：xlreports appraise " + str(done.path))
    return 0


def _demo(args) -> int:
    from xlreports.jobs.appraise import AppraiseOptions, appraise
    from xlreports.jobs.init import init_book
    from xlreports.samples import build_sample, sample_scheme

    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    book = folder / "shop_sample.xlsx"
    # The shop's own 考核方案 (店铺名称 filled) before the first month; scheme B's demo has its supervisor scores.
    build_sample(book, supervisor_scores=args.scheme.upper() == "B")
    init_book(book, sample_scheme(args.scheme.upper()), backup=False)
    print(f"示例工作簿：{book}（14 名客服，2026-08 至 2026-10 的赤兔导出数据）")
    report = None
    for month in ("2026-08", "2026-09", "2026-10"):
        report = appraise(book, AppraiseOptions(month=month, backup=False))
        print(f"  {month}：已计算 {len(report.result.agents)} 人")
    _print_report(report)

    from datetime import date

    from xlreports.jobs.archive import ArchiveOptions, archive
    from xlreports.samples import build_order_exports

    exports = folder / "订单导出"
    build_order_exports(exports)
    print(f"\n示例订单导出：{exports}（两个月的淘宝订单报表，GBK 编码 CSV）")
    _print_archive(archive(book, ArchiveOptions(orders=[exports], today=date(2026, 11, 23), backup=False)))
    print("\n用 Excel 或 WPS 打开上面的文件：考核汇总、工资表和每位客服的考核表，以及客户档案、会员分层、"
          "客户分群、关怀提醒都在里面；在黄色单元格中填写，总分和工资会自动重算，重建客户档案时填写的内容会保留。")
    _demo_chats(folder)
    return 0


def _demo_chats(folder: Path) -> None:
    """The demo's chat records and matching orders, and the commands that turn them into an appraisal."""
    from xlreports.samples_chats import build_chat_samples

    files = build_chat_samples(folder / "聊天记录")
    book = folder / "chat_sample.xlsx"
    arg = lambda p: f'"{p}"' if " " in str(p) else str(p)  # noqa: E731
    print(f"\n示例聊天记录：{files['text']}（千牛复制的文本）、{files['table']}（同样的聊天，表格）；"
          f"对应的订单导出：{files['orders']}")
    print("没有 KPI 导出时，由聊天记录和订单计算客服数据（询单、响应、归因），再按方案 B 考核：")
    print(f"  xlreports init {arg(book)} --scheme B")
    print(f"  xlreports kpi {arg(book)} --chats {arg(files['text'])} --orders {arg(files['orders'])}")
    print(f"  xlreports appraise {arg(book)} --month 2026-10")


def _export(args) -> int:
    from xlreports.rules.scheme_files import save_scheme_file
    from xlreports.rules.scheme_rows import SHEET_NAME, parse_scheme_rows
    from xlreports.rules.scheme_check import check_scheme
    from xlreports.errors import raise_if_errors
    from xlreports.excel.read.source import read_sheet_rows

    rows = read_sheet_rows(args.book, SHEET_NAME)
    parsed = parse_scheme_rows(rows.rows, rows.sheet)
    raise_if_errors(check_scheme(parsed.scheme, parsed.refs))
    save_scheme_file(parsed.scheme, args.file)
    print(f"已导出：{args.file}")
    return 0


def _addin(args) -> int:
    from xlreports.addin import build as addin_build
    if args.addin_command == "install" and args.file:
        return addin_build.install(args.file)
    out = args.out if args.addin_command == "build" else addin_build.default_build_dir()
    result = addin_build.build(out, vba_bin=args.vba_bin, xlsm=not getattr(args, "no_xlsm", False))
    how = f"VBA 工程取自 {args.vba_bin}，已核对与源文件一致" if result.project == "vba-bin" else "VBA 工程由源文件编译"
    print(f"已生成加载项：{result.xlam}（{how}；模块 {'、'.join(result.modules)}）")
    if result.xlsm:
        print(f"同内容的 .xlsm：{result.xlsm}")
    if args.addin_command == "install":
        return addin_build.install(result.xlam)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
