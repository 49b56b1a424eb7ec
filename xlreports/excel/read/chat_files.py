"""Where chat records are: files and folders given with ``--chats``, and the book's 聊天记录 sheets.

A .txt is 千牛's copied text (:mod:`~xlreports.excel.read.qianniu_text`); an .xlsx/.csv is a table of
messages (:mod:`~xlreports.excel.read.chat_table`): in a workbook, every sheet whose first rows hold
the chat header. Everything is read before anything is judged, so all problems come at once.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "a.txt").write_text("[tb_1] 2026-10-03 09:00:05\\n在吗\\n店:小王 2026-10-03 09:00:40\\n在\\n")
>>> _ = (d / "b.csv").write_text("时间,客服,买家,发送方\\n2026-10-03 10:00:00,店:小李,tb_2,买家\\n")
>>> read = read_chats([d])
>>> [(m.agent, m.where) for m in read.messages]
[('店:小王', 'a.txt:1'), ('店:小王', 'a.txt:3'), ('店:小李', 'b.csv!A2')]
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from xlreports.errors import XlreportsError
from xlreports.excel.read.chat_table import SHEET_NAME, ChatRead, is_chat_table, read_chat_table
from xlreports.excel.read.qianniu_text import read_qianniu_file
from xlreports.excel.read.source import WorkbookRows

TEXT_SUFFIXES = (".txt",)
TABLE_SUFFIXES = (".xlsx", ".xlsm", ".csv")


def chat_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; a folder gives its .txt/.xlsx/.csv files (and its subfolders'), by name."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith(("~$", "."))
                          and f.suffix.lower() in TEXT_SUFFIXES + TABLE_SUFFIXES)
        elif not p.exists():
            raise XlreportsError(f"找不到聊天记录：{p}")
        else:
            out.append(p)
    return out


def read_chats(paths: Iterable[str | Path], book=None, accounts: Iterable[str] = ()) -> ChatRead:
    """Every message of the files (and of ``book``'s 聊天记录 sheets, a RowsSource), problems and skips summed.

    ``accounts``: 客服名册's 账号, which mark the shop side in copied text."""
    accounts = frozenset(accounts)
    out = ChatRead()
    if book is not None:
        for name in book.names:
            if name.strip().startswith(SHEET_NAME):
                out.add(read_chat_table(book.rows(name)))
    for path in chat_files(paths):
        suffix = path.suffix.lower()
        if suffix in TEXT_SUFFIXES:
            out.add(read_qianniu_file(path, accounts))
        elif suffix in TABLE_SUFFIXES:
            out.add(_read_table_file(path))
        else:
            raise XlreportsError(f"{path.name}：聊天记录应为千牛复制的 .txt，或 .xlsx / .csv 表格")
    return out


def _read_table_file(path: Path) -> ChatRead:
    out = ChatRead()
    with WorkbookRows(path) as wb:
        if path.suffix.lower() == ".csv":
            return read_chat_table(wb.rows(wb.names[0]), path.name)
        sheets = [wb.rows(n) for n in wb.names]
        chats = [s for s in sheets if is_chat_table(s)] or sheets[:1]
        for rows in chats:
            out.add(read_chat_table(rows, f"{path.name}:{rows.sheet}" if len(wb.names) > 1 else path.name))
    return out
