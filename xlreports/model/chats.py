"""The chat vocabulary: one message, one order as attribution sees it, the 统计规则 settings, and
what the chat-KPI engine returns.

Readers (:mod:`xlreports.excel.read`) turn a sheet of messages or 千牛's copied text into
:class:`ChatMessage` rows; the engine (:mod:`xlreports.engine.chats`) turns messages and
:class:`ChatOrder` rows into :class:`ChatKpis`; layouts and the ``kpi`` job only read those.
Rules follow DOMAIN §12; every default below is a row of the 统计规则 sheet.

>>> from datetime import datetime
>>> m = ChatMessage(datetime(2026, 10, 3, 9, 0, 5), "小美的衣橱:小王", "tb_abc", from_buyer=True)
>>> m.is_agent, ChatRules().lookback_hours, ChatRules().credit_rule
(False, 48.0, '下单优先')
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

CREDIT_RULES = ("下单优先", "落实下单", "落实付款")
IN_CONVERSATION = "在会话中"
SILENT = "静默"


@dataclass(frozen=True)
class ChatMessage:
    """One message of one buyer with one shop-side account.

    ``agent`` is the shop-side account as written ("店铺名:子账号" or a 客服名册 账号); ``robot`` is
    set when the source says the sender is a robot account (账号类型 机器人); content prefixes and
    the 1-second rule are the engine's business. ``where`` locates the row ("聊天记录!A12",
    "chat.txt:340") for errors and the skipped-lines report."""
    time: datetime
    agent: str
    buyer: str
    from_buyer: bool
    content: str = ""
    robot: bool = False
    where: str = ""

    @property
    def is_agent(self) -> bool:
        return not self.from_buyer


@dataclass(frozen=True)
class ChatOrder:
    """An order as attribution needs it (from the order exports' canonical frame)."""
    order_id: str
    buyer: str
    created: datetime
    paid: datetime | None = None
    paid_amount: float = 0.0
    refund: float = 0.0
    status: str = ""


@dataclass(frozen=True)
class ChatRules:
    """The 统计规则 settings (DOMAIN §12's bracketed defaults)."""
    session_gap_minutes: float = 30.0
    split_at_midnight: bool = True
    service_start: str = "08:00"
    service_end: str = "24:00"
    auto_prefixes: tuple[str, ...] = ("【自动回复】",)
    auto_within_seconds: float = 1.0
    lookback_hours: float = 48.0
    credit_rule: str = "下单优先"  # one of CREDIT_RULES
    shop_accounts: tuple[str, ...] = ()  # buyers that are the shop's own accounts: ignored
    sample_per_agent: int = 5  # 聊天抽查
    sample_seed: int = 1


@dataclass(frozen=True)
class AgentDay:
    """One agent account's figures for one day (or, with ``day`` None, a month's total)."""
    agent: str
    day: date | None
    conversations: int = 0
    received: int = 0  # 接待人数
    replied: int = 0  # 回复人数
    unreplied: int = 0  # 未回复人数
    first_response_total: float = 0.0  # seconds, summed over answered conversations
    first_response_count: int = 0
    response_total: float = 0.0  # seconds, summed over answered turns
    response_count: int = 0
    unanswered_turns: int = 0
    agent_messages: int = 0  # non-auto
    buyer_messages: int = 0
    inquiries: int = 0  # 询单人数
    final_paid: int = 0  # 最终付款人数
    same_day_paid: int = 0  # 当日付款人数
    next_day_paid: int = 0  # 次日付款人数
    sales: float = 0.0  # 客服销售额 (paid − refund of credited orders, by pay month)

    @property
    def first_response(self) -> float | None:
        return self.first_response_total / self.first_response_count if self.first_response_count else None

    @property
    def mean_response(self) -> float | None:
        return self.response_total / self.response_count if self.response_count else None

    @property
    def answer_ratio(self) -> float | None:
        return self.agent_messages / self.buyer_messages if self.buyer_messages else None


@dataclass(frozen=True)
class OrderCredit:
    """Who is credited with one order, and why (在会话中 / 会话结束后 N 小时 / 静默)."""
    order: ChatOrder
    agent: str | None
    reason: str
    order_agent: str | None = None  # 落实下单
    pay_agent: str | None = None  # 落实付款
    hours_after: float | None = None  # hours from the credited conversation's end (None: in it, or 静默)


@dataclass(frozen=True)
class Turn:
    """A run of buyer messages and the wait for the next non-auto agent message (None: unanswered)."""
    start: datetime
    buyer_messages: int
    wait_seconds: float | None
    timed: bool = True  # False: no buyer message of the run inside service hours (left out of 响应)
    answered_at: datetime | None = None  # the non-auto agent message that ended the wait


@dataclass(frozen=True)
class Conversation:
    """The messages of one buyer with one agent account between two silences (or midnight)."""
    agent: str
    buyer: str
    start: datetime
    end: datetime
    messages: tuple[ChatMessage, ...]
    turns: tuple[Turn, ...]
    first_response: float | None  # seconds
    auto: tuple[bool, ...] = ()  # per message: an auto-reply (robot, prefix or within the 1-s rule)

    @property
    def day(self) -> date:
        return self.start.date()

    @property
    def answered(self) -> bool:
        """A buyer message got a non-auto agent message after it."""
        return any(t.answered_at is not None for t in self.turns)


@dataclass
class ChatKpis:
    """What the engine returns: per-day and per-month figures, every order's credit, the conversations."""
    days: list[AgentDay] = field(default_factory=list)
    months: dict[tuple[str, str], AgentDay] = field(default_factory=dict)  # (agent, "YYYY-MM") → totals
    credits: list[OrderCredit] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)
    silent_sales: dict[str, float] = field(default_factory=dict)  # "YYYY-MM" → 静默销售额
