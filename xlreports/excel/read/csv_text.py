"""The one CSV decoder: bytes of any encoding exports use → UTF-8; the separator chosen by one rule.

Encodings: UTF-8 (with or without BOM), else GBK/GB18030 (Chinese Windows' default), or UTF-16
with a BOM (Excel's "Unicode text"). A big file is checked and transcoded in chunks, so a large
GBK export never exists as one Python str. Separator: tab or comma, see ``separator`` — title
lines above the header and commas inside amounts (``1,234.50`` in a tab-separated file) do not
mislead it.

>>> text = decode("订单编号\\t金额\\n1\\t1,234.50\\n".encode("gbk"))
>>> text.splitlines()[0], separator(text)
('订单编号\\t金额', '\\t')
>>> csv_rows("客服,询单人数\\n张三,12\\n")
[['客服', '询单人数'], ['张三', '12']]
"""
from __future__ import annotations

import codecs
import csv
import io
from typing import Callable

HEAD_ROWS = 11  # rows that decide the separator (a header may sit below up to 10 title rows)
HEAD_BYTES = 1 << 16  # the head of a big file looked at before it is read whole
_CHUNK = 1 << 23
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class NotText(ValueError):
    """The bytes are no text in any encoding the decoder knows (or hold NUL characters)."""


def to_utf8(data: bytes) -> bytes:
    """The file's text as UTF-8 bytes (a UTF-8 BOM kept: ``decode`` and polars skip it).

    Raises NotText for bytes that are neither UTF-8, GB18030 nor UTF-16 with a BOM, or whose
    first ``HEAD_BYTES`` hold a NUL character.

    >>> to_utf8("客服".encode("utf-16")) == "客服".encode()
    True
    """
    if data.startswith(_UTF16_BOMS):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise NotText("not UTF-16") from None
    view = memoryview(data)
    try:
        check = codecs.getincrementaldecoder("utf-8")()
        for i in range(0, len(data), _CHUNK):
            check.decode(view[i:i + _CHUNK])
        check.decode(b"", final=True)
        utf8 = data
    except UnicodeDecodeError:
        decoder = codecs.getincrementaldecoder("gb18030")()
        try:
            parts = [decoder.decode(view[i:i + _CHUNK]).encode("utf-8") for i in range(0, len(data), _CHUNK)]
            parts.append(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError:
            raise NotText("neither UTF-8 nor GB18030") from None
        del view, data
        utf8 = b"".join(parts)
        del parts
    if b"\x00" in utf8[:HEAD_BYTES]:
        raise NotText("NUL characters")
    return utf8


def decode(data: bytes) -> str:
    """The whole file as text (for small files); NotText as for ``to_utf8``, also for a NUL further on.

    >>> decode(b"\\xef\\xbb\\xbfa,b\\n")
    'a,b\\n'
    """
    text = to_utf8(data).decode("utf-8-sig")
    if "\x00" in text:
        raise NotText("NUL characters")
    return text


def head(utf8: bytes) -> str:
    """The first ``HEAD_BYTES`` of UTF-8 text, decoded; when the file is longer, without its cut last line.

    >>> head(b"a,b\\nc,d\\n")
    'a,b\\nc,d\\n'
    """
    lines = utf8[:HEAD_BYTES].decode("utf-8-sig", errors="ignore").splitlines(keepends=True)
    if len(utf8) > HEAD_BYTES and lines:
        lines = lines[:-1]
    return "".join(lines)


def csv_rows(text: str, sep: str | None = None, limit: int | None = None) -> list[list[str]]:
    """Rows of CSV text (``sep`` None: ``separator(text)``), at most ``limit``; csv.Error on broken quoting.

    >>> csv_rows('a\\t"b\\tc"\\n', limit=1)
    [['a', 'b\\tc']]
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep or separator(text))
    if limit is None:
        return list(reader)
    return [row for _, row in zip(range(limit), reader)]


def separator(text: str, known: Callable[[str], bool] | None = None) -> str:
    """Tab or comma, by one rule over the first HEAD_ROWS rows split either way. In turn: more
    headers the caller ``known``s in one row; more rows split into two or more non-blank fields;
    a wider row; more of it on the first line. A full tie is a comma.

    >>> separator("报表,十月\\n订单编号\\t金额\\t状态\\n"), separator("a,b\\n"), separator("a\\n")
    ('\\t', ',', ',')
    >>> separator("客服\\t金额\\n甲\\t1,234,567\\n", known={"客服", "金额"}.__contains__)
    '\\t'
    """
    def key(sep: str) -> tuple[int, int, int, int]:
        try:
            rows = csv_rows(text, sep, HEAD_ROWS)
        except csv.Error:
            return (-1, -1, -1, -1)
        fields = [[v for v in row if v.strip()] for row in rows]
        hits = max((sum(1 for v in row if known(v)) for row in fields), default=0) if known else 0
        split = sum(1 for row in fields if len(row) > 1)
        first = text.split("\n", 1)[0].count(sep)
        return hits, split, max(map(len, fields), default=0), first

    return "\t" if key("\t") > key(",") else ","
