# Two commands on a fresh machine:  make demo   and   make test
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed

.PHONY: install demo test bench bench-archive bench-chats preview clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Build the sample shop workbook and run three months of appraisal on it.
demo: $(STAMP)
	$(VENV)/bin/xlreports demo --dir out/demo

## The whole test suite, with LibreOffice and Gnumeric recalculating what we write (installed if missing and possible).
test: $(STAMP)
	bash scripts/ensure-spreadsheet-programs.sh
	$(PY) -m pytest -q --doctest-modules xlreports tests

## Speed and memory figures (printed, not asserted).
bench: $(STAMP)
	$(PY) benchmarks/bench_appraise.py --agents 500 --forms single
	$(PY) benchmarks/bench_appraise.py --agents 500 --forms tabs --repeat 1
	$(PY) benchmarks/bench_appraise.py --agents 500 --days 31 --accounts 2 --forms single --repeat 1

## Customer archive: 1,000,000 orders (GBK CSV and .xlsx, generated once, cached in /tmp), first run and rebuild, against the plain pandas pipeline.
bench-archive: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) benchmarks/bench_archive.py --rows 1000000 --rebuild

## Chat KPIs engine: a month of a 20-agent shop, 300,000 messages and 40,000 orders (generated in memory).
bench-chats: $(STAMP)
	$(PY) benchmarks/bench_chats.py --agents 20 --messages 300000 --orders 40000

## PNG pictures of the demo workbook's pages, to look at what we make.
preview: demo
	$(PY) scripts/preview.py out/demo/shop_sample.xlsx out/preview

clean:
	rm -rf $(VENV) out .pytest_cache *.egg-info
