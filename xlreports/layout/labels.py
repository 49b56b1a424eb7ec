"""Sheet and column labels: Chinese by default, English with ``--lang en``.

Labels are keyed by their Chinese text; templates/labels/en.json gives the English.
A label with no translation stays Chinese (domain terms are understood either way).

>>> Labels("en")("考核汇总")
'Summary'
>>> Labels("zh")("考核汇总")
'考核汇总'
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=None)
def _table(lang: str) -> dict[str, str]:
    if lang == "zh":
        return {}
    path = files("xlreports.templates").joinpath("labels", f"{lang}.json")
    return json.loads(path.read_text(encoding="utf-8"))


class Labels:
    """Callable label lookup for one language ("zh" or "en")."""

    def __init__(self, lang: str = "zh"):
        if lang not in ("zh", "en"):
            raise ValueError(f"不支持的语言：{lang}（可用：zh、en）")
        self.lang = lang
        self._t = _table(lang)

    def __call__(self, text: str) -> str:
        return self._t.get(text, text)

    def entries(self) -> dict[str, str]:
        """Every translation of this language, Chinese → English (empty in Chinese).

        >>> Labels("en").entries()["考核汇总"], Labels("zh").entries()
        ('Summary', {})
        """
        return dict(self._t)
