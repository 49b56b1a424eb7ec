#!/usr/bin/env bash
# The spreadsheet programs the tests use, installed with apt-get when missing and we are allowed to:
#   LibreOffice (headless Calc: soffice)  recalculates generated workbooks, prints them to PDF;
#   python3-uno                           drives LibreOffice from the system python3 (sort, insert, type, save);
#   Gnumeric (ssconvert)                  a second, independent program that recalculates them;
#   CJK fonts and poppler-utils           render printed pages to PNG;
#   the npm package ssf (in .cache/node)  Excel's number-format rules, for tests/test_formats.py.
# Without them the tests that need them skip locally and fail in CI (CI=1).
set -u
# ssf first: it needs only node and npm, not root.
SSF_DIR="$(cd "$(dirname "$0")/.." && pwd)/.cache/node"
if [ ! -f "$SSF_DIR/node_modules/ssf/package.json" ]; then
  if command -v npm >/dev/null 2>&1; then
    npm install --silent --no-audit --no-fund --prefix "$SSF_DIR" ssf@0.11.2 >/dev/null || echo "npm install ssf failed" >&2
  else
    echo "node/npm missing: tests/test_formats.py skips locally and fails in CI (CI=1)." >&2
  fi
fi
missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v ssconvert >/dev/null 2>&1 || missing+=(gnumeric)
# The Debian package serves the system python3, not a pyenv or venv one first on PATH.
SYSTEM_PYTHON=/usr/bin/python3
"$SYSTEM_PYTHON" -c "import uno" >/dev/null 2>&1 || missing+=(python3-uno)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="none"; fi
fi
if [ "$SUDO" = none ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing: ${missing[*]}; they cannot be installed here (needs apt-get as root)." >&2
  echo "Install them yourself; without them the tests that need them are skipped locally and fail in CI (CI=1)." >&2
  exit 0
fi
echo "Installing ${missing[*]} …"
$SUDO apt-get update -qq
# --no-install-recommends keeps LibreOffice headless; Gnumeric still pulls GTK, which ssconvert loads.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
status=0
command -v soffice >/dev/null 2>&1 || { echo "LibreOffice install failed" >&2; status=1; }
command -v ssconvert >/dev/null 2>&1 || { echo "Gnumeric install failed" >&2; status=1; }
"$SYSTEM_PYTHON" -c "import uno" >/dev/null 2>&1 || { echo "python3-uno install failed" >&2; status=1; }
exit $status
