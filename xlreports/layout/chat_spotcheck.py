"""聊天抽查: N sampled conversations per agent with their response times, the slowest turns marked, and
yellow cells for the supervisor's 应答时间 / 服务态度 scores (scheme B's 聊天记录抽查 KPIs).

One row per conversation (客服, 月份, 账号, 买家, 开始 … and the two score cells), its messages below it
(客服 left blank, so the score formulas only see conversation rows). 客服数据-聊天's 应答时间抽查 /
服务态度抽查 cells are ``score_formula``: the agent's average typed score, found by name, so a score
typed in Excel reaches ``xlreports appraise`` on the next save without another kpi run.

>>> from datetime import datetime
>>> from xlreports.model.chats import ChatMessage, Conversation, Turn
>>> t0 = datetime(2026, 10, 3, 9, 0, 0)
>>> msgs = (ChatMessage(t0, "店:小王", "tb_a", True, "在吗"), ChatMessage(t0.replace(second=40), "店:小王", "tb_a", False, "在"))
>>> c = Conversation("店:小王", "tb_a", t0, msgs[1].time, msgs, (Turn(t0, 1, 40.0),), 40.0)
>>> spec, refs = spot_check_sheet({"小王": [("店:小王", c)]}, "2026-10", {})
>>> [spec.cells[(HEADER_ROW + 1, refs.cols[k])].value for k in ("客服", "买家", "首次响应(秒)")]
['小王', 'tb_a', 40.0]
>>> print(refs.formula("小王", "应答时间"))
=IF(SUMPRODUCT(('聊天抽查'!$A$5:$A$7="小王")*('聊天抽查'!$L$5:$L$7<>"")*('聊天抽查'!$L$5:$L$7<=1E+300))=0,"",SUMPRODUCT(('聊天抽查'!$A$5:$A$7="小王")*('聊天抽查'!$L$5:$L$7<>"")*('聊天抽查'!$L$5:$L$7<=1E+300),'聊天抽查'!$L$5:$L$7)/SUMPRODUCT(('聊天抽查'!$A$5:$A$7="小王")*('聊天抽查'!$L$5:$L$7<>"")*('聊天抽查'!$L$5:$L$7<=1E+300)))
"""
from __future__ import annotations

from dataclasses import dataclass

from xlreports.a1 import col_letter, quote_sheet
from xlreports.kinds.base import quote
from xlreports.layout.spec import BODY, HEADER, INPUT, NOTE, TITLE, PageSetup, SheetSpec
from xlreports.model.cells import safe_text
from xlreports.model.chats import Conversation

SHEET_NAME = "聊天抽查"
HEADER_ROW = 4
SCORES = ("应答时间", "服务态度")  # typed 0–10, averaged into 应答时间抽查 / 服务态度抽查
COLUMNS = ("客服", "月份", "账号", "买家", "开始", "结束", "消息数", "首次响应(秒)", "平均响应(秒)", "最慢一轮(秒)",
           "未回复轮次", *SCORES, "备注")
INPUTS = (*SCORES, "备注")
SLOWEST = 2  # turns marked per conversation
SLOW = BODY.but(fill="F8CBAD", bold=True)
MESSAGE = BODY.but(color="404040")
CONTENT_MAX = 500  # characters of one message shown


@dataclass
class SpotRefs:
    """Where the score columns are, for the formulas of 客服数据-聊天."""
    sheet: str
    first: int
    last: int
    cols: dict[str, int]

    def _range(self, name: str) -> str:
        c = col_letter(self.cols[name])
        return f"{quote_sheet(self.sheet)}!${c}${self.first}:${c}${max(self.last, self.first)}"

    def formula(self, person: str, score: str) -> str:
        """The average of ``person``'s typed ``score`` cells, blank when none is typed (exact name match:
        no wildcards or criteria operators, unlike AVERAGEIF). A number is told by comparisons alone —
        not blank, and ≤ 1E+300 (text and TRUE/FALSE sort above every number) — because Gnumeric reads
        ISNUMBER(range) inside SUMPRODUCT as one cell of the range (implicit intersection), not each."""
        scores = self._range(score)
        hit = f'({self._range("客服")}={quote(person)})*({scores}<>"")*({scores}<=1E+300)'
        return f'=IF(SUMPRODUCT({hit})=0,"",SUMPRODUCT({hit},{scores})/SUMPRODUCT({hit}))'


def conversation_key(account: str, buyer: str, start) -> tuple[str, str, str]:
    """How a typed score finds its conversation again on the next run: 账号, 买家, 开始 (to the second)."""
    return account, buyer, start.strftime("%Y-%m-%d %H:%M:%S") if hasattr(start, "strftime") else str(start)


def spot_check_sheet(samples: dict[str, list[tuple[str, Conversation]]], month: str,
                     typed: dict[tuple[str, str, str], dict[str, object]]) -> tuple[SheetSpec, SpotRefs]:
    """The sheet for ``samples`` (person → [(account, conversation)]); ``typed`` carries scores over by key."""
    spec = SheetSpec(SHEET_NAME, freeze=f"A{HEADER_ROW + 1}", tab_color="BF8F00",
                     page=PageSetup(orientation="landscape", header_center=f"{month} 聊天抽查", print_title_rows=f"{HEADER_ROW}:{HEADER_ROW}"))
    spec.set(1, 1, f"{month} 聊天抽查", style=TITLE.but(h_align="left"))
    spec.set(2, 1, "每位客服随机抽取的会话（抽取数量和随机种子见「统计规则」）。请在黄色格中按 0–10 分评分；"
                   "每位客服的平均分即考核表中「聊天记录抽查」两项的得分。红色为最慢的回复。", style=NOTE.but(wrap=False))
    cols = {name: j for j, name in enumerate(COLUMNS, start=1)}
    for name, j in cols.items():
        spec.set(HEADER_ROW, j, name, style=HEADER)
    row = HEADER_ROW + 1
    for person in sorted(samples, key=str):
        for account, conv in samples[person]:
            row = _conversation(spec, cols, row, person, month, account, conv, typed)
    last = row - 1
    spec.col_widths.update({1: 10, 2: 9, 3: 18, 4: 16, 5: 19, 6: 19, 7: 8, 8: 11, 9: 11, 10: 11, 11: 9, 12: 9,
                            13: 9, 14: 24})
    spec.col_widths[cols["结束"]] = 60  # message rows put the content here
    return spec, SpotRefs(SHEET_NAME, HEADER_ROW + 1, last, cols)


def _conversation(spec: SheetSpec, cols: dict[str, int], row: int, person: str, month: str, account: str,
                  conv: Conversation, typed: dict) -> int:
    waits = [t.wait_seconds for t in conv.turns if t.wait_seconds is not None]
    key = conversation_key(account, conv.buyer, conv.start)
    values = {"客服": person, "月份": month, "账号": account, "买家": conv.buyer, "开始": key[2],
              "结束": conv.end.strftime("%Y-%m-%d %H:%M:%S"), "消息数": len(conv.messages),
              "首次响应(秒)": _sec(conv.first_response), "平均响应(秒)": _sec(sum(waits) / len(waits)) if waits else None,
              "最慢一轮(秒)": _sec(max(waits)) if waits else None,
              "未回复轮次": sum(1 for t in conv.turns if t.wait_seconds is None)}
    kept = typed.get(key, {})
    for name, j in cols.items():
        if name in INPUTS:
            spec.set(row, j, kept.get(name), style=INPUT, input_key=f"{key}|{name}")
        else:
            spec.set(row, j, values[name], style=HEADER.but(h_align="left", fill="F2F2F2", wrap=False))
    slow = sorted(waits, reverse=True)[:SLOWEST]
    wait_at = {t.start: t.wait_seconds for t in conv.turns}
    for k, m in enumerate(conv.messages):
        row += 1
        wait = wait_at.get(m.time) if m.from_buyer else None
        marked = wait is not None and wait in slow and wait > 0
        auto = conv.auto[k] if k < len(conv.auto) else m.robot
        who = "买家" if m.from_buyer else ("客服(自动回复)" if auto else "客服")
        style = SLOW if marked else MESSAGE
        spec.set(row, cols["买家"], m.time.strftime("%H:%M:%S"), style=style)
        spec.set(row, cols["开始"], who, style=style)
        spec.set(row, cols["结束"], safe_text(m.content)[:CONTENT_MAX], style=style.but(wrap=True))
        if m.from_buyer and m.time in wait_at:
            text = "未回复" if wait is None else f"等待 {_sec(wait):g} 秒" + ("（最慢）" if marked else "")
            spec.merge(row, cols["消息数"], row, cols["平均响应(秒)"], text, style=style)
    return row + 1


def _sec(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def read_scores(rows: list[list[object]]) -> dict[tuple[str, str, str], dict[str, object]]:
    """Typed scores and notes of an earlier 聊天抽查 sheet by conversation key, found by the header labels.

    >>> rows = [[], [], [], list(COLUMNS), ["小王", "2026-10", "店:小王", "tb_a", "2026-10-03 09:00:00", None, 2,
    ...          40, 40, 40, 0, 8, 9.5, "好"]]
    >>> read_scores(rows)
    {('店:小王', 'tb_a', '2026-10-03 09:00:00'): {'应答时间': 8, '服务态度': 9.5, '备注': '好'}}
    """
    header = next((i for i, r in enumerate(rows[:20]) if "账号" in r and all(s in r for s in SCORES)), None)
    if header is None:
        return {}
    col = {name: rows[header].index(name) for name in ("客服", "账号", "买家", "开始", *INPUTS) if name in rows[header]}
    out = {}
    for r in rows[header + 1:]:
        cell = lambda name: r[col[name]] if name in col and col[name] < len(r) else None  # noqa: E731
        if not cell("客服") or not cell("账号"):
            continue
        found = {name: cell(name) for name in INPUTS if cell(name) not in (None, "")}
        if found:
            out[conversation_key(str(cell("账号")), str(cell("买家")), cell("开始"))] = found
    return out
