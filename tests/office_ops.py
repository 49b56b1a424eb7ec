"""What people do in a spreadsheet program, done by LibreOffice through UNO (see uno_actions.py).

    uno_python() -> str | None            a python3 that can ``import uno`` (Debian python3-uno), or None
    perform(path, actions, out=None)      open ``path`` in LibreOffice, do ``actions``, recalculate, save
                                          as .xlsx to ``out`` (default: ``path`` itself, as a user saving);
                                          returns the values asked for with {"op": "get", …}

>>> actions = [{"op": "sort", "sheet": "考核汇总", "range": "A3:Z16", "by": 22, "descending": True}]
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT = 180


@lru_cache(maxsize=1)
def uno_python() -> str | None:
    """``$UNO_PYTHON``, else /usr/bin/python3 or python3 on PATH — the first that imports uno."""
    for cand in (os.environ.get("UNO_PYTHON"), "/usr/bin/python3", shutil.which("python3")):
        if cand and Path(cand).is_file():
            ok = subprocess.run([cand, "-c", "import uno"], capture_output=True, timeout=60)
            if ok.returncode == 0:
                return cand
    return None


def perform(path: str | Path, actions: list[dict], out: str | Path | None = None) -> list:
    """Do ``actions`` to the workbook in LibreOffice and save it (over ``path`` unless ``out``)."""
    python = uno_python()
    if python is None:
        raise RuntimeError("python3-uno not found (apt-get install python3-uno)")
    job = {"path": str(path), "out": str(out or path), "actions": actions}
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    res = subprocess.run([python, str(HERE / "uno_actions.py")], input=json.dumps(job, ensure_ascii=False),
                         capture_output=True, text=True, timeout=TIMEOUT, env=env)
    if res.returncode != 0:
        raise RuntimeError(f"LibreOffice (UNO) failed: {res.stderr.strip()}")
    return json.loads(res.stdout.strip().splitlines()[-1])
