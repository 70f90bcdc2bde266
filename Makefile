# Two commands do everything: `make lab` and `make test` (see README.md).
# Both install what is missing first and are quick when nothing changed.

VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
# The CPU build of torch; on this kind of machine its wheel lies on disk.
TORCH   ?= torch==2.13.0
STAMP   := $(VENV)/.installed
# smdebug itself, in its own environment (it needs numpy < 2.3 and protobuf 3.20): the
# tests check that its create_trial reads what our debugger hook writes.
SMDEBUG_VENV  ?= .venv-smdebug
SMDEBUG_STAMP := $(SMDEBUG_VENV)/.installed
# SageMaker's own SDK, v2 (with the AWS CLI) and v3, each in its own environment (their
# pins fight ours): the tests check that they work unchanged against the local AWS endpoint.
SAGEMAKER2_VENV  ?= .venv-sagemaker2
SAGEMAKER2_STAMP := $(SAGEMAKER2_VENV)/.installed
SAGEMAKER3_VENV  ?= .venv-sagemaker3
SAGEMAKER3_STAMP := $(SAGEMAKER3_VENV)/.installed
SYSTEM_PACKAGES := libkrb5-dev chromium
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
export OMP_NUM_THREADS ?= 1
# The suite runs test modules on two pytest-xdist workers, a module at a time (module fixtures stay
# shared; tests that start a Ray cluster take turns); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2

.PHONY: lab test install system-packages bench clean

lab: install $(SAGEMAKER2_STAMP)
	$(VENV)/bin/jupyter lab notebooks/quickstart.ipynb $(ROOT_FLAG) --LabApp.news_url=None

test: install $(SMDEBUG_STAMP) $(SAGEMAKER2_STAMP) $(SAGEMAKER3_STAMP)
	SMDEBUG_PYTHON=$(abspath $(SMDEBUG_VENV))/bin/python \
	SAGEMAKER2_PYTHON=$(abspath $(SAGEMAKER2_VENV))/bin/python \
	SAGEMAKER3_PYTHON=$(abspath $(SAGEMAKER3_VENV))/bin/python $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: install
	$(PY) benchmarks/job_overhead.py
	$(PY) benchmarks/sidebar_api.py
	$(PY) benchmarks/tuning.py
	$(PY) benchmarks/pipeline.py
	$(PY) benchmarks/tracking.py
	$(PY) benchmarks/debugger.py
	$(PY) benchmarks/serving.py
	$(PY) benchmarks/compile.py
	$(PY) benchmarks/monitor.py
	$(PY) -m pip install --quiet "flaml[automl]"
	$(PY) benchmarks/automl.py
	$(PY) benchmarks/livy.py
	$(PY) benchmarks/aws_api.py
	$(PY) benchmarks/scale.py

install: $(STAMP)

$(STAMP): pyproject.toml package.json Makefile $(wildcard labextension/src/*.ts labextension/style/*)
	$(MAKE) system-packages
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH)"
	$(PY) -m pip install --quiet -e ".[all]"
	touch $(STAMP)

$(SMDEBUG_STAMP): Makefile
	test -x $(SMDEBUG_VENV)/bin/python || $(PYTHON) -m venv $(SMDEBUG_VENV)
	$(SMDEBUG_VENV)/bin/python -m pip install --quiet "smdebug==1.0.34" "numpy<2.3" "protobuf==3.20.3" \
	  requests pandas psutil boto3
	touch $(SMDEBUG_STAMP)

# It is also a notebook kernel, "Python (SageMaker SDK v2)", for notebooks brought from SageMaker.
$(SAGEMAKER2_STAMP): Makefile $(STAMP)
	test -x $(SAGEMAKER2_VENV)/bin/python || $(PYTHON) -m venv $(SAGEMAKER2_VENV)
	$(SAGEMAKER2_VENV)/bin/python -m pip install --quiet "sagemaker>=2.250,<3" awscli ipykernel \
	  scikit-learn matplotlib
	$(SAGEMAKER2_VENV)/bin/python -m ipykernel install --prefix $(abspath $(VENV)) --name sagemaker-sdk2 \
	  --display-name "Python (SageMaker SDK v2)" >/dev/null
	touch $(SAGEMAKER2_STAMP)

$(SAGEMAKER3_STAMP): Makefile
	test -x $(SAGEMAKER3_VENV)/bin/python || $(PYTHON) -m venv $(SAGEMAKER3_VENV)
	$(SAGEMAKER3_VENV)/bin/python -m pip install --quiet "sagemaker>=3,<4"
	touch $(SAGEMAKER3_STAMP)

# sparkmagic's Kerberos dependency (gssapi) compiles against krb5-config; the
# sidebar's browser tests drive Debian's Chromium.
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

clean:
	rm -rf $(VENV) $(SMDEBUG_VENV) $(SAGEMAKER2_VENV) $(SAGEMAKER3_VENV) build dist *.egg-info
