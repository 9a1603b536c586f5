# Django Channels, live: the two commands are `make course` and `make test`.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8888
LESSON ?= 0
STAMP     := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

# The offline workshop kit (make wheelhouse): every pinned wheel for these platforms and Pythons.
WHEELHOUSE ?= wheelhouse
PLATFORMS  ?= linux-x86_64 linux-aarch64 macos-x86_64 macos-arm64
PYTHONS    ?= 3.11 3.12 3.13 3.14
DEV        ?=
# Extra pip install options, for example --no-compile (the wheelhouse test uses it).
PIP_INSTALL_FLAGS ?=

PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check $(PIP_INSTALL_FLAGS)
# With a wheelhouse, the learner's packages come from it and never from an index. The maintainers' come from it too
# when it was built with DEV=1 (it then holds a .dev file); otherwise from the index, the wheelhouse first.
OFFLINE     := $(if $(wildcard $(WHEELHOUSE)/*.whl),--no-index --find-links $(WHEELHOUSE))
DEV_OFFLINE := $(if $(wildcard $(WHEELHOUSE)/.dev),$(OFFLINE),$(if $(OFFLINE),--find-links $(WHEELHOUSE)))

.PHONY: course test reliability reset restore doctor lint wheelhouse clean

course: $(STAMP)  ## open JupyterLab on the first lesson (PORT=NNNN picks the port)
	@$(PY) -m coursekit lab --port $(PORT)

# Python keeps compiled modules (in git-ignored __pycache__/ folders) even where the environment says not to:
# the suite starts hundreds of Python processes, and compiling coursekit and the project in each costs more than the
# lessons' own work in some of them.
# Three workers on 2 cores: with two, the cores sat idle about a third of the time (the suite waits on PyPI, on
# time limits, on restarts and on lessons' clients), and a third worker fills it: 175 s rather than 245 s here.
# A fourth gained little more and brought lesson 14 nearer its 30 s budget.
test: $(DEV_STAMP)  ## run every check: coursekit, notebooks under nbval, exercises, browser
	@PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n 3 --dist loadfile --no-loadscope-reorder

reliability: $(DEV_STAMP)  ## every lesson three times on one project: once, again in the same kernel, after a restart
	@PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n 3 --dist loadfile --no-loadscope-reorder notebooks --lesson-runs 3

reset: $(STAMP)  ## bring course_project/ to the start of LESSON (default 0)
	@$(PY) -m coursekit reset $(LESSON)

restore: $(STAMP)  ## the course's copy of lesson or exercise WHAT again (yours goes to .course/backups/)
	@$(if $(WHAT),,echo "Say what to restore: make restore WHAT=04 (a lesson) or WHAT=04_echo (an exercise)."; exit 2)
	@$(PY) -m coursekit restore $(WHAT)

doctor: $(STAMP)  ## check this machine for the course
	@$(PY) -m coursekit doctor

lint: $(DEV_STAMP)
	@$(VENV)/bin/ruff check coursekit tests exercises solutions notebooks

# The virtual environment, created once.
$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 14) else "The course needs Python 3.11 to 3.14 (its pinned packages have wheels for those), not %d.%d: run make with PYTHON=/path/to/python3.13, for example." % sys.version_info[:2])'
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "Could not create $(VENV) with $(PYTHON). On Debian or Ubuntu, Python's venv module is a separate package (python3-venv); or run make with PYTHON= set to another Python 3.11 to 3.14 (pyenv, uv, python.org)."; exit 1; }

# The learner's packages (requirements.txt), installed again when it changes. The .pth
# file puts the checkout on the path, so notebooks (which run in notebooks/)
# and daphne import coursekit without an install step.
$(STAMP): requirements.txt | $(PY)
	@echo "Installing the course's pinned packages into $(VENV) $(if $(OFFLINE),from $(WHEELHOUSE)/ (offline: pip --no-index),(once))..."
	@$(PIP_INSTALL) $(OFFLINE) -r requirements.txt
	@$(PY) -c 'import site, pathlib; pathlib.Path(site.getsitepackages()[0], "django_channels_course.pth").write_text(str(pathlib.Path.cwd()) + "\n")'
	@touch $@

# The maintainers' tooling on top (requirements-dev.txt): make test and make lint need it, make course does not.
$(DEV_STAMP): $(STAMP) requirements-dev.txt
	@echo "Installing the maintainers' test tooling into $(VENV) (once)..."
	@$(PIP_INSTALL) $(DEV_OFFLINE) -r requirements.txt -r requirements-dev.txt
	@touch $@

# Every pinned wheel, for a workshop without wifi: copy the checkout with wheelhouse/ to each laptop and
# `make course` installs from it. PLATFORMS=linux-x86_64 PYTHONS=3.12 makes a smaller kit; DEV=1 adds the
# maintainers' tooling (whose macOS wheels need macOS 13).
wheelhouse: | $(PY)
	@mkdir -p $(WHEELHOUSE)
	@for platform in $(PLATFORMS); do \
	  for python in $(PYTHONS); do \
	    for file in requirements.txt $(if $(DEV),requirements-dev.txt); do \
	      case $$platform:$$file in \
	        linux-*) arch=$${platform#linux-}; tags=""; \
	          for glibc in 28 27 26 25 24 23 22 21 20 19 18 17 16 15 14 13 12 11 10 9 8 7 6 5; do \
	            tags="$$tags --platform manylinux_2_$${glibc}_$$arch"; done; \
	          tags="$$tags --platform manylinux2014_$$arch";; \
	        macos-*:requirements.txt) tags="--platform macosx_11_0_$${platform#macos-}";; \
	        macos-*) tags="--platform macosx_13_0_$${platform#macos-}";; \
	        *) echo "PLATFORMS: $$platform is not one of linux-x86_64 linux-aarch64 macos-x86_64 macos-arm64"; exit 1;; \
	      esac; \
	      echo "Downloading the wheels of $$file for $$platform, Python $$python into $(WHEELHOUSE)/..."; \
	      $(PY) -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: $$tags \
	        --python-version $$python --implementation cp --abi cp$$(echo $$python | tr -d .) \
	        -r $$file -d $(WHEELHOUSE) || exit 1; \
	    done; \
	  done; \
	done
	@$(if $(DEV),touch $(WHEELHOUSE)/.dev,rm -f $(WHEELHOUSE)/.dev)
	@echo "$(WHEELHOUSE)/ holds $$(ls $(WHEELHOUSE) | wc -l) wheels ($$(du -sh $(WHEELHOUSE) | cut -f1)): make course installs from it without the network."

clean:  ## remove the virtual environment and the course's run files
	rm -rf $(VENV) .course
