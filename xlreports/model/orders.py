"""The order vocabulary: the columns of the canonical order frame, and the headers exports use for them.

Every reader of order exports (:mod:`xlreports.excel.read.orders`) produces one frame with
``ORDER_COLUMNS`` (+ ``SOURCE_COL`` and ``ROW_COL``); the customer engine
(:mod:`xlreports.engine.customers`), the archive job and its layouts key buyers by ``BUYER``.
Column names are Chinese because they are what a shop owner sees; code refers to them by
these constants.

>>> ORDER_ALIASES["买家实际支付金额"] == PAID_AMOUNT, ORDER_COLUMNS[PAID]
(True, 'datetime')
>>> is_order_sheet(" ExportOrderList202610"), is_order_sheet("客服数据")
(True, False)
"""
from __future__ import annotations

from xlreports.model.fields import normalize_header

ORDER_ID = "订单编号"
BUYER = "买家会员名"
RECEIVER = "收货人姓名"
PHONE = "联系手机"
ADDRESS = "收货地址"
STATUS = "订单状态"
PAID_AMOUNT = "买家实付金额"
REFUND = "退款金额"
CREATED = "订单创建时间"
PAID = "订单付款时间"
TITLE = "商品标题"
SHOP = "店铺名称"
CHANNEL = "订单来源"  # the channel an order came through, where the export has one (客户档案's 来源)

# The canonical order frame: column → kind ("text", "number" as Float64, "datetime" as Datetime(us)).
ORDER_COLUMNS: dict[str, str] = {
    ORDER_ID: "text",
    BUYER: "text",
    "买家支付宝账号": "text",
    RECEIVER: "text",
    PHONE: "text",
    ADDRESS: "text",
    STATUS: "text",
    PAID_AMOUNT: "number",
    "总金额": "number",
    "买家应付邮费": "number",
    REFUND: "number",
    CREATED: "datetime",
    PAID: "datetime",
    "发货时间": "datetime",
    "确认收货时间": "datetime",
    TITLE: "text",
    "商品数量": "number",
    "宝贝种类": "number",
    "买家留言": "text",
    "商家备注": "text",
    "物流单号": "text",
    "物流公司": "text",
    SHOP: "text",
    "订单关闭原因": "text",
    "商品属性SKU": "text",
    CHANNEL: "text",
}
SOURCE_COL = "_来源"  # which export a row came from (file, or file:sheet)
ROW_COL = "_行"  # its row number there

# Header names as exports spell them, per canonical column, best first. When a file has several
# headers of one column, the first one present is used — except for the ROW_FALLBACK columns.
ORDER_HEADERS: dict[str, tuple[str, ...]] = {
    ORDER_ID: (ORDER_ID, "订单号", "主订单编号", "订单id"),
    BUYER: (BUYER, "买家昵称", "买家会员名称"),
    "买家支付宝账号": ("买家支付宝账号", "支付宝账号"),
    RECEIVER: (RECEIVER, "收货人", "收件人", "收件人姓名"),
    PHONE: (PHONE, "收货人手机", "手机号码", "手机号", "联系电话"),
    ADDRESS: (ADDRESS, "详细地址", "收件地址"),
    STATUS: (STATUS, "交易状态"),
    PAID_AMOUNT: (PAID_AMOUNT, "买家实际支付金额", "实付金额", "实付款"),
    "总金额": ("总金额", "订单总金额", "订单金额"),
    "买家应付邮费": ("买家应付邮费", "邮费", "运费"),
    REFUND: (REFUND, "退款总金额"),
    CREATED: (CREATED, "创建时间", "下单时间"),
    PAID: (PAID, "付款时间", "支付时间"),
    "发货时间": ("发货时间", "卖家发货时间"),
    "确认收货时间": ("确认收货时间", "收货时间", "交易成功时间"),
    TITLE: (TITLE, "宝贝标题", "商品名称", "宝贝名称"),
    "商品数量": ("商品数量", "宝贝总数量", "购买数量", "商品总数量"),
    "宝贝种类": ("宝贝种类", "商品种类"),
    "买家留言": ("买家留言", "买家备注"),
    "商家备注": ("商家备注", "订单备注", "卖家备注", "备注标签"),
    "物流单号": ("物流单号", "运单号", "快递单号"),
    "物流公司": ("物流公司", "快递公司"),
    SHOP: (SHOP, "店铺"),
    "订单关闭原因": ("订单关闭原因", "关闭原因"),
    "商品属性SKU": ("商品属性SKU", "商品属性", "销售属性", "sku"),
    CHANNEL: (CHANNEL, "渠道", "来源渠道", "下单渠道", "订单渠道", "销售渠道", "流量来源"),
}
# A column filled row by row from later headers where the first present one is empty:
# 联系手机 empty → 联系电话 (all other columns take the first header present, whole column).
ROW_FALLBACK = frozenset({PHONE})

# normalised header → canonical column
ORDER_ALIASES: dict[str, str] = {
    normalize_header(name): canonical for canonical, names in ORDER_HEADERS.items() for name in names
}

LAYOUT_OLD, LAYOUT_NEW = "旧版", "新版"  # exports with / without 买家会员名
SHEET_PREFIXES = ("订单", "订单报表", "exportorderlist")


def header_rank(canonical: str, header: object) -> int:
    """How good a header is for its column: 0 = the best spelling (see ``ORDER_HEADERS``).

    >>> header_rank(PHONE, "联系电话")
    4
    """
    return [normalize_header(n) for n in ORDER_HEADERS[canonical]].index(normalize_header(header))


def is_order_sheet(name: str) -> bool:
    """Whether a sheet's name marks it as a pasted order export (订单…, ExportOrderList…).

    >>> is_order_sheet("订单-十一月")
    True
    """
    return name.strip().casefold().startswith(SHEET_PREFIXES)


def order_schema() -> dict:
    """The polars dtypes of the canonical order frame: ``ORDER_COLUMNS``, then ``SOURCE_COL`` and ``ROW_COL``.

    >>> order_schema()[CREATED]
    Datetime(time_unit='us', time_zone=None)
    """
    import polars as pl  # here: the model imports no library at load time

    dtypes = {"text": pl.String(), "number": pl.Float64(), "datetime": pl.Datetime("us")}
    return {**{c: dtypes[k] for c, k in ORDER_COLUMNS.items()}, SOURCE_COL: pl.String(), ROW_COL: pl.Int64()}
