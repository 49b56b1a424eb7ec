"""The demo books every generic month-end test looks at, built once per session: scheme A appraised
for 2026-09 and 2026-10 plus a customer archive, scheme B for the same months, and the sample
appraised for 2026-10 with --lang en. ``generated(path)`` names the tabs xlreports wrote (those
carrying its ownership mark), so the tests cover sheets other layouts add without naming them."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from xlreports.excel.write.plan import MARK_NAME
from xlreports.jobs.appraise import AppraiseOptions, appraise
from xlreports.jobs.archive import ArchiveOptions, archive
from xlreports.samples import build_order_exports, build_sample


@pytest.fixture(scope="session")
def demo_books(tmp_path_factory) -> dict[str, Path]:
    """name → workbook: "A", "B" (two months each, A with the archive), "en" (one month, --lang en)."""
    src = build_sample(tmp_path_factory.mktemp("demo") / "shop_sample.xlsx")
    out = {}
    for scheme in ("A", "B"):
        path = tmp_path_factory.mktemp(f"demo-{scheme}") / "shop.xlsx"
        shutil.copyfile(src, path)
        for month in ("2026-09", "2026-10"):
            appraise(path, AppraiseOptions(month=month, scheme=scheme, backup=False))
        out[scheme] = path
    archive(out["A"], ArchiveOptions(orders=build_order_exports(tmp_path_factory.mktemp("orders")),
                                     today=date(2026, 11, 23), backup=False))
    en = tmp_path_factory.mktemp("demo-en") / "shop.xlsx"
    shutil.copyfile(src, en)
    appraise(en, AppraiseOptions(month="2026-10", lang="en", backup=False))
    out["en"] = en
    return out


def generated(wb: openpyxl.Workbook) -> list[str]:
    """The tabs xlreports wrote (its mark, a sheet-scoped defined name, on each), in tab order."""
    return [ws.title for ws in wb.worksheets if MARK_NAME in ws.defined_names]
