"""The run's messages and warnings in English (--lang en): each message the jobs and readers write in
Chinese with figures and names in it has an entry in templates/labels/en.json keyed by its Chinese
template ("没有列「{column}」，提成按 0 计算"); the key becomes a pattern that matches the whole message,
and the English is filled with the pieces it caught — each piece translated in turn (a KPI, a nested
message, a list joined by 、) except names and figures, which stay as found. Messages keep being
written in Chinese where they arise; only printing (the console, 首页) translates them.

>>> from xlreports.layout.labels import Labels
>>> t = MessageTemplates(Labels("en"))
>>> t.translate("没有列「提成」，提成按 0 计算", lambda s: s)
'No column "提成": commission counts as 0'
>>> t.translate("2026-09：没有列「提成」，提成按 0 计算，该月历史按预填值计算", lambda s: s)
'2026-09: No column "提成": commission counts as 0; that month\\'s history uses the pre-filled values'
>>> t.translate("不是模板", lambda s: s) is None
True
"""
from __future__ import annotations

import re
from typing import Callable

from xlreports.layout.labels import Labels

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: Pieces that stay as found: names, formulas, typed text (figures have no Chinese to translate).
VERBATIM = {"agent", "person", "found", "formula", "where", "name", "other", "text", "clean"}
_LIST = re.compile(r"(、|；|」「)")
_JOIN = {"、": ", ", "；": "; ", "」「": '", "'}


class MessageTemplates:
    """The en.json entries with ``{placeholders}`` as whole-message patterns, most specific first."""

    def __init__(self, labels: Labels):
        self.labels = labels
        entries = [(k, v) for k, v in labels.entries().items() if _PLACEHOLDER.search(k)]
        entries.sort(key=lambda kv: -len(_PLACEHOLDER.sub("", kv[0])))  # more fixed text: tried first
        self.patterns = [(_compile(k), v) for k, v in entries]

    def translate(self, text: str, piece: Callable[[str], str]) -> str | None:
        """The English of ``text`` when a template matches all of it (else None); ``piece`` translates
        what a placeholder caught when it is not a name or figure."""
        for pattern, english in self.patterns:
            m = pattern.fullmatch(text)
            if m is None:
                continue
            got = {name: (value if name in VERBATIM else self._piece(value, piece))
                   for name, value in m.groupdict().items()}
            return english.format(**got)
        return None

    def _piece(self, value: str, piece: Callable[[str], str]) -> str:
        """A caught piece: a nested message, else each item of a list (、 ； 」「) on its own."""
        whole = self.translate(value, piece)
        if whole is not None:
            return whole
        return "".join(_JOIN.get(p) or _quoted(p) or piece(p) for p in _LIST.split(value) if p)


def _quoted(item: str) -> str | None:
    """「a name」 as "a name" (a name quoted in a list stays as it is)."""
    return f'"{item[1:-1]}"' if len(item) > 1 and item[0] == "「" and item[-1] == "」" else None


def _compile(template: str) -> re.Pattern:
    """A Chinese template as a pattern: literal text, each placeholder a group (again: the same text)."""
    out, seen, at = [], set(), 0
    for m in _PLACEHOLDER.finditer(template):
        out.append(re.escape(template[at:m.start()]))
        name = m.group(1)
        out.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
        seen.add(name)
        at = m.end()
    out.append(re.escape(template[at:]))
    return re.compile("".join(out), re.S)


def location_en(cell: str) -> str:
    """A problem's cells in English: the list separator and 等 ("and more") of the Chinese.

    >>> location_en("D3、D4等")
    'D3,D4…'
    """
    return cell.replace("、", ",").replace("等", "…")


__all__ = ["MessageTemplates", "location_en", "VERBATIM"]
