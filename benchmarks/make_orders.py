#!/usr/bin/env python3
"""A big, realistic old-layout Taobao order export (订单报表) for the customer-archive benchmark.

    python benchmarks/make_orders.py [OUT.xlsx] [--rows 1000000] [--buyers N] [--seed 7]
                                     [--csv] [--cache DIR] [--no-cache]

One sheet ``ExportOrderList``, header in row 1 (the old layout, with 买家会员名 and the trailing
spaces of real exports: ``收货地址 ``, ``宝贝标题 ``), one order per row, newest first:

    订单编号 买家会员名 买家支付宝账号 买家应付货款 买家应付邮费 总金额 买家实际支付金额 订单状态 买家留言
    收货人姓名 收货地址  联系手机 订单创建时间 订单付款时间 宝贝标题  宝贝总数量 店铺名称 退款金额 确认收货时间

Value shapes as exports have them: 订单编号 19 digits as text (increasing with time), phones as
text (18212345678), addresses "省 市 区 街道 路号 (邮编)", times as text "2026-05-03 12:30:45"
over the 12 months before 2026-11-23 09:00 (with 双11 / 618 peaks), amounts as numbers.
订单状态 follows the order's age: the last days hold 等待买家付款 / 买家已付款，等待卖家发货 /
卖家已发货，等待买家确认, older orders are mostly 交易成功, some 交易关闭 (before payment: no
付款时间, 实付 0; after a full refund: 退款金额 = 实付); ~5 % of successful trades have a partial refund.

Buyers: every one of ``--buyers`` buyers (default 27 % of the rows, i.e. 270,000 for a million)
has at least one order, the remaining orders go to buyers drawn from a heavy-tailed
(log-normal, capped) popularity: for 1M rows about half the buyers order once, 1 % 40+ times,
the busiest ~190 times. The number of distinct buyers is exactly ``--buyers``. A buyer keeps one
name, phone, address and Alipay account.

Writing: XlsxWriter in constant_memory mode (rows streamed to a temp file; strings are written
inline, where Excel and Taobao's own exporter use a shared-string table — readers parse both).
A million rows take ~2.5 min (150 MB; 6 s of it making the data), so the file is cached:
``--cache DIR`` (default /tmp/xlreports-bench) keeps one file per (rows, buyers, seed, format,
generator version) and a later call with the same parameters reuses it. ``OUT`` (optional) gets a copy. ``--csv``
writes a GBK CSV instead (ids as ="…", as Taobao's CSV exports write them).

benchmarks/bench_archive.py runs this script in a child process (so that the benchmark's own
memory stays small), then reads the cached file's facts with :func:`ensure_export`.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

GENERATOR_VERSION = 2  # bump when the data changes, so cached files are rebuilt
DEFAULT_CACHE = Path("/tmp/xlreports-bench")
DEFAULT_SEED = 7
BUYER_SHARE = 0.27  # default buyers per row: 270,000 for 1,000,000 rows
END = "2026-11-23T09:00:00"  # the export was taken at 09:00 on the benchmark's "today"
DAYS = 365
SHOP = "小鱼服饰旗舰店"
SHEET = "ExportOrderList"

HEADER = ("订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "总金额", "买家实际支付金额",
          "订单状态", "买家留言", "收货人姓名", "收货地址 ", "联系手机", "订单创建时间", "订单付款时间", "宝贝标题 ",
          "宝贝总数量", "店铺名称", "退款金额", "确认收货时间")
NUMERIC = {"买家应付货款", "买家应付邮费", "总金额", "买家实际支付金额", "宝贝总数量", "退款金额"}

S_UNPAID = "等待买家付款"
S_PAID = "买家已付款，等待卖家发货"
S_SHIPPED = "卖家已发货，等待买家确认"
S_SUCCESS = "交易成功"
S_CLOSED = "交易关闭"

# --------------------------------------------------------------- vocabulary (all GBK-encodable)

_PLACES = {  # province → city → districts
    "浙江省": {"杭州市": ["西湖区", "上城区", "拱墅区", "余杭区", "滨江区", "萧山区"],
             "宁波市": ["海曙区", "江北区", "鄞州区", "北仑区"], "温州市": ["鹿城区", "龙湾区", "瑞安市"]},
    "江苏省": {"南京市": ["玄武区", "秦淮区", "鼓楼区", "江宁区"], "苏州市": ["姑苏区", "吴中区", "吴江区", "昆山市"],
             "无锡市": ["梁溪区", "滨湖区", "新吴区"]},
    "广东省": {"广州市": ["天河区", "越秀区", "海珠区", "白云区", "番禺区"], "深圳市": ["南山区", "福田区", "宝安区", "龙岗区"],
             "东莞市": ["南城街道", "东城街道", "长安镇"]},
    "上海": {"上海市": ["浦东新区", "徐汇区", "静安区", "闵行区", "杨浦区", "宝山区"]},
    "北京": {"北京市": ["朝阳区", "海淀区", "东城区", "丰台区", "昌平区"]},
    "山东省": {"济南市": ["历下区", "市中区", "槐荫区"], "青岛市": ["市南区", "崂山区", "黄岛区"]},
    "四川省": {"成都市": ["锦江区", "武侯区", "高新区", "成华区"], "绵阳市": ["涪城区", "游仙区"]},
    "湖北省": {"武汉市": ["江汉区", "武昌区", "洪山区", "江岸区"], "宜昌市": ["西陵区", "伍家岗区"]},
    "河南省": {"郑州市": ["金水区", "二七区", "中原区"], "洛阳市": ["洛龙区", "西工区"]},
    "福建省": {"福州市": ["鼓楼区", "台江区", "仓山区"], "厦门市": ["思明区", "湖里区", "集美区"]},
    "湖南省": {"长沙市": ["岳麓区", "芙蓉区", "天心区", "雨花区"]},
    "安徽省": {"合肥市": ["蜀山区", "包河区", "庐阳区"]},
    "河北省": {"石家庄市": ["长安区", "桥西区"], "保定市": ["竞秀区", "莲池区"]},
    "辽宁省": {"沈阳市": ["和平区", "沈河区", "浑南区"], "大连市": ["中山区", "甘井子区"]},
    "陕西省": {"西安市": ["雁塔区", "碑林区", "未央区"]},
}
_PROVINCE_WEIGHTS = {"浙江省": 12, "江苏省": 12, "广东省": 16, "上海": 8, "北京": 7, "山东省": 8, "四川省": 7,
                     "湖北省": 6, "河南省": 6, "福建省": 5, "湖南省": 4, "安徽省": 3, "河北省": 3, "辽宁省": 2, "陕西省": 2}
_STREET = ("文新街道", "城东街道", "南湖街道", "新华街道", "人民路街道", "高新街道", "长安街道", "西湖街道", "花园街道")
_ROAD = ("文一西路", "人民路", "解放路", "建设路", "中山路", "和平路", "学院路", "新华路", "幸福路", "青年路", "滨江路")
_ESTATE = ("阳光花园", "金色家园", "绿城小区", "万科城", "碧桂园", "世纪新城", "翠苑一区", "锦绣江南", "华府", "中央公馆")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玲婷雪梅琳晨宇欣怡子涵浩然思雨佳琪一诺文博嘉欣"
_NICK_WORDS = ("小鱼儿", "爱吃猫的鱼", "阳光宝贝", "快乐每一天", "jack", "sunny", "lemon", "木子", "糖果", "小小",
               "微笑", "晴天", "橙子", "星空", "lily", "tom", "七月", "安安", "花开", "云朵", "豆豆", "momo", "kiki")
_MAIL = ("163.com", "qq.com", "126.com", "sina.com", "hotmail.com")
_PHONE_PREFIX = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
                 "156", "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "183", "185", "186",
                 "187", "188", "189", "191", "198", "199")
_STYLE = ("2026春季新款", "2026夏季新款", "秋冬新款", "韩版", "宽松", "修身", "百搭", "ins风", "法式", "复古", "简约",
          "纯棉", "加厚", "显瘦", "休闲")
_ITEM = ("连衣裙", "T恤女", "衬衫", "半身裙", "牛仔裤", "阔腿裤", "针织开衫", "卫衣", "羽绒服", "毛呢大衣",
         "打底衫", "西装外套", "运动套装", "睡衣套装", "防晒衣", "风衣", "马甲", "毛衣", "短裤", "雪纺衫")
_EXTRA = ("", "", "女装", "小个子", "大码", "学生", "通勤", "两件套", "中长款", "短款")
_MESSAGES = ("请尽快发货，谢谢", "麻烦发顺丰", "送人的，不要放价格单", "颜色要和图片一样", "周末送货", "帮忙检查一下再发",
             "多送点小礼物吧", "尺码偏小的话换大一码", "收件人电话打不通请发短信", "不要发韵达")


# --------------------------------------------------------------- parameters and cache


def default_buyers(rows: int) -> int:
    return max(1, round(rows * BUYER_SHARE))


def cache_name(rows: int, buyers: int, seed: int, fmt: str) -> str:
    return f"orders_r{rows}_b{buyers}_s{seed}_v{GENERATOR_VERSION}.{fmt}"


def ensure_export(rows: int = 1_000_000, buyers: int | None = None, seed: int = DEFAULT_SEED, fmt: str = "xlsx",
                  cache: Path | str | None = DEFAULT_CACHE, log=print) -> tuple[Path, dict]:
    """(path, meta) of the export with these parameters, generated unless a cached one exists.

    ``meta`` says what the file holds (rows, distinct buyers, statuses …) and how long it took.
    With ``cache=None`` the file is written to a new temporary folder every time.
    """
    buyers = default_buyers(rows) if buyers is None else buyers
    if rows < 1 or buyers < 1 or buyers > rows:
        raise ValueError(f"need 1 <= buyers <= rows (rows={rows}, buyers={buyers})")
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"format must be xlsx or csv, not {fmt!r}")
    if cache is None:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="xlreports-orders."))
    else:
        folder = Path(cache)
        folder.mkdir(parents=True, exist_ok=True)
    path = folder / cache_name(rows, buyers, seed, fmt)
    meta_path = path.with_name(path.name + ".json")
    params = {"rows": rows, "buyers": buyers, "seed": seed, "format": fmt, "version": GENERATOR_VERSION}
    if path.exists() and meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        if meta.get("params") == params and meta.get("bytes") == path.stat().st_size:
            meta["cached"] = True
            return path, meta
    log(f"make_orders: generating {rows:,} orders / {buyers:,} buyers (seed {seed}) → {path} …")
    t0 = time.perf_counter()
    data, stats = generate(rows, buyers, seed)
    t_gen = time.perf_counter() - t0
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if fmt == "xlsx":
            write_xlsx(tmp, data)
        else:
            write_csv(tmp, data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    t_all = time.perf_counter() - t0
    meta = {"params": params, "bytes": path.stat().st_size, "generate_s": round(t_gen, 2),
            "write_s": round(t_all - t_gen, 2), **stats}
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    log(f"make_orders: {path.stat().st_size / 2**20:,.0f} MB in {t_all:.0f} s "
        f"(data {t_gen:.1f} s, writing {t_all - t_gen:.0f} s)")
    meta["cached"] = False
    return path, meta


# --------------------------------------------------------------- data


def _buyers(rng, n: int) -> dict[str, list[str]]:
    """Per buyer: 买家会员名 (unique), 支付宝, 收货人, 手机, 地址."""
    import numpy as np

    provinces = list(_PLACES)
    pw = np.array([_PROVINCE_WEIGHTS[p] for p in provinces], dtype=float)
    prov_idx = rng.choice(len(provinces), size=n, p=pw / pw.sum())
    r = rng.integers(0, 1 << 30, size=(n, 8)).tolist()
    phone_tail = rng.integers(0, 100_000_000, size=n).tolist()
    kinds = rng.choice(4, size=n, p=[0.35, 0.35, 0.2, 0.1]).tolist()
    nick, alipay, name, phone, address = [], [], [], [], []
    for i in range(n):
        a, b, c, d, e, f, g, h = r[i]
        k = kinds[i]
        # unique: every nickname carries the buyer number in some form
        if k == 0:
            nick.append(f"tb{(i * 7919 + 104729) % 10**9 + 10**9 * (a % 9 + 1)}")
        elif k == 1:
            nick.append(f"{_NICK_WORDS[a % len(_NICK_WORDS)]}{i:x}")
        elif k == 2:
            nick.append(f"{_SURNAMES[a % len(_SURNAMES)]}{_GIVEN[b % len(_GIVEN)]}_{i}")
        else:
            nick.append(f"{_NICK_WORDS[a % len(_NICK_WORDS)]}_{1980 + b % 30}_{i}")
        ph = f"{_PHONE_PREFIX[c % len(_PHONE_PREFIX)]}{phone_tail[i]:08d}"
        phone.append(ph)
        alipay.append(f"{ph[:3]}****{ph[-4:]}" if d % 3 else f"{chr(97 + d % 26)}{chr(97 + e % 26)}***@{_MAIL[e % 5]}")
        given = _GIVEN[e % len(_GIVEN)] + (_GIVEN[f % len(_GIVEN)] if f % 3 else "")
        name.append(_SURNAMES[b % len(_SURNAMES)] + given)
        prov = provinces[prov_idx[i]]
        cities = list(_PLACES[prov])
        city = cities[c % len(cities)]
        dists = _PLACES[prov][city]
        zipc = 100000 + (prov_idx[i] * 37 + c % 97) * 977 % 800000
        address.append(f"{prov} {city} {dists[g % len(dists)]} {_STREET[h % len(_STREET)]} "
                       f"{_ROAD[a % len(_ROAD)]}{1 + b % 399}号{_ESTATE[d % len(_ESTATE)]}{1 + e % 30}栋"
                       f"{1 + f % 4}单元{100 * (1 + g % 28) + 1 + h % 4}室 ({zipc:06d})")
    return {"nick": nick, "alipay": alipay, "name": name, "phone": phone, "address": address}


def _titles(rng, n: int = 240) -> list[str]:
    out, seen = [], set()
    while len(out) < n:
        a, b, c, d = rng.integers(0, 1 << 30, size=4).tolist()
        t = f"{_STYLE[a % len(_STYLE)]}{_EXTRA[c % len(_EXTRA)]}{_ITEM[b % len(_ITEM)]}"
        t = t + ("女" if d % 5 == 0 and not t.endswith("女") else "")
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def _text_times(np, seconds, valid) -> list[str]:
    """Epoch seconds → "YYYY-MM-DD HH:MM:SS" text, "" where not valid."""
    txt = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    txt = np.char.replace(txt, "T", " ")
    return np.where(valid, txt, "").tolist()


def generate(rows: int, buyers: int, seed: int) -> tuple[dict[str, list], dict]:
    """Column lists (header order, newest order first) and a summary of what they hold."""
    import numpy as np

    rng = np.random.default_rng(seed)
    people = _buyers(rng, buyers)

    # who: every buyer once, the rest drawn by a heavy-tailed popularity
    pop = rng.lognormal(0.0, 1.8, size=buyers)
    pop = np.minimum(pop, np.quantile(pop, 0.999))  # no reseller with thousands of orders
    extra = rng.choice(buyers, size=rows - buyers, p=pop / pop.sum()) if rows > buyers else np.empty(0, np.int64)
    who = np.concatenate([np.arange(buyers), extra])
    rng.shuffle(who)

    # when: 12 months before END, evening-heavy, with 双11 and 618 peaks
    end = np.datetime64(END, "s").astype(np.int64)
    start = end - DAYS * 86400
    day = rng.uniform(0, DAYS, size=rows)
    kind = rng.random(rows)
    d1111 = (np.datetime64("2026-11-11T00:00:00", "s").astype(np.int64) - start) / 86400
    d618 = (np.datetime64("2026-06-18T00:00:00", "s").astype(np.int64) - start) / 86400
    day = np.where(kind < 0.08, d1111 - rng.exponential(2.0, rows).clip(0, 10), day)
    day = np.where((kind >= 0.08) & (kind < 0.12), d618 - rng.exponential(2.0, rows).clip(0, 10), day)
    hour_w = np.array([2, 1, .5, .3, .2, .3, .8, 2, 3, 4, 5, 5, 5, 4.5, 4.5, 4.5, 4.5, 4.5, 5, 6, 8, 9, 8, 5])
    hours = rng.choice(24, size=rows, p=hour_w / hour_w.sum())
    created = start + np.floor(day).astype(np.int64) * 86400 + hours * 3600 + rng.integers(0, 3600, rows)
    created = np.minimum(created, end - rng.integers(60, 600, rows))
    order = np.argsort(-created, kind="stable")  # newest first, as exports list them
    created, who = created[order], who[order]
    age_days = (end - created) / 86400

    # ids: 19 digits, increasing with time
    steps = rng.integers(1_000_000, 5_000_000, size=rows)
    ids = (3_150_000_000_000_000_000 + np.cumsum(steps[::-1]))[::-1]

    # status by age
    u = rng.random(rows)
    status = np.full(rows, S_SUCCESS, dtype=object)
    fresh = age_days < 3
    status[fresh & (u < 0.15) & (age_days < 3)] = S_UNPAID
    status[fresh & (u >= 0.15) & (u < 0.40)] = S_PAID
    status[fresh & (u >= 0.40) & (u < 0.92)] = S_SHIPPED
    status[fresh & (u >= 0.92)] = S_CLOSED
    mid = (age_days >= 3) & (age_days < 15)
    status[mid & (u < 0.6)] = S_SHIPPED
    status[mid & (u >= 0.9)] = S_CLOSED
    old = age_days >= 15
    status[old & (u >= 0.88)] = S_CLOSED
    closed = status == S_CLOSED
    closed_unpaid = closed & (rng.random(rows) < 0.6)  # timed out before payment
    unpaid = (status == S_UNPAID) | closed_unpaid

    # what and how much
    qty = rng.choice([1, 1, 1, 1, 1, 1, 2, 2, 3, 4], size=rows)
    titles = _titles(rng)
    tw = 1.0 / np.arange(1, len(titles) + 1) ** 0.9
    title_idx = rng.choice(len(titles), size=rows, p=tw / tw.sum())
    price = np.round(rng.lognormal(np.log(89), 0.55, size=rows).clip(19.9, 1299), 0) - 0.1
    goods = np.round(price * qty, 2)
    post = np.where(rng.random(rows) < 0.85, 0.0, rng.choice([6.0, 8.0, 10.0, 12.0], size=rows))
    total = np.round(goods + post, 2)
    discount = np.where(rng.random(rows) < 0.35, np.round(total * rng.uniform(0.03, 0.15, rows), 0), 0.0)
    paid = np.round(total - discount, 2)
    actual = np.where(unpaid, 0.0, paid)
    refund = np.zeros(rows)
    refunded_closed = closed & ~closed_unpaid
    refund = np.where(refunded_closed, actual, refund)
    partial = (status == S_SUCCESS) & (rng.random(rows) < 0.05)
    refund = np.where(partial, np.round(actual * rng.uniform(0.1, 0.5, rows), 2), refund)

    # times
    paid_at = np.minimum(created + rng.integers(5, 1800, rows), end - 1)  # nothing after the export
    confirm_at = paid_at + rng.integers(3 * 86400, 10 * 86400, rows)
    success = status == S_SUCCESS
    confirm_at = np.where(success, np.minimum(confirm_at, end - 60), confirm_at)

    # remarks
    mr = rng.random(rows)
    msg_idx = rng.integers(0, len(_MESSAGES), rows)
    messages = np.where(mr < 0.08, np.array(_MESSAGES, dtype=object)[msg_idx], "")
    messages = np.where((mr >= 0.08) & (mr < 0.11), "null", messages)

    who_l = who.tolist()
    nick, alipay, name, phone, address = (people[k] for k in ("nick", "alipay", "name", "phone", "address"))
    refund_l = refund.round(2).tolist()
    data = {
        "订单编号": ids.astype(str).tolist(),
        "买家会员名": [nick[b] for b in who_l],
        "买家支付宝账号": [alipay[b] for b in who_l],
        "买家应付货款": goods.tolist(),
        "买家应付邮费": post.tolist(),
        "总金额": total.tolist(),
        "买家实际支付金额": actual.tolist(),
        "订单状态": status.tolist(),
        "买家留言": messages.tolist(),
        "收货人姓名": [name[b] for b in who_l],
        "收货地址 ": [address[b] for b in who_l],
        "联系手机": [phone[b] for b in who_l],
        "订单创建时间": _text_times(np, created, np.ones(rows, bool)),
        "订单付款时间": _text_times(np, paid_at, ~unpaid),
        "宝贝标题 ": [titles[t] for t in title_idx.tolist()],
        "宝贝总数量": qty.astype(float).tolist(),
        "店铺名称": [SHOP] * rows,
        "退款金额": refund_l,
        "确认收货时间": _text_times(np, confirm_at, success),
    }
    per_buyer = np.bincount(who, minlength=buyers)
    counts = {s: int((status == s).sum()) for s in (S_SUCCESS, S_CLOSED, S_SHIPPED, S_PAID, S_UNPAID)}
    stats = {"distinct_buyers": int((per_buyer > 0).sum()), "one_order_buyers": int((per_buyer == 1).sum()),
             "max_orders_per_buyer": int(per_buyer.max()), "statuses": counts,
             "refunds": int((refund > 0).sum()), "columns": len(HEADER)}
    return data, stats


# --------------------------------------------------------------- writers


def write_xlsx(path: Path, data: dict[str, list]) -> None:
    """XlsxWriter, constant_memory: one row at a time, no URL/formula/number sniffing of strings."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_urls": False,
                                         "strings_to_formulas": False, "strings_to_numbers": False})
    ws = wb.add_worksheet(SHEET)
    ws.write_row(0, 0, HEADER)
    cols = [data[h] for h in HEADER]
    numeric = [h in NUMERIC for h in HEADER]
    # typed write_string/write_number per column: ~13 % faster than write_row sniffing each cell
    write_string, write_number = ws.write_string, ws.write_number
    for r, row in enumerate(zip(*cols), start=1):
        for j, v in enumerate(row):
            if numeric[j]:
                write_number(r, j, v)
            elif v:  # an empty cell stays empty, as in exports
                write_string(r, j, v)
    wb.close()


def write_csv(path: Path, data: dict[str, list]) -> None:
    """GBK CSV as Taobao's ExportOrderList: ids as ="…" (unquoted), amounts with two decimals."""
    cols = [data[h] for h in HEADER]
    numeric = [h in NUMERIC for h in HEADER]
    qty = HEADER.index("宝贝总数量")

    def field(j: int, v) -> str:
        if numeric[j]:
            return str(int(v)) if j == qty else f"{v:.2f}"
        if j == 0:
            return f'="{v}"'
        if any(ch in v for ch in ',"\r\n'):
            return '"' + v.replace('"', '""') + '"'
        return v

    with open(path, "w", encoding="gbk", newline="") as f:
        f.write(",".join(HEADER) + "\r\n")
        for row in zip(*cols):
            f.write(",".join([field(j, v) for j, v in enumerate(row)]) + "\r\n")


# --------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", nargs="?", help="where to put a copy (default: just print the cached file's path)")
    p.add_argument("--rows", type=int, default=1_000_000, help="orders (default 1,000,000)")
    p.add_argument("--buyers", type=int,
                   help=f"distinct buyers (default {BUYER_SHARE * 100:.0f}%% of the rows: 270,000 for 1M)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--csv", action="store_true", help="write a GBK CSV instead of .xlsx")
    p.add_argument("--cache", default=str(DEFAULT_CACHE), help=f"cache folder (default {DEFAULT_CACHE})")
    p.add_argument("--no-cache", action="store_true", help="always generate (into a temporary folder)")
    args = p.parse_args(argv)
    fmt = "csv" if args.csv else "xlsx"
    if args.out and Path(args.out).suffix.lower() != f".{fmt}":
        p.error(f"OUT should end in .{fmt}" + (" (or drop --csv)" if args.csv else " (or add --csv for a CSV)"))
    try:
        path, meta = ensure_export(args.rows, args.buyers, args.seed, fmt, None if args.no_cache else args.cache)
    except ValueError as e:
        p.error(str(e))
    if meta.get("cached"):
        print(f"make_orders: reusing {path} ({path.stat().st_size / 2**20:,.0f} MB)")
    if args.out:
        out = Path(args.out)
        if out.resolve() != path.resolve():
            shutil.copyfile(path, out)
        print(out)
    else:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
