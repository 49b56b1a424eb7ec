#!/usr/bin/env python3
"""Write the sample shop workbook (fictional agents, fixed seed): the generator lives in xlreports.samples.

    python samples/make_sample.py [OUT]        # default: samples/shop_sample.xlsx
"""
from __future__ import annotations

import sys
from pathlib import Path

from xlreports.samples import build_sample

DEFAULT_OUT = Path(__file__).resolve().parent / "shop_sample.xlsx"


def main(argv: list[str] | None = None) -> Path:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) > 1 or (argv and argv[0] in ("-h", "--help")):
        print(__doc__.strip().splitlines()[2].strip())
        raise SystemExit(0 if argv and argv[0] in ("-h", "--help") else 2)
    out = build_sample(Path(argv[0]) if argv else DEFAULT_OUT)
    print(out)
    return out


if __name__ == "__main__":
    main()
