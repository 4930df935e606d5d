# Two commands on a fresh clone: `make demo` and `make test`. Both set up .venv first and change
# nothing outside the project. `make browser` (as root) installs Chromium for the browser test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The CPU build of torch, pinned so pip never resolves a multi-GB CUDA build.
TORCH  ?= torch==2.13.0
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

# Debian's Chromium, for the browser test and `make screenshot`: `make browser` installs it when
# missing and we may (root, apt-get); without it the browser test is skipped. The Python side's
# path and launch flags: policybrief/browser.py.
CHROMIUM := /usr/bin/chromium

.PHONY: setup demo test lint browser screenshot clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e '.[dev]' "$(TORCH)"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/brief ingest
	$(BIN)/brief generate ai-independence
	@echo "Briefing written to briefings/ai-independence/briefing.md (and briefing.html)"

test: lint
	$(BIN)/python -m pytest

browser: $(CHROMIUM)

$(CHROMIUM):
	-if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "chromium is not installed: the browser test will be skipped"; fi

screenshot: $(STAMP) browser
	$(BIN)/python scripts/screenshot.py

lint: $(STAMP)
	$(BIN)/ruff check policybrief tests scripts
	$(BIN)/ruff format --check policybrief tests scripts
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .policybrief .pytest_cache .mypy_cache .ruff_cache
