"""The wording of care reminders: each due reminder (``engine.customers.care``) rendered from the
shop's message templates (``templates/messages/<场景>.j2``, or a shop's own folder first) in a
jinja2 sandbox. Messages are plain text data (a buyer named "=cmd|..." stays that text).

>>> from datetime import datetime
>>> from xlreports.engine.customers.care import Reminder
>>> r = Reminder("tb_li", "付款关怀", "T1", datetime(2026, 10, 8, 9, 30), "李雷", "保温杯", 59.0, 0)
>>> text = reminder_messages([r], "好物小店")[0]
>>> "李雷" in text and "好物小店" in text
True
"""
from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from typing import Any, Iterable

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from xlreports.engine.customers.care import (CHASE_KINDS, PAID_CARE, REVIEW_THANKS, REVISIT, SHIPPING, SIGNING,
                                             UNPAID, Reminder)
from xlreports.errors import XlreportsError
from xlreports.model.membership import MembershipRules, default_rules, revisit_band
from xlreports.model.orders import BUYER

TEMPLATES = {
    UNPAID: "未付款提醒.j2", PAID_CARE: "付款关怀.j2", SHIPPING: "发货提醒.j2", SIGNING: "签收提醒.j2",
    REVIEW_THANKS: "评价感谢.j2", REVISIT: "客户回访.j2",
    **{f"催付（{k}）": f"催付_{k}.j2" for k in CHASE_KINDS},
}

#: 客户回访 wording by the real gap (bands from 会员规则, ``model.membership.revisit_band``); 久别 keeps the
#: original 客户回访.j2 ("好久不见"), so a shop's own 客户回访.j2 still serves the long gaps.
REVISIT_TEMPLATES = {"近期": "客户回访_近期.j2", "一段时间": "客户回访_一段时间.j2", "久别": TEMPLATES[REVISIT]}

VARIABLES = ("收件人", "店铺", "商品", "金额", "订单号", "天数", "买家")
ALIASES = {  # 千牛 / seed spellings accepted in #…# placeholders
    "收件人姓名": "收件人", "收货人": "收件人", "收货人姓名": "收件人", "店铺名称": "店铺",
    "商品名称": "商品", "商品标题": "商品", "实付金额": "金额", "订单编号": "订单号",
    BUYER: "买家", "买家昵称": "买家",
}
_HASH_PLACEHOLDER = re.compile(r"#([^#\s{}]{1,20})#")


class MessageTemplateError(XlreportsError):
    """A message template is missing, does not compile, or tries something the sandbox forbids."""


def hash_placeholders(source: str) -> str:
    """千牛-style ``#收件人#`` → ``{{ 收件人 }}`` for known names (aliases included); other ``#…#``
    text is left as written.

    >>> hash_placeholders("亲爱的#收件人姓名#，#话题#")
    '亲爱的{{ 收件人 }}，#话题#'
    """
    def repl(m: re.Match[str]) -> str:
        name = ALIASES.get(m.group(1), m.group(1))
        return "{{ " + name + " }}" if name in VARIABLES else m.group(0)

    return _HASH_PLACEHOLDER.sub(repl, source)


class _ShownUndefined(jinja2.Undefined):
    """An unknown variable shows as ``#名#`` so a shop sees its typo; unsafe access still raises."""

    __slots__ = ()

    def __str__(self) -> str:
        if self._undefined_exception is not jinja2.UndefinedError or self._undefined_name is None:
            self._fail_with_undefined_error()
        return f"#{self._undefined_name}#"


class _MessageLoader(jinja2.BaseLoader):
    """A shop's own folder first (when given), then the packaged ``xlreports.templates/messages``."""

    def __init__(self, override_dir: str | Path | None = None):
        self.override_dir = Path(override_dir) if override_dir else None

    def get_source(self, environment: jinja2.Environment, template: str):
        if "/" in template or "\\" in template or template.startswith("."):
            raise jinja2.TemplateNotFound(template)  # a bare file name, never a path
        if self.override_dir is not None and (self.override_dir / template).is_file():
            path = self.override_dir / template
            return hash_placeholders(path.read_text(encoding="utf-8-sig")), str(path), lambda: True
        packaged = files("xlreports.templates").joinpath("messages", template)
        if not packaged.is_file():
            raise jinja2.TemplateNotFound(template)
        return hash_placeholders(packaged.read_text(encoding="utf-8-sig")), None, lambda: True


def message_environment(override_dir: str | Path | None = None) -> SandboxedEnvironment:
    """The sandboxed jinja2 environment that renders messages (plain text, no HTML escaping).

    >>> message_environment().from_string("亲爱的{{ 收件人 }}{{ 未知 }}").render(收件人="李雷")
    '亲爱的李雷#未知#'
    """
    return SandboxedEnvironment(loader=_MessageLoader(override_dir), autoescape=False,
                                undefined=_ShownUndefined, trim_blocks=True, lstrip_blocks=True)


def render_message(template: str, values: dict[str, Any], env: SandboxedEnvironment | None = None) -> str:
    """Render one message template (e.g. "签收提醒.j2") with the Chinese variables; trimmed text.

    >>> render_message("付款关怀.j2", message_values("好物小店", "李雷", "保温杯", 59.0, "T1", 0)).startswith("亲爱的李雷")
    True
    """
    env = env or message_environment()
    try:
        return env.get_template(template).render(values).strip()
    except jinja2.TemplateNotFound as exc:
        raise MessageTemplateError(f"找不到消息模板 {template}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise MessageTemplateError(f"消息模板 {template} 第 {exc.lineno} 行有误：{exc.message}") from exc
    except SecurityError as exc:
        raise MessageTemplateError(f"消息模板 {template} 使用了不允许的写法：{exc}") from exc
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError) as exc:
        raise MessageTemplateError(f"消息模板 {template} 无法生成消息：{exc}") from exc


def message_values(shop: str, receiver: str, product: str, amount: float | None,
                   order_id: str | None, days: int | None, buyer: str = "") -> dict[str, str]:
    """The template variables, all text: 金额 to the cent, 天数 a whole number.

    >>> message_values("店", "李雷", "杯", 5.0, "T1", 3)["金额"]
    '5.00'
    """
    return {"收件人": receiver, "店铺": shop, "商品": product,
            "金额": "" if amount is None else f"{amount:.2f}", "订单号": order_id or "",
            "天数": "" if days is None else str(days), "买家": buyer or receiver}


def template_for(r: Reminder, rules: MembershipRules | None = None) -> str:
    """The template of a reminder: its scene's, and for 客户回访 the one of its gap's band.

    >>> from dataclasses import replace
    >>> from datetime import datetime
    >>> r = Reminder("b", "客户回访", "T1", datetime(2026, 10, 8, 10), "李雷", "杯", 9.0, 12)
    >>> template_for(r), template_for(replace(r, days=45)), template_for(replace(r, days=120))
    ('客户回访_近期.j2', '客户回访_一段时间.j2', '客户回访.j2')
    """
    if r.scene == REVISIT:
        return REVISIT_TEMPLATES[revisit_band(r.days, rules or default_rules())]
    return TEMPLATES[r.scene]


def reminder_messages(reminders: Iterable[Reminder], shop: str, templates_dir: str | Path | None = None,
                      rules: MembershipRules | None = None) -> list[str]:
    """The message text of each reminder, in order. ``templates_dir``: a shop's own ``<模板名>.j2``
    files, used instead of the packaged ones of the same name; ``rules``: the 客户回访 bands."""
    env = message_environment(templates_dir)
    return [render_message(template_for(r, rules), message_values(shop, r.receiver, r.product, r.amount,
                                                                   r.order_id, r.days, r.buyer), env)
            for r in reminders]
