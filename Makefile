# Django Channels, live: the two commands are `make course` and `make test`.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8888
LESSON ?= 0
STAMP  := $(VENV)/.installed

.PHONY: course test reset doctor lint clean

course: $(STAMP)  ## open JupyterLab on the first lesson (PORT=NNNN picks the port)
	@$(PY) -m coursekit lab --port $(PORT)

test: $(STAMP)  ## run every check: coursekit, notebooks under nbval, exercises, browser
	@$(PY) -m pytest -n 2 --dist loadfile

reset: $(STAMP)  ## bring course_project/ to the start of LESSON (default 0)
	@$(PY) -m coursekit reset $(LESSON)

doctor: $(STAMP)  ## check this machine for the course
	@$(PY) -m coursekit doctor

lint: $(STAMP)
	@$(VENV)/bin/ruff check coursekit tests exercises solutions notebooks

# The virtual environment is rebuilt when requirements.txt changes. The .pth
# file puts the checkout on the path, so notebooks (which run in notebooks/)
# and daphne import coursekit without an install step.
$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 14) else "The course needs Python 3.11 to 3.14 (its pinned packages have wheels for those), not %d.%d: run make with PYTHON=/path/to/python3.13, for example." % sys.version_info[:2])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "Could not create $(VENV) with $(PYTHON). On Debian or Ubuntu, Python's venv module is a separate package (python3-venv); or run make with PYTHON= set to another Python 3.11 to 3.14 (pyenv, uv, python.org)."; exit 1; }
	@echo "Installing the course's pinned packages into $(VENV) (once)..."
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@$(PY) -c 'import site, pathlib; pathlib.Path(site.getsitepackages()[0], "django_channels_course.pth").write_text(str(pathlib.Path.cwd()) + "\n")'
	@touch $@

clean:  ## remove the virtual environment and the course's run files
	rm -rf $(VENV) .course
