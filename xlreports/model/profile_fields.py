"""The personal fields of 客户档案 staff fill in, and which of them a shop shows by default.

From the course material's 老客户档案: the 基础档案 (性别, 大概年龄, 邮箱, 商品规格 such as 服装码数 and
鞋码, 款号) and the shopping side of the 个性档案 (消费习惯, 着装喜好, 喜欢的服务方式, 对促销信息的接受情况)
are on; fields that are sensitive or private for a shop to keep (民族, 家庭状况, 价值观, 工作状况, 性格,
娱乐爱好, 生活习惯) are off. 会员规则's 【客户档案字段】 turns each on or off; 备注 is always there.
Fields with fixed answers get a drop-down (``CHOICES``).

>>> [f for f, on in default_profile_fields().items() if not on][:3]
['性格', '娱乐爱好', '生活习惯']
>>> CATEGORY["民族"], CHOICES["性别"]
('敏感', ('男', '女'))
"""
from __future__ import annotations

NOTE_FIELD = "备注"  # always shown: the one column every shop uses
BASIC, SHOPPING, PRIVATE, SENSITIVE = "基本", "消费", "个人", "敏感"

#: (field, category, shown by default), in sheet order
PROFILE_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("性别", BASIC, True), ("年龄段", BASIC, True), ("邮箱", BASIC, True), ("服装码数", BASIC, True),
    ("鞋码", BASIC, True), ("款号", BASIC, True),
    ("消费习惯", SHOPPING, True), ("着装喜好", SHOPPING, True), ("喜欢的服务方式", SHOPPING, True),
    ("对促销信息的接受情况", SHOPPING, True),
    ("性格", PRIVATE, False), ("娱乐爱好", PRIVATE, False), ("生活习惯", PRIVATE, False),
    ("工作状况", SENSITIVE, False), ("民族", SENSITIVE, False), ("家庭状况", SENSITIVE, False),
    ("价值观", SENSITIVE, False),
)
CATEGORY = {name: category for name, category, _ in PROFILE_FIELDS}

#: drop-down choices of the fields with fixed answers
CHOICES: dict[str, tuple[str, ...]] = {
    "性别": ("男", "女"),
    "年龄段": ("18岁以下", "18-24岁", "25-34岁", "35-44岁", "45-54岁", "55岁及以上"),
    "服装码数": ("XS", "S", "M", "L", "XL", "XXL", "XXXL"),
    "喜欢的服务方式": ("文字", "语音", "电话", "短信", "少打扰"),
    "对促销信息的接受情况": ("乐于接受", "一般", "不接受"),
}


def default_profile_fields() -> dict[str, bool]:
    """Field → shown, for a shop that has not chosen (basic and shopping fields on)."""
    return {name: on for name, _, on in PROFILE_FIELDS}
