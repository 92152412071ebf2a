# Two commands: `make run` (portal on http://127.0.0.1:8000) and `make test`.
# Both install what they need first and are safe to run again.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install system-deps run test lint clean bench bench-deps

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Cần Node.js/npm để cài Bootstrap và htmx (tài nguyên tĩnh phục vụ tại chỗ)."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# System packages from Debian: Chromium for browser tests (Playwright's own
# browser download is not used), Pango for WeasyPrint (and HarfBuzz's subsetter:
# font subsetting in C, half the PDF-writing time of fontTools), Liberation fonts
# (metric-compatible with Times New Roman, every Vietnamese glyph), poppler's
# pdftoppm to look at printed pages; nginx, PgBouncer and pg_dump for the
# production smoke test (cchc_portal/tests/test_production_smoke.py).
APT_PACKAGES := chromium fonts-liberation2 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils \
	nginx pgbouncer postgresql-client
system-deps:
	@installed=$$(dpkg-query -W -f='$${Status}\n' $(APT_PACKAGES) 2>/dev/null | grep -c "install ok installed" || true); \
	if [ "$$installed" != "$(words $(APT_PACKAGES))" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing $(APT_PACKAGES)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	  else echo "Cần cài: sudo apt-get install $(APT_PACKAGES)"; exit 1; fi; \
	fi

# The benchmark (benchmarks/national.py) compares the plan's PDF with
# LibreOffice's DOCX->PDF; LibreOffice is needed for that row only.
bench-deps: install system-deps
	@command -v soffice >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui >/dev/null; }

bench: bench-deps
	$(PY) benchmarks/national.py $(BENCH_ARGS)

# A secret of its own, made once and kept in var/ (never committed), so the
# portal runs as in production: no debug pages, the Vietnamese 403/404/500.
var/secret_key:
	mkdir -p var
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

run: export DJANGO_DEBUG ?= false
run: export DJANGO_SECRET_KEY_FILE ?= var/secret_key
run: export SITE_URL ?= http://$(HOST)
run: install system-deps var/secret_key
	$(PY) manage.py check_services --core
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo
	$(PY) manage.py send_reminders
	@echo "Cổng CCHC: http://$(HOST)/  (Ctrl+C để dừng)"
	$(VENV)/bin/celery -A cchc_portal worker --beat --concurrency=1 --loglevel=WARNING & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST)

# Style (ruff), the architecture contract (import-linter: apps import
# downwards only, no cycles; see .importlinter and docs/architecture.md) and
# types of the helpers, agencies and services (mypy with django-stubs).
lint: export DJANGO_SETTINGS_MODULE = cchc_portal.settings_test
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

test: export DJANGO_SETTINGS_MODULE = cchc_portal.settings_test
test: install system-deps lint
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) node_modules var
