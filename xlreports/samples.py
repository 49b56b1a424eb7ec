"""A realistic sample shop workbook (fictional agents, fixed seed) for the demo, tests and benchmarks.

Sheets:
  客服数据  a 赤兔/千牛-style 客服 KPI export: 14 agents x 3 months (2026-08..2026-10), with the
           quirks of real exports (title row, blank row, two-row grouped header with merged cells,
           "→" and a trailing space in headers, numbers as text, a blank row in the middle,
           汇总值 / 平均值 summary rows at the bottom)
  客服名册  客服, 入职日期, 岗位, 级别, 工号
  说明      what this workbook is

The story (see samples/README.md): 小美 is best every month; 阿磊 is last every month and
falls below 35 points (scheme A) in 2026-09 and 2026-10; in 2026-10 some agents sit exactly
on scheme A band edges (客服-小雨: 询单 400 → 付款 300 = 75%; 阿杰: 平均响应 30 s;
橙子: 付款笔数/拍下笔数 = 230/250 = 92%; Sunny: 客单价 168.00/150.00 = 1.12 and
回复 990/1000 = 99%).

Deterministic: random.Random(20261023) gives the same cell values every time.
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

SEED = 20261023
MONTHS = ("2026-08", "2026-09", "2026-10")
SHOP_AOV = {"2026-08": 128.40, "2026-09": 136.20, "2026-10": 150.00}  # 店铺客单价, same for all agents
TITLE = "客服绩效数据 2026-08-01 ~ 2026-10-31（导出自赤兔）"

BEST, WORST = "小美", "阿磊"
EDGE_CONVERSION, EDGE_RESPONSE, EDGE_PAYMENT, EDGE_AOV = "客服-小雨", "阿杰", "橙子", "Sunny"

# name, 入职日期, 岗位, 级别
ROSTER = (
    ("小美", dt.date(2022, 3, 1), "售前", "高级"),
    ("阿杰", dt.date(2023, 7, 17), "售前", "中级"),
    ("客服-小雨", dt.date(2024, 2, 26), "售前", "中级"),
    ("Sunny", dt.date(2024, 9, 2), "售前", "中级"),
    ("橙子", dt.date(2025, 3, 10), "售前", "初级"),
    ("糖糖", dt.date(2023, 11, 6), "售前", "中级"),
    ("阿磊", dt.date(2025, 11, 10), "售前", "初级"),
    ("小鹿", dt.date(2024, 5, 20), "售后", "中级"),
    ("大伟", dt.date(2021, 8, 16), "售后", "高级"),
    ("七七", dt.date(2026, 5, 18), "售前", "初级"),
    ("木子", dt.date(2025, 6, 23), "售后", "初级"),
    ("安琪", dt.date(2024, 12, 2), "售前", "中级"),
    ("小宇", dt.date(2026, 7, 6), "售前", "初级"),
    ("果果", dt.date(2025, 8, 4), "售后", "初级"),
)
AGENTS = tuple(r[0] for r in ROSTER)

# (group, header as exported, key, width, number format). key None = 客服 (merged over both header rows).
COLUMNS = (
    (None, "客服", "agent", 12, None),
    ("基本信息", "月份", "month", 9, None),
    ("基本信息", "访问量", "visits", 10, "0"),
    ("询单->下单", "询单人数", "inquiries", 9, "0"),
    ("询单->下单", "下单人数", "ordered", 9, "0"),
    ("询单->下单", "拍下笔数", "placed", 9, "0"),
    ("下单->付款", "询单→最终付款人数", "paid", 18, "0"),
    ("下单->付款", "付款笔数", "orders_paid", 9, "0"),
    ("下单->付款", "成交笔数", "closed", 9, "0"),
    ("下单->付款", "退款笔数", "refunds", 9, "0"),
    ("下单->付款", "交易纠纷次数", "disputes", 12, "0"),
    ("客单价", "销售额 ", "sales", 13, "#,##0.00"),
    ("客单价", "客服客单价", "agent_aov", 11, "0.00"),
    ("客单价", "店铺客单价", "shop_aov", 11, "0.00"),
    ("客单价", "目标销售额", "target", 12, "#,##0"),
    ("客单价", "主推单品销售额", "featured", 14, "#,##0.00"),
    ("客单价", "主推单品目标", "featured_target", 12, "#,##0"),
    ("工作量", "接待人数", "received", 9, "0"),
    ("工作量", "回复人数", "replied", 9, "0"),
    ("工作量", "应答数", "replies", 8, "0"),
    ("工作量", "平均响应(s)", "response", 11, "0.0"),
    ("考勤与主管评分", "迟到早退次数", "late", 12, "0"),
    ("考勤与主管评分", "请假天数", "leave", 9, "0.0"),
    ("考勤与主管评分", "工作任务", "tasks", 9, "0"),
    ("考勤与主管评分", "工作态度", "attitude", 9, "0"),
    ("考勤与主管评分", "经验条数", "tips", 9, "0"),
)
# Scheme B's five supervisor scores (聊天记录抽查, exams, 工作总结) as a shop would type them, out of 10, 10, 5, 5, 5.
SUPERVISOR_COLUMNS = (
    ("主管评分（方案B）", "应答时间抽查", "chat_speed", 12, "0"),
    ("主管评分（方案B）", "服务态度抽查", "chat_manner", 12, "0"),
    ("主管评分（方案B）", "产品知识考试", "exam_product", 12, "0"),
    ("主管评分（方案B）", "岗位操作考试", "exam_operation", 12, "0"),
    ("主管评分（方案B）", "工作总结", "report", 9, "0"),
)
# Columns that add up in the 汇总值 row (the rest are rates, prices, scores or labels).
ADDITIVE = {"visits", "inquiries", "ordered", "placed", "paid", "orders_paid", "closed", "refunds",
            "disputes", "sales", "target", "featured", "featured_target", "received", "replied",
            "replies", "late", "leave"}
TEXT_COUNT_KEYS = ("inquiries", "received", "placed", "replied")  # candidates for ="123" cells

NOTES = (
    "本工作簿是 xlreports 的示例数据，由 samples/make_sample.py 以固定随机种子（20261023）生成。",
    "所有客服昵称、日期和数字均为虚构，不涉及真实人员或店铺。",
    "「客服数据」仿照赤兔/千牛导出：标题行、空行、两行分组表头、文本格式的数字、中间的空行，以及末尾的汇总值/平均值行。",
    "「客服名册」列出每位客服的入职日期、岗位（售前/售后）和级别（初级/中级/高级）。",
    "2026-10 有几位客服恰好落在评分区间的边界上（如询单转化率 75%、平均响应 30 秒），用于检验边界处理。",
)


def _agent_month(rng: random.Random, name: str, mi: int, month: str) -> dict:
    """One agent's month, numbers consistent with each other."""
    u = rng.uniform
    r = {"agent": name, "month": month}
    if name == BEST:
        conv, pay, ratio, reply, resp = u(0.81, 0.85), u(0.95, 0.975), u(1.14, 1.17), u(0.995, 1.0), u(18, 22)
        inq = rng.randint(1250, 1480)
        tasks, attitude, tips, late, leave = 10, 5, rng.randint(10, 12), 0, 0.0
        vis_conv, disputes = u(0.024, 0.03), 0
    elif name == WORST:  # slow, poor conversion, getting worse
        conv = (0.48, 0.44, 0.41)[mi] + u(-0.01, 0.005)
        pay = (0.86, 0.80, 0.78)[mi]
        ratio, reply, resp = u(1.01, 1.04), u(0.93, 0.94), (56.4, 58.8, 60.0)[mi]
        inq = rng.randint(320, 380)
        tasks, attitude, tips = (7, 6, 6)[mi], (4, 3, 3)[mi], rng.randint(0, 3)
        late, leave = (0, 1, 1)[mi], (0.0, 0.0, 1.0)[mi]
        vis_conv, disputes = u(0.007, 0.009), (0, 1, 2)[mi]
    else:
        conv, pay, ratio = u(0.52, 0.80), u(0.78, 0.97), u(1.00, 1.16)
        reply, resp = u(0.95, 1.0), u(24, 50)
        inq = rng.randint(300, 1500)
        tasks, attitude = rng.randint(6, 9), rng.randint(3, 5)
        tips = rng.randint(0, 12)
        tips = min(tips, 4 + 5 * (9 - tasks))  # keep task score + tip bonus below the best agent's
        late = rng.choice((0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3)) if rng.random() < 0.6 else 0
        leave = rng.choice((0.0,) * 8 + (0.5, 1.0, 1.5, 2.0))
        vis_conv = rng.choice((u(0.015, 0.03), u(0.015, 0.03), u(0.015, 0.03), u(0.01, 0.015)))
        disputes = rng.choice((0, 0, 0, 0, 0, 0, 1))
    # the 2026-10 band edges
    if month == "2026-10" and name == EDGE_CONVERSION:
        inq, conv = 400, 0.75
    paid = round(inq * conv)
    ordered = min(inq, round(paid / u(0.86, 0.96)))
    placed = round(ordered * u(1.05, 1.18))
    orders_paid = round(placed * pay)
    if month == "2026-10" and name == EDGE_PAYMENT:
        placed, orders_paid = 250, 230
    received = round(inq / u(0.55, 0.75))
    replied = round(received * reply)
    if month == "2026-10" and name == EDGE_AOV:
        received, replied = 1000, 990
    if month == "2026-10" and name == EDGE_RESPONSE:
        resp = 30.0
    shop_aov = SHOP_AOV[month]
    agent_aov = round(shop_aov * ratio, 2)
    if month == "2026-10" and name == EDGE_AOV:
        agent_aov = 168.00
    sales = round(paid * agent_aov * u(0.98, 1.03), 2)
    closed = orders_paid - rng.randint(0, 3)
    refund_rate = u(0.002, 0.009) if rng.random() < 0.6 else u(0.01, 0.025)
    if name == WORST:
        refund_rate = u(0.015, 0.03)
    refunds = round(closed * refund_rate)
    if name == BEST:
        target = int(sales / 1.12 // 1000 * 1000)  # always ≥ 110 % of target
    elif name == WORST:
        target = round(sales / u(0.70, 0.80), -3)
    else:
        target = round(sales * u(0.88, 1.12), -3)
    featured_target = round(sales * u(0.25, 0.35), -2)
    featured = round(featured_target * (u(1.0, 1.25) if name == BEST else u(0.70, 1.25)), 2)
    if name == WORST:
        featured = round(featured_target * u(0.6, 0.78), 2)
    replies = round(inq * (u(0.7, 0.8) if name == WORST else u(0.8, 1.1)))
    r.update(
        visits=round(closed / vis_conv), inquiries=inq, ordered=ordered, placed=placed, paid=paid,
        orders_paid=orders_paid, closed=closed, refunds=refunds, disputes=disputes, sales=sales,
        agent_aov=agent_aov, shop_aov=shop_aov, target=int(target), featured=featured,
        featured_target=int(featured_target), received=received, replied=replied, replies=replies,
        response=round(resp, 1), late=late, leave=leave, tasks=tasks, attitude=attitude, tips=tips,
    )
    return r


def build_rows(seed: int = SEED) -> list[dict]:
    """The 42 agent-month rows (month by month, agents in roster order)."""
    rng = random.Random(seed)
    return [_agent_month(rng, name, mi, month) for mi, month in enumerate(MONTHS) for name in AGENTS]


def _supervisor_scores(rows: list[dict], seed: int) -> None:
    """Scheme B's supervisor scores on every row: the best agent near full marks, the worst low, the rest between."""
    rng = random.Random(seed + 2)  # its own stream: the export's numbers stay as they are
    for r in rows:
        best, worst = r["agent"] == BEST, r["agent"] == WORST
        for (_, _, key, _, _), top in zip(SUPERVISOR_COLUMNS, (10, 10, 5, 5, 5)):
            low, high = (top, top) if best else (top // 2, top - 2) if worst else (top - (3 if top == 10 else 2), top)
            r[key] = rng.randint(low, high)


def _summary(rows: list[dict], columns=COLUMNS) -> tuple[dict, dict]:
    total = {"agent": "汇总值"}
    mean = {"agent": "平均值"}
    for _, _, key, _, _ in columns[2:]:
        vals = [r[key] for r in rows]
        if key in ADDITIVE:
            total[key] = round(sum(vals), 2)
        mean[key] = round(sum(vals) / len(vals), 2)
    return total, mean


def build_workbook(seed: int = SEED, supervisor_scores: bool = False) -> Workbook:
    """The sample workbook; ``supervisor_scores`` adds scheme B's five supervisor score columns, filled."""
    rng = random.Random(seed + 1)  # quirks, independent of the numbers
    rows = build_rows(seed)
    columns = COLUMNS + SUPERVISOR_COLUMNS if supervisor_scores else COLUMNS
    if supervisor_scores:
        _supervisor_scores(rows, seed)
    wb = Workbook()
    ws = wb.active
    ws.title = "客服数据"
    ncol = len(columns)
    last = get_column_letter(ncol)
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    group_fill = PatternFill("solid", fgColor="BDD7EE")
    thin = Side(style="thin", color="A6A6A6")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)

    # row 1 title, row 2 blank, rows 3-4 the grouped header
    ws["A1"] = TITLE
    ws["A1"].font = Font(bold=True, size=13)
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = 24
    ws["A3"] = "客服"
    ws.merge_cells("A3:A4")
    start = 2
    while start <= ncol:
        group = columns[start - 1][0]
        end = start
        while end < ncol and columns[end][0] == group:
            end += 1
        ws.cell(3, start, group)
        if end > start:
            ws.merge_cells(start_row=3, start_column=start, end_row=3, end_column=end)
        start = end + 1
    for ci, (_, header, _, width, _) in enumerate(columns, 1):
        if ci > 1:
            ws.cell(4, ci, header)
        ws.column_dimensions[get_column_letter(ci)].width = width
        for ri in (3, 4):
            c = ws.cell(ri, ci)
            c.font, c.alignment, c.border = bold, center, box
            c.fill = group_fill if ri == 3 else head_fill
    ws.row_dimensions[4].height = 30
    # prints like the export it imitates should: A4 landscape, two pages wide, the grouped header repeated
    ws.page_setup.paperSize, ws.page_setup.orientation = ws.PAPERSIZE_A4, "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 2, 0
    ws.print_title_rows, ws.print_title_cols = "3:4", "A:A"
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"

    # quirks: a few sales as "1,234.50" strings, a few counts as ="123", never on the band-edge rows
    edge_rows = {i for i, r in enumerate(rows) if r["month"] == "2026-10"
                 and r["agent"] in (EDGE_CONVERSION, EDGE_RESPONSE, EDGE_PAYMENT, EDGE_AOV)}
    free = [i for i in range(len(rows)) if i not in edge_rows]
    text_sales = set(rng.sample(free, 4))
    text_counts = {(i, rng.choice(TEXT_COUNT_KEYS)) for i in rng.sample(free, 3)}
    blank_after = len(rows) // 2  # a blank row in the middle of the data (inside the 2026-09 block)

    ri = 5
    for i, r in enumerate(rows):
        if i == blank_after:
            ri += 1
        for ci, (_, _, key, _, fmt) in enumerate(columns, 1):
            value = r[key]
            c = ws.cell(ri, ci)
            if key == "sales" and i in text_sales:
                c.value = f"{value:,.2f}"
            elif (i, key) in text_counts:
                c.value = f'="{value}"'
                c.data_type = "s"  # text as exported, not a formula
            else:
                c.value = value
                if fmt and isinstance(value, (int, float)):
                    c.number_format = fmt
        ri += 1
    money = ("sales", "featured", "target", "featured_target")
    for is_mean, r in enumerate(_summary(rows, columns)):
        for ci, (_, _, key, _, fmt) in enumerate(columns, 1):
            if key in r:
                c = ws.cell(ri, ci, r[key])
                c.font = bold
                if ci > 2:
                    c.number_format = ("#,##0.00" if key in money else "0.00") if is_mean else fmt
        ri += 1

    # 客服名册
    roster = wb.create_sheet("客服名册")
    for ci, (header, width) in enumerate((("客服", 12), ("入职日期", 12), ("岗位", 8), ("级别", 8), ("工号", 9)), 1):
        c = roster.cell(1, ci, header)
        c.font, c.alignment, c.fill, c.border = bold, center, head_fill, box
        roster.column_dimensions[get_column_letter(ci)].width = width
    for ri, (name, hired, post, level) in enumerate(ROSTER, 2):
        roster.cell(ri, 1, name)
        roster.cell(ri, 2, hired).number_format = "yyyy-mm-dd"
        roster.cell(ri, 3, post)
        roster.cell(ri, 4, level)
        roster.cell(ri, 5, f"KF{1000 + ri - 1}")  # 工号, printed on the forms

    # 说明
    notes = wb.create_sheet("说明")
    notes.column_dimensions["A"].width = 110
    notes["A1"] = "说明"
    notes["A1"].font = Font(bold=True, size=13)
    for ri, line in enumerate(NOTES, 2):
        notes.cell(ri, 1, line).alignment = Alignment(wrap_text=True, vertical="top")

    fixed = dt.datetime(2026, 11, 1, 9, 0, 0)
    wb.properties.creator = "xlreports samples/make_sample.py"
    wb.properties.title = "客服绩效数据示例"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    return wb


def build_sample(path, seed: int = SEED, supervisor_scores: bool = False) -> Path:
    """Write the sample workbook to ``path`` and return it (``supervisor_scores``: see ``build_workbook``).

    >>> import tempfile, pathlib
    >>> p = build_sample(pathlib.Path(tempfile.mkdtemp()) / "s.xlsx")
    >>> p.exists()
    True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_workbook(seed, supervisor_scores).save(path)
    return path


# ---------------------------------------------------------------- order exports for the archive demo

ORDER_HEADER = ("订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "总金额", "买家实际支付金额",
                "订单状态", "买家留言", "收货人姓名", "收货地址 ", "运送方式", "联系手机", "订单创建时间", "订单付款时间 ",
                "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司", "订单备注", "宝贝总数量", "店铺名称", "退款金额",
                "确认收货时间")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = ("芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "艳", "勇", "杰", "娟", "涛", "明", "超", "霞", "平")
_PLACES = (("江苏省", "苏州市", "吴江区"), ("浙江省", "杭州市", "西湖区"), ("广东省", "深圳市", "南山区"),
           ("上海", "上海市", "浦东新区"), ("北京", "北京市", "朝阳区"), ("四川省", "成都市", "武侯区"),
           ("湖北省", "武汉市", "洪山区"), ("山东省", "青岛市", "市南区"))
_PRODUCTS = (("2026秋冬新款羊毛针织开衫女", 268.0), ("纯棉宽松圆领T恤", 79.0), ("高腰直筒牛仔裤", 159.0),
             ("加厚连帽卫衣", 189.0), ("真丝印花连衣裙", 459.0), ("羽绒服短款", 699.0), ("羊绒围巾", 329.0))
SHOP = "小美的衣橱"


def sample_scheme(code: str):
    """A built-in scheme with the sample shop's name as its 店铺名称, as the demo writes it into 考核方案.

    >>> sample_scheme("B").shop
    '小美的衣橱'
    """
    from dataclasses import replace

    from xlreports.rules.scheme_files import builtin_scheme

    return replace(builtin_scheme(code), shop=SHOP)


def _order_rows(rng: random.Random, start: dt.datetime, end: dt.datetime, n: int, buyers: list[str],
                first_id: int) -> list[dict]:
    rows = []
    span = (end - start).total_seconds()
    for k in range(n):
        buyer = rng.choice(buyers[: max(3, int(len(buyers) * rng.random() ** 0.6))])
        created = start + dt.timedelta(seconds=int(rng.random() * span))
        product, price = rng.choice(_PRODUCTS)
        qty = rng.choice((1, 1, 1, 2))
        amount = round(price * qty, 2)
        age_days = (end - created).days
        status = ("交易成功" if age_days > 12 else rng.choice(("卖家已发货，等待买家确认", "买家已付款，等待卖家发货", "交易成功")))
        roll = rng.random()
        if roll < 0.06:
            status = "交易关闭"
        elif roll < 0.10 and age_days < 4:
            status = "等待买家付款"
        paid = None if status == "等待买家付款" or (status == "交易关闭" and roll < 0.03) else \
            created + dt.timedelta(minutes=rng.randint(1, 90))
        refund = round(amount * 0.5, 2) if status == "交易成功" and rng.random() < 0.04 else 0.0
        province, city, district = rng.choice(_PLACES)
        seed_name = sum(ord(c) for c in buyer)
        receiver = _SURNAMES[seed_name % len(_SURNAMES)] + _GIVEN[seed_name % len(_GIVEN)]
        rows.append({
            "订单编号": f'="{first_id + k}"', "买家会员名": buyer, "买家支付宝账号": "'null",
            "买家应付货款": f"{amount:.2f}", "买家应付邮费": "0.00", "总金额": f"{amount:.2f}",
            "买家实际支付金额": f"{amount:.2f}" if paid else "0.00", "订单状态": status,
            "买家留言": rng.choice(("'null", "'null", "请尽快发货", "不要放快递柜")),
            "收货人姓名": receiver, "收货地址 ": f"{province} {city} {district} 幸福路{seed_name % 300 + 1}号",
            "运送方式": "快递", "联系手机": f"'1{rng.choice('3578')}{seed_name % 10}{seed_name * 7919 % 100000000:08d}",
            "订单创建时间": created.strftime("%Y-%m-%d %H:%M:%S"),
            "订单付款时间 ": paid.strftime("%Y-%m-%d %H:%M:%S") if paid else "",
            "宝贝标题 ": product, "宝贝种类 ": "1", "物流单号 ": "", "物流公司": "",
            "订单备注": "'null", "宝贝总数量": str(qty), "店铺名称": SHOP, "退款金额": f"{refund:.2f}",
            "确认收货时间": (created + dt.timedelta(days=7)).strftime("%Y-%m-%d %H:%M:%S")
            if status == "交易成功" else "",
        })
    return rows


def build_order_exports(folder, seed: int = SEED) -> list[Path]:
    """Two Taobao order exports (fictional buyers) for the archive demo, in ``folder``:
    ExportOrderList_202610.csv (GBK, 2026-05 … 2026-10) and ExportOrderList_202611.csv (2026-10-20 …
    2026-11-22, repeating late-October orders with newer statuses, as real consecutive exports do).

    >>> import tempfile, pathlib
    >>> [p.name for p in build_order_exports(pathlib.Path(tempfile.mkdtemp()))]
    ['ExportOrderList_202610.csv', 'ExportOrderList_202611.csv']
    """
    import csv

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    buyers = [f"tb_{rng.choice(('sunny', 'xiaomei', 'cat', 'lucky', 'momo', 'anna'))}{i:03d}" for i in range(160)]
    buyers[17] = "=cmd|' /C calc'!A0"  # text from outside is data: it must stay a name, never a formula
    october = _order_rows(rng, dt.datetime(2026, 5, 1), dt.datetime(2026, 10, 31, 23), 420, buyers, 3268100000000000000)
    november = _order_rows(rng, dt.datetime(2026, 11, 1), dt.datetime(2026, 11, 22, 20), 90, buyers,
                           3268200000000000000)
    # Late-October orders appear again in the November export, now completed.
    repeated = [dict(r, 订单状态="交易成功") for r in october if r["订单创建时间"] >= "2026-10-20"
                and r["订单状态"] in ("卖家已发货，等待买家确认", "买家已付款，等待卖家发货")]
    paths = []
    for name, rows in (("ExportOrderList_202610.csv", october), ("ExportOrderList_202611.csv", repeated + november)):
        path = folder / name
        with open(path, "w", encoding="gbk", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=ORDER_HEADER)
            writer.writeheader()
            writer.writerows(rows)
        paths.append(path)
    return paths
