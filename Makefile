# Two commands do everything on a fresh machine with python3 and pip:
#   make demo   -- build a virtual environment, then run the main job on the built-in demo corpus
#   make test   -- build a virtual environment, then run the test suite (what CI runs)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.emoact-installed
PIP    := $(BIN)/python -m pip install --disable-pip-version-check -c constraints.txt

.PHONY: demo test install readme docs wheel-check clean help slim gpu-wheels
help:
	@echo "make demo         run the main job on the built-in demo corpus (creates $(VENV) first)"
	@echo "make test         clean/sync checks and every notebook's tests; ends with 'N passed, M failed'"
	@echo "make readme       regenerate README.md from nbs/index.ipynb (no Quarto needed)"
	@echo "make docs         build the docs site (MkDocs: sidebar, search) in _docs_html/ and list any problems; no Quarto needed"
	@echo "make slim         shrink saved notebook outputs: no progress bars or machine paths, palette PNGs (tools/slim.py)"
	@echo "make gpu-wheels   download the wheels tools/gpu_check.sh installs on a GPU machine without a package registry"
	@echo "make wheel-check  build the wheel, install it into a fresh venv, run 'emoact --help', synth and info there"

$(STAMP): setup.py settings.ini constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) -e '.[dev]'
	touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/emoact demo --out demo-out

test: $(STAMP)
	$(BIN)/python tools/test.py

readme: $(STAMP)
	$(BIN)/python tools/readme.py

slim: $(STAMP)
	$(BIN)/python tools/slim.py

gpu-wheels: $(STAMP)
	$(BIN)/python -m pip download --disable-pip-version-check --no-deps -c constraints.txt -d tools/gpu_wheels fastcore soundfile

docs: $(STAMP)
	$(BIN)/python tools/docs.py

wheel-check: $(STAMP)
	rm -rf build/wheel-check && mkdir -p build/wheel-check
	$(BIN)/python -m pip wheel --no-deps -w build/wheel-check .
	$(PYTHON) -m venv build/wheel-check/venv
	build/wheel-check/venv/bin/python -m pip install --disable-pip-version-check -q -c constraints.txt build/wheel-check/emoact-*.whl
	cd build && wheel-check/venv/bin/python -c "import emoact, emoact.cli; print('import emoact', emoact.__version__, 'from', emoact.__file__)"
	cd build && wheel-check/venv/bin/emoact --help
	cd build && wheel-check/venv/bin/emoact synth wheel-check/corpus --n-clips 20 && wheel-check/venv/bin/emoact info wheel-check/corpus

clean:
	rm -rf build dist *.egg-info _proc _docs _docs_html demo-out
