#!/usr/bin/env python3
"""Render a workbook's pages to PNG through LibreOffice and poppler, to look at what we make.

    python scripts/preview.py BOOK.xlsx OUTDIR [--dpi 70]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from libreoffice import to_png  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("book")
    p.add_argument("outdir")
    p.add_argument("--dpi", type=int, default=70)
    args = p.parse_args()
    Path(args.outdir).mkdir(parents=True, exist_ok=True)
    for page in to_png(args.book, args.outdir, dpi=args.dpi):
        print(page)


if __name__ == "__main__":
    main()
