# Two commands on a fresh clone: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The CPU build of torch, pinned so pip never resolves a multi-GB CUDA build.
TORCH  ?= torch==2.13.0
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup demo test lint bench-retrieval clean

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

lint: $(STAMP)
	$(BIN)/ruff check policybrief tests scripts
	$(BIN)/ruff format --check policybrief tests scripts
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .policybrief .pytest_cache .mypy_cache .ruff_cache
