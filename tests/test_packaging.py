"""A fresh `pip install .` gets every module: the wheel built from setup.cfg holds each .py under
xlreports/, the packaged templates and the add-in sources (a package missing from setup.cfg's list
works in a source checkout and breaks only for users)."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_holds_every_module_and_data_file(tmp_path):
    src = tmp_path / "src"  # a copy, so the build leaves nothing in the checkout
    for name in ("xlreports", "templates", "workbook_macros"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                          "-w", str(tmp_path), str(src)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    (wheel,) = tmp_path.glob("xlreports-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "xlreports").rglob("*.py")}
    assert modules - names == set()
    for data in ("xlreports/templates/schemes/scheme_a.json", "xlreports/templates/messages/付款关怀.j2",
                 "xlreports/workbook_macros/xlreports.bas", "xlreports/workbook_macros/customUI14.xml"):
        assert data in names
