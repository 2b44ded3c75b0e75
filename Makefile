# The two commands: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test fuzz venv setup lint format messages bench bench-quick clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP)

# Local development settings, written once and git-ignored: debug pages on and a secret key of
# this checkout's own, so every command in the README works here as written.
.env:
	@$(BIN)/python -c "import secrets; print('# Written once by make run for local development; never commit it.'); print('DJANGO_DEBUG=1'); print('DJANGO_SECRET_KEY=' + secrets.token_urlsafe(48))" > $@
	@echo "wrote .env (local development settings)"

setup: venv .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py create_demo_admin

run: setup
	@echo "Serving http://$(HOST):$(PORT)/ (admin at /admin/). Ctrl-C stops."
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Generated-input tests with a large budget (about 15,000 requests over every URL pattern);
# set DATABASE_URL to run them on PostgreSQL. Totals land in test-output/fuzz-web.json.
fuzz: venv
	TRACKER_FUZZ=1 $(BIN)/python -m pytest -m fuzz $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=1 $(BIN)/mypy .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# After changing a translatable string: collect the strings of the public pages into the Spanish
# and French catalogs (needs GNU gettext's xgettext and msgmerge), translate what is new in
# locale/*/LC_MESSAGES/django.po, and run it again to compile the .mo files (pure Python, babel).
messages: venv .env
	$(BIN)/python manage.py makemessages -l es -l fr --no-location --no-obsolete \
		--ignore=.venv --ignore='templates/admin/*' --ignore='tests/*' --ignore='bench/*' \
		--ignore='demo/*' --ignore='var/*'
	$(BIN)/pybabel compile -d locale -D django --statistics

bench: venv
	$(BIN)/python bench/run.py --size full

bench-quick: venv
	$(BIN)/python bench/run.py --size quick

clean:
	rm -rf $(VENV) var/tracker.sqlite3 var/static
