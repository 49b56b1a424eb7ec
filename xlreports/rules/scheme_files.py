"""Scheme files: JSON, the same fields as the model; built-in schemes ship under templates/schemes/.

>>> scheme = builtin_scheme("A")
>>> scheme.pay_pool
750.0
>>> scheme_from_dict(scheme_to_dict(scheme)) == scheme
True
"""
from __future__ import annotations

import json
from dataclasses import asdict, fields
from importlib.resources import files
from pathlib import Path
from typing import Any, get_args, get_type_hints

from xlreports.errors import XlreportsError
from xlreports.model.scheme import (AdjustRule, Band, CommissionTier, Deduction, Kpi, Level, Metric, ResultBand, Scheme,
                    StreakRule)

BUILTIN = {"A": "scheme_a.json", "B": "scheme_b.json"}
_LIST_ITEMS = {"kpis": Kpi, "levels": Level, "commission": CommissionTier, "result_bands": ResultBand,
               "streaks": StreakRule, "bands": Band, "rules": AdjustRule, "deductions": Deduction}


def scheme_to_dict(scheme: Scheme) -> dict[str, Any]:
    """The scheme as plain JSON-ready data; a KPI's ``params`` only when its kind has some (线性评分)."""
    data = asdict(scheme)
    for kpi in data["kpis"]:
        if not kpi["params"]:
            del kpi["params"]
    return data


def _build(cls: type, data: dict[str, Any], where: str) -> Any:
    hints = get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    known = {f.name for f in fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise XlreportsError(f"{where}: 未知字段 " + "、".join(sorted(unknown)))
    for name, value in data.items():
        if name in _LIST_ITEMS:
            value = [_build(_LIST_ITEMS[name], item, f"{where}.{name}[{i}]") for i, item in enumerate(value)]
        elif name == "metric":
            value = _build(Metric, value, f"{where}.metric")
        elif name == "params":  # a kind's numbers: JSON 30 and 30.0 are the same number
            value = {k: float(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in value.items()}
        elif value is not None and float in get_args(hints[name]) + (hints[name],) and isinstance(value, int):
            value = float(value)  # JSON 750 and 750.0 are the same number: keep floats for equality
        kwargs[name] = value
    return cls(**kwargs)


def scheme_from_dict(data: dict[str, Any], where: str = "方案文件") -> Scheme:
    """Build a scheme from JSON data; unknown keys are an error, not silently dropped."""
    return _build(Scheme, data, where)


def load_scheme_file(path: str | Path) -> Scheme:
    """Read a scheme JSON file (as written by ``save_scheme_file`` or ``xlreports scheme export``)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise XlreportsError(f"找不到方案文件：{path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise XlreportsError(f"方案文件 {path.name} 不是有效的 JSON：{exc}") from None
    return scheme_from_dict(data, path.name)


def save_scheme_file(scheme: Scheme, path: str | Path) -> None:
    Path(path).write_text(json.dumps(scheme_to_dict(scheme), ensure_ascii=False, indent=2) + "\n",
                          encoding="utf-8")


def builtin_scheme(code: str) -> Scheme:
    """Scheme "A" (客服部客服指标绩效考核表) or "B" (客服团队的绩效考核)."""
    name = BUILTIN.get(code.upper())
    if name is None:
        raise XlreportsError(f"没有内置方案「{code}」（可用：A、B，或一个方案文件的路径）")
    text = files("xlreports.templates").joinpath("schemes", name).read_text(encoding="utf-8")
    return scheme_from_dict(json.loads(text), name)


def resolve_scheme(spec: str) -> Scheme:
    """``A`` / ``B`` → built-in; anything else is a path to a JSON scheme file."""
    if spec.upper() in BUILTIN:
        return builtin_scheme(spec)
    return load_scheme_file(spec)
