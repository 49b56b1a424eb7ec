#!/usr/bin/env bash
# LibreOffice (headless Calc) recalculates generated workbooks in the tests; CJK fonts and poppler
# render pages to PNG. Installs them with apt-get when missing and we are allowed to.
set -u
if command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="none"; fi
fi
if [ "$SUDO" = none ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "LibreOffice not found and cannot be installed here (needs apt-get as root)." >&2
  echo "Install libreoffice-calc (headless) yourself; without it the recalculation tests are skipped locally" >&2
  echo "and fail in CI (CI=1)." >&2
  exit 0
fi
echo "Installing LibreOffice Calc (headless), CJK fonts and poppler-utils …"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  libreoffice-calc-nogui fonts-noto-cjk poppler-utils >/dev/null
command -v soffice >/dev/null 2>&1 || { echo "LibreOffice install failed" >&2; exit 1; }
