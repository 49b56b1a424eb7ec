"""A month of the demo shop's chats (as a 聊天记录 table and as 千牛 copied text) and the matching orders.

Besides ordinary conversations it holds one of each case the rules must get right (DOMAIN §12):
auto-replies (【自动回复】), a conversation across midnight, a buyer who orders with no chat (静默), a
buyer served by two agents, an order placed after the 48-hour look-back window, and a 售后 chat after
an order. ``chat_month`` scales to the benchmark's 300,000 messages.

>>> msgs, orders = chat_month(conversations=40)
>>> {m.buyer for m in msgs} >= {"tb_two_agents", "tb_midnight", "tb_late", "tb_aftersales"}, len(orders) > 10
(True, True)
>>> any(m.content.startswith("【自动回复】") for m in msgs), "tb_silent" in {o["买家会员名"] for o in orders}
(True, True)
"""
from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from xlreports.model.chats import ChatMessage

SHOP = "小美的衣橱"
SEED = 20261031
PRESALES = ("小美", "阿杰", "客服-小雨", "Sunny", "橙子", "糖糖")
AFTERSALES = "小鹿"
ORDER_HEADER = ("订单编号", "买家会员名", "订单创建时间", "订单付款时间", "买家实际支付金额", "退款金额", "订单状态", "店铺名称")
_ASK = ("在吗", "这件有M码吗", "什么时候发货", "能便宜点吗", "面料是纯棉的吗", "我身高165穿什么码", "有优惠券吗")
_ANSWER = ("在的亲，请问有什么可以帮您", "有的亲，M码有货", "今天下单明天发货哦", "亲，现在有满减活动", "是纯棉的哦",
           "建议您选M码", "可以领店铺券减10元")
_PRICES = (79.0, 159.0, 189.0, 268.0, 459.0)


def account(name: str) -> str:
    """A sub-account as 千牛 writes it: "店铺名:子账号"."""
    return f"{SHOP}:{name}"


def chat_month(seed: int = SEED, conversations: int = 600, month: str = "2026-10",
               agents: tuple[str, ...] = PRESALES, order_rate: float = 0.45) -> tuple[list[ChatMessage], list[dict]]:
    """``conversations`` ordinary conversations spread over ``month`` plus the special cases; the orders
    (one row per order as an export has it, see ORDER_HEADER). Deterministic for a seed."""
    rng = random.Random(seed)
    year, mon = int(month[:4]), int(month[5:7])
    days = (dt.date(year + mon // 12, mon % 12 + 1, 1) - dt.date(year, mon, 1)).days
    msgs: list[ChatMessage] = []
    orders: list[dict] = []
    for k in range(conversations):
        agent = account(agents[k % len(agents)])
        buyer = f"tb_buyer{rng.randrange(conversations // 2 + 1):05d}"
        start = dt.datetime(year, mon, 1 + rng.randrange(days), 8 + rng.randrange(15), rng.randrange(60), rng.randrange(60))
        end = _conversation(rng, msgs, agent, buyer, start, turns=1 + rng.randrange(4), auto=rng.random() < 0.3)
        if rng.random() < order_rate:
            created = end + dt.timedelta(minutes=rng.choice((-2, 3, 30, 600, 1500)))
            orders.append(_order(rng, f"{seed % 1000:03d}{k:09d}", buyer, created))
    _special_cases(msgs, orders, year, mon)
    msgs.sort(key=lambda m: (m.time, m.agent, m.buyer, m.from_buyer))
    return msgs, orders


def _conversation(rng: random.Random, msgs: list, agent: str, buyer: str, start: dt.datetime, turns: int,
                  auto: bool = False) -> dt.datetime:
    t = start
    for turn in range(turns):
        for _ in range(1 + (rng.random() < 0.3)):
            msgs.append(ChatMessage(t, agent, buyer, True, rng.choice(_ASK)))
            t += dt.timedelta(seconds=rng.randrange(3, 20))
        if auto and turn == 0:
            msgs.append(ChatMessage(t, agent, buyer, False, "【自动回复】您好，欢迎光临小美的衣橱，客服马上就来"))
        t += dt.timedelta(seconds=rng.randrange(5, 240))
        content = rng.choice(_ANSWER) + ("\n" + rng.choice(_ANSWER) if rng.random() < 0.2 else "")
        msgs.append(ChatMessage(t, agent, buyer, False, content))
        t += dt.timedelta(seconds=rng.randrange(20, 300))
    return t


def _order(rng: random.Random, oid: str, buyer: str, created: dt.datetime, paid_after: int | None = 3,
           refund: float = 0.0) -> dict:
    amount = rng.choice(_PRICES)
    paid = created + dt.timedelta(minutes=paid_after) if paid_after is not None else None
    return {"订单编号": oid, "买家会员名": buyer, "订单创建时间": created.strftime("%Y-%m-%d %H:%M:%S"),
            "订单付款时间": paid.strftime("%Y-%m-%d %H:%M:%S") if paid else "",
            "买家实际支付金额": f"{amount:.2f}" if paid else "0.00", "退款金额": f"{refund:.2f}",
            "订单状态": "交易成功" if paid else "等待买家付款", "店铺名称": SHOP}


def _special_cases(msgs: list, orders: list, year: int, mon: int) -> None:
    rng = random.Random(7)
    at = lambda d, h, m, s=0: dt.datetime(year, mon, d, h, m, s)  # noqa: E731
    a, b = account(PRESALES[0]), account(PRESALES[1])
    # across midnight: 23:58 → 00:03, split at midnight into two days' conversations
    msgs += [ChatMessage(at(10, 23, 58), a, "tb_midnight", True, "还在吗？想问下尺码"),
             ChatMessage(at(10, 23, 59, 30), a, "tb_midnight", False, "在的亲"),
             ChatMessage(at(11, 0, 1), a, "tb_midnight", True, "165穿M吗"),
             ChatMessage(at(11, 0, 3), a, "tb_midnight", False, "M码合适")]
    # one buyer, two agents the same day; the order is placed in b's conversation
    _conversation(rng, msgs, a, "tb_two_agents", at(12, 10, 0), 2)
    _conversation(rng, msgs, b, "tb_two_agents", at(12, 15, 0), 2)
    orders.append(_order(rng, "900000000001", "tb_two_agents", at(12, 15, 3)))
    # 静默: orders with no chat at all
    orders.append(_order(rng, "900000000002", "tb_silent", at(14, 20, 0)))
    # after the look-back window: chat on the 5th, order 60 hours later → 静默
    _conversation(rng, msgs, a, "tb_late", at(5, 9, 0), 1)
    orders.append(_order(rng, "900000000003", "tb_late", at(7, 21, 10)))
    # 售后 after an order: ordered in 小美's chat, then asks 小鹿 about an exchange (not 询单), partly refunded
    _conversation(rng, msgs, a, "tb_aftersales", at(8, 10, 0), 1)
    orders.append(_order(rng, "900000000004", "tb_aftersales", at(8, 10, 5), refund=40.0))
    c = account(AFTERSALES)
    msgs += [ChatMessage(at(8, 15, 0), c, "tb_aftersales", True, "我想换个尺码"),
             ChatMessage(at(8, 15, 0, 1), c, "tb_aftersales", False, "【自动回复】售后客服马上为您处理"),
             ChatMessage(at(8, 15, 2), c, "tb_aftersales", False, "好的亲，帮您办理换货")]


def write_chat_table(path, msgs: list[ChatMessage]) -> Path:
    """The messages as a 聊天记录 table (.csv, UTF-8 with BOM): 时间, 客服, 买家, 发送方, 内容."""
    path = Path(path)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(("时间", "客服", "买家", "发送方", "内容"))
        for m in msgs:
            w.writerow((m.time.strftime("%Y-%m-%d %H:%M:%S"), m.agent, m.buyer, "买家" if m.from_buyer else "客服",
                        m.content))
    return path


def qianniu_text(msgs: list[ChatMessage]) -> str:
    """The messages as 千牛's copied text: per account and buyer, the first line "A --> B time", the
    others cycling through the other header forms, 已读 after some, a system line between buyers."""
    forms = ("{s} {t}", "[{s}] {t}", "{s}({t}):")
    lines: list[str] = []
    ordered = sorted(msgs, key=lambda m: (m.agent, m.buyer, m.time, m.from_buyer))
    prev = None
    for k, m in enumerate(ordered):
        sender, other = (m.buyer, m.agent) if m.from_buyer else (m.agent, m.buyer)
        stamp = m.time.strftime("%Y-%m-%d %H:%M:%S")
        if (m.agent, m.buyer) != prev:
            lines.append(f"当前用户来自 手机淘宝")
            lines.append(f"{sender} --> {other} {stamp}")
            prev = (m.agent, m.buyer)
        else:
            lines.append(forms[k % 3].format(s=sender, t=stamp))
        lines += m.content.split("\n")
        if k % 4 == 0:
            lines.append("已读")
    return "\n".join(lines) + "\n"


def write_qianniu_text(path, msgs: list[ChatMessage]) -> Path:
    """Write ``msgs`` as 千牛's copied text (:func:`qianniu_text`, UTF-8) to ``path`` and return it."""
    path = Path(path)
    path.write_text(qianniu_text(msgs), encoding="utf-8")
    return path


def write_orders(path, orders: list[dict]) -> Path:
    """The orders as a Taobao-style export (.csv, GBK)."""
    path = Path(path)
    with open(path, "w", encoding="gbk", newline="") as f:
        w = csv.DictWriter(f, fieldnames=ORDER_HEADER)
        w.writeheader()
        w.writerows(orders)
    return path


def build_chat_samples(folder, seed: int = SEED) -> dict[str, Path]:
    """The demo's chat files in ``folder``: 聊天记录.csv, 千牛聊天记录.txt (the same chats) and 订单导出_聊天.csv."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    msgs, orders = chat_month(seed)
    return {"table": write_chat_table(folder / "聊天记录.csv", msgs),
            "text": write_qianniu_text(folder / "千牛聊天记录.txt", msgs),
            "orders": write_orders(folder / "订单导出_聊天.csv", orders)}
