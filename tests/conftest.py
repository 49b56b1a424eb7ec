import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # so tests can `import libreoffice`


def _templates_of_this_tree() -> None:
    """An editable install maps xlreports.templates to the tree it was installed from; a test run from
    another checkout (a git worktree, PYTHONPATH=$PWD) reads this tree's templates (labels, schemes)."""
    import importlib.util

    import xlreports
    import xlreports.templates

    here = Path(__file__).resolve().parent.parent / "templates"
    if here.is_dir() and Path(xlreports.templates.__file__).resolve().parent != here:
        spec = importlib.util.spec_from_file_location("xlreports.templates", here / "__init__.py",
                                                      submodule_search_locations=[str(here)])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules["xlreports.templates"] = xlreports.templates = module


_templates_of_this_tree()

# Run by the system python3 (Debian python3-uno) in a subprocess, never imported by pytest.
collect_ignore = ["uno_actions.py"]


def pytest_configure(config):
    # slow tests run in the suite like every other; the mark lets a quick local run skip them (-m "not slow")
    config.addinivalue_line("markers", "slow: takes minutes (a million rows written and read back)")


def _libreoffice_required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("XLREPORTS_REQUIRE_LIBREOFFICE") == "1"


def _required(path: str | None, missing: str) -> str:
    """``path``, or skip the test (fail it when CI or XLREPORTS_REQUIRE_LIBREOFFICE=1 is set)."""
    if path is None:
        if _libreoffice_required():
            pytest.fail(missing + ": it is required when CI or XLREPORTS_REQUIRE_LIBREOFFICE=1 is set")
        pytest.skip(missing)
    return path


@pytest.fixture(scope="session")
def soffice():
    """Path of the soffice executable; skips the test without LibreOffice, fails instead in CI."""
    from libreoffice import soffice_path

    return _required(soffice_path(), "LibreOffice (soffice) not found")


@pytest.fixture(scope="session")
def uno_python():
    """The Python that has LibreOffice's UNO bridge (python3-uno); skips without it, fails in CI."""
    from office_ops import uno_python as find

    return _required(find(), "python3-uno (LibreOffice's UNO bridge for the system python3) not found")
