"""--lang en for every generated sheet at once: after the layouts have run, the job passes the
workbook spec through :func:`localize_book`, which puts the English of templates/labels/en.json on
every text we generated — cell texts, the string literals inside formulas and their cached values
(so a recalculating program agrees), page headers and footers, chart titles, comments, prompts and
number formats — while user data stays as typed: agent names and other texts in ``keep``, input
cells, and texts with no translation.

Sheets other layouts add get the same treatment without code of their own: their labels only need
an entry in en.json. A text translates when the whole of it is a label; a line of labels and
figures separated by spaces ("客服绩效考核汇总 2026-10") word by word; and a few generated
sentences with figures in them by the patterns below.

>>> from xlreports.layout.labels import Labels
>>> tr = Translator(Labels("en"), keep={"小美"})
>>> tr.text("优秀"), tr.text("shop 2026-10 考核数据"), tr.text("小美"), tr.text("每次扣 2 分")
('Excellent', 'shop 2026-10 Data', '小美', '−2 each')
>>> tr.text("淘汰预警：连续2个月低于35分 额外奖金：连续3个月第一")
'Warning: below 35 for 2 months running Streak bonus: first for 3 months running'
>>> tr.formula('=IF(A1>1,"淘汰预警：连续3个月末位 ","")&\\'考核方案\\'!$B$3')
'=IF(A1>1,"Warning: last for 3 months running ","")&\\'考核方案\\'!$B$3'
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable

from xlreports.errors import Problem
from xlreports.layout.labels import Labels
from xlreports.layout.message_en import MessageTemplates, location_en
from xlreports.layout.spec import (DEFAULT_COL_WIDTH, VALIDATION_ERROR_MESSAGE, VALIDATION_ERROR_TITLE, Chart,
                                   ChartSeries, SheetSpec, WorkbookSpec)
from xlreports.layout.text_width import lines, longest_word, row_height, text_width

CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
_LITERAL = re.compile(r'"((?:[^"]|"")*)"')
_NUM = r"(-?\d+(?:\.\d+)?)"

# Generated sentences with figures: (pattern, English). Applied anywhere in a text, in order.
PATTERNS: list[tuple[re.Pattern, str | Callable]] = [
    (re.compile(r"工作簿中没有「(.+?)」，已写入内置方案 (\S+)（(.+?)），可在该表中修改规则"),
     r"No \1 sheet in the workbook: the built-in scheme \2 (\3) was written there; edit the rules in it"),
    (re.compile(r"(\S+) 未曾考核：已按「(.+?)」和预填值计入「(.+?)」，连续规则据此计算"),
     r"\1 not appraised before: entered in \3 from \2 and the pre-filled values, for the streak rules"),
    (re.compile(r"、"), ", "),
    (re.compile(rf"淘汰预警：连续{_NUM}个月低于{_NUM}分"), r"Warning: below \2 for \1 months running"),
    (re.compile(rf"淘汰预警：连续{_NUM}个月末位"), r"Warning: last for \1 months running"),
    (re.compile(rf"额外奖金：连续{_NUM}个月第一"), r"Streak bonus: first for \1 months running"),
    (re.compile(rf"每次扣 {_NUM} 分"), r"−\1 each"),
    (re.compile(rf"每次−{_NUM}分"), r"−\1 each"),
    (re.compile(rf"主管评分 {_NUM}–{_NUM}"), r"Supervisor score \1–\2"),
    (re.compile(rf"此前连续低于{_NUM}分月数"), r"Months below \1 before"),
    (re.compile(r"此前连续末位月数"), "Months last before"),
    (re.compile(r"此前连续第一月数"), "Months first before"),
    (re.compile(rf"{_NUM}秒"), r"\1 s"),
    (re.compile(r"(\d{1,2})月(\d{1,2})日"), r"\1/\2"),
    (re.compile(rf"扣{_NUM}分"), r"−\1 pts"),
    (re.compile(r"；"), "; "),
    (re.compile(r"："), ": "),
]
HEADER_PAD = 2  # a bold header's padding and the bold face's extra width
MAX_GROWN = 24  # a column widened for translated text grows no wider
# Number formats with Chinese units.
FORMATS = {'"扣"General"分"': '"-"General" pts"', '0.0"秒"': '0.0" s"'}


class Translator:
    """Texts to English: labels whole, word by word, or by :data:`PATTERNS`; ``keep`` stays as is."""

    def __init__(self, labels: Labels, keep: set[str] | frozenset[str] = frozenset()):
        self.labels = labels
        self.keep = set(keep)
        self.messages = MessageTemplates(labels)

    def text(self, value: str) -> str:
        """The English of one generated text (several lines: each line on its own)."""
        if not CJK.search(value) or value in self.keep:
            return value
        if "\n" in value:
            return "\n".join(self.text(line) for line in value.split("\n"))
        whole = self.labels(value.strip())
        if whole != value.strip():
            return value.replace(value.strip(), whole)
        message = self.messages.translate(value.strip(), self.text)  # a run message with figures in it
        if message is not None:
            return value.replace(value.strip(), message)
        out = value
        for pattern, repl in PATTERNS:
            out = pattern.sub(repl, out)
        if not CJK.search(out):
            return out
        head, colon, rest = value.partition("：")
        if colon and self.labels(head) != head:  # "回复率：<the scheme's note>": the label, the note as written
            return f"{self.labels(head)}: {self.text(rest)}"
        if "；" in value or "。" in value:  # sentences, each on its own
            pieces = re.split(r"(；|。)", value)
            done = "".join({"；": "; ", "。": ". "}.get(p) or self.text(p) for p in pieces).rstrip()
            if not self._chinese_left(done):
                return done
        words = value.split(" ")
        if len(words) > 1:
            done = " ".join(self.text(w) if w else w for w in words)
            if not self._chinese_left(done):
                return done
        return (self._labels_inside(out) or value) if out != value else value

    def problem(self, problem: Problem) -> str:
        """A warning or error as the run prints it: its location as found (sheet names stay), the message
        in English, and what was found.

        >>> Translator(Labels("en")).problem(Problem("客服数据", "D7", "缺少月份，此行不计入任何月份", found="x"))
        '客服数据!D7: No month: this row counts in no month (found "x")'
        """
        where = f"{problem.sheet}!{location_en(problem.cell)}" if problem.cell else problem.sheet
        found = f' (found "{problem.found}")' if problem.found not in (None, "") else ""
        return f"{where}: {self.text(problem.message)}{found}"

    def _chinese_left(self, text: str) -> bool:
        return any(CJK.search(w) and not self._kept(w) for w in text.split(" "))

    def _kept(self, word: str) -> bool:
        return word.strip(".,;:()") in self.keep

    def _labels_inside(self, text: str) -> str | None:
        """After the patterns: the pieces between separators, each a label (else None: left Chinese)."""
        parts = re.split(r"(; |: | )", text)
        done = [p if not CJK.search(p) or self._kept(p) else self.labels(p) for p in parts]
        return "".join(done) if not any(CJK.search(p) and not self._kept(p) for p in done) else None

    def formula(self, formula: str) -> str:
        """A formula with its string literals translated (references and sheet names untouched)."""
        def sub(m: re.Match) -> str:
            inner = m.group(1).replace('""', '"')
            return '"' + self.text(inner).replace('"', '""') + '"'
        return _LITERAL.sub(sub, formula)

    def value(self, value):
        return self.text(value) if isinstance(value, str) else value


def localize_sheet(spec: SheetSpec, tr: Translator, refs: dict[str, str] | None = None) -> None:
    """Translate one sheet in place. ``refs`` maps references to rules-sheet cells whose text a
    formula shows (a band's name, a level) to the English literal the formula uses instead."""
    grown: dict[int, int] = {}  # column → width its translated one-line texts need
    spans = {(r, c) for r1, c1, r2, c2 in spec.merges if c1 != c2
             for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    for (row, col), cell in spec.cells.items():
        if cell.input_key is not None:
            continue
        before = cell.value
        if cell.formula is not None:
            f = tr.formula(cell.formula)
            for ref, literal in (refs or {}).items():
                f = f.replace(ref, '"' + literal.replace('"', '""') + '"')
            cell.formula = f
        cell.value = tr.value(cell.value)
        if (isinstance(cell.value, str) and cell.value != before and cell.style and not cell.style.wrap
                and (row, col) not in spans):
            grown[col] = max(grown.get(col, 0), text_width(cell.value) + 1)
        if cell.comment:
            cell.comment = tr.text(cell.comment)
        if cell.style is not None and cell.style.number_format in FORMATS:
            cell.style = cell.style.but(number_format=FORMATS[cell.style.number_format])
    for col, need in grown.items():  # "Intermediate" in a column sized for 中级, up to a limit
        if spec.col_widths.get(col, DEFAULT_COL_WIDTH) < need:
            spec.col_widths[col] = min(need, MAX_GROWN)
    _fit_headers(spec)
    for block in spec.tables:
        block.headers = [tr.value(h) for h in block.headers]
        block.styles = [s.but(number_format=FORMATS[s.number_format])
                        if s is not None and s.number_format in FORMATS else s for s in block.styles]
    if spec.page is not None:
        for attr in ("header_left", "header_center", "header_right", "footer_center"):
            if getattr(spec.page, attr):
                setattr(spec.page, attr, tr.text(getattr(spec.page, attr)))
    spec.charts = [_chart(c, tr) for c in spec.charts]
    for v in spec.validations:  # the list's choices too: no formula or reader compares them (typed data)
        v.prompt = tr.text(v.prompt) if v.prompt else v.prompt
        v.choices = [tr.text(c) for c in v.choices]
        v.error = tr.text(v.error or VALIDATION_ERROR_MESSAGE)
        v.error_title = tr.text(v.error_title or VALIDATION_ERROR_TITLE)
    for cf in spec.conditional_formats:
        cf.formula = tr.formula(cf.formula) if cf.formula else cf.formula


def _fit_headers(spec: SheetSpec) -> None:
    """Widen a column whose wrapped header (English words are longer than two-character Chinese
    labels) would break a word: "Performanc/e pay" becomes "Performance/pay"."""
    merged = {(r, c) for r1, c1, r2, c2 in spec.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    for (r, c), cell in spec.cells.items():
        st = cell.style
        if (st is None or not (st.bold and st.wrap) or (r, c) in merged or not isinstance(cell.value, str)
                or cell.formula is not None):
            continue
        need = longest_word(cell.value) + HEADER_PAD
        if spec.col_widths.get(c, DEFAULT_COL_WIDTH) < need:
            spec.col_widths[c] = need
        n = lines(cell.value, spec.col_widths.get(c, DEFAULT_COL_WIDTH))
        if n > 1 and r in spec.row_heights and spec.row_heights[r] < row_height(n):
            spec.row_heights[r] = row_height(n)  # a fixed header height holds all its lines


def _chart(chart: Chart, tr: Translator) -> Chart:
    series = [ChartSeries(tr.text(s.title), s.col, s.first_row, s.last_row) for s in chart.series]
    return replace(chart, title=tr.text(chart.title), y_title=tr.text(chart.y_title) if chart.y_title else None,
                   series=series)


def localize_book(book: WorkbookSpec, labels: Labels, *, keep: set[str], skip: set[str],
                  refs: dict[str, str] | None = None) -> None:
    """Translate every visible sheet of ``book`` except those named in ``skip`` (rules and logs read
    back by their Chinese headers). Sheets without a page set-up get the default one first, so its
    footer is translated too. A no-op in Chinese."""
    from xlreports.layout.spec import print_setup

    if labels.lang == "zh":
        return
    tr = Translator(labels, keep | skip)  # sheets left in Chinese keep their names in notes
    for spec in book.sheets:
        if spec.state != "visible" or spec.name in skip:
            continue
        spec.page = print_setup(spec)
        localize_sheet(spec, tr, refs)


def scheme_literals(scheme, refs, labels: Labels) -> dict[str, str]:
    """References to 考核方案 cells whose text formulas show or compare (result band names and advice,
    level names), mapped to their English; only those en.json translates.

    >>> from xlreports.rules.scheme_files import builtin_scheme
    >>> from xlreports.rules.scheme_rows import parse_scheme_rows, scheme_to_rows
    >>> p = parse_scheme_rows(scheme_to_rows(builtin_scheme("A")))
    >>> sorted(scheme_literals(p.scheme, p.refs, Labels("en")).values())[:3]
    ['Basic pass', 'Demote, with a probation period', 'Dismiss']
    """
    if labels.lang == "zh":
        return {}
    out = {}
    pairs = [(band.label, where.get("label")) for band, where in zip(scheme.result_bands, refs.result_bands)]
    pairs += [(band.advice, where.get("advice")) for band, where in zip(scheme.result_bands, refs.result_bands)]
    pairs += [(level.name, where.get("name")) for level, where in zip(scheme.levels, refs.levels)]
    for text, pos in pairs:
        if pos is not None and text and labels(text) != text:
            out[refs.ref(pos)] = labels(text)
    return out

