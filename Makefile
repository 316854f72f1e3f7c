# The two commands: `make run` (demo stack) and `make test` (whole suite on PostgreSQL + Redis).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-12)

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/footjournal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# Benchmarks create (and drop) test_<name> on this server; the Redis DB is flushed after each.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/footjournal_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/14

.PHONY: run test test-clock install lint format docs schema bench drills clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# With DJANGO_SETTINGS_MODULE unset the code loads production settings (DEBUG off, a real
# SECRET_KEY required); the local demo and the docs generator opt into development ones.
run docs schema: export DJANGO_SETTINGS_MODULE := $(or $(DJANGO_SETTINGS_MODULE),config.settings.development)
# Links in the demo's emails point at the port the demo listens on, unless APP_BASE_URL is set.
run: export APP_BASE_URL := $(or $(APP_BASE_URL),http://127.0.0.1:$(or $(PORT),8000))
# Without EMAIL_HOST, email goes to the console: the demo's messages print in the worker log.
run: export EMAIL_BACKEND := $(or $(EMAIL_BACKEND),$(if $(EMAIL_HOST),django.core.mail.backends.smtp.EmailBackend,django.core.mail.backends.console.EmailBackend))
run: install
	mkdir -p var/broker/queue var/broker/processed var/broker/control
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) -m config.devstack

test: install
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" \
		$(VENV)/bin/pytest $(PYTEST_ARGS); status=$$?; \
		if [ $$status -eq 5 ]; then echo "no tests ran"; exit 1; fi; exit $$status

# The triage and notify tests with the clock just after and just before local midnight in the
# test patients' zone (tests/factories.py), so that a test that only passes at some hours (an
# entry "an hour ago" is yesterday at 00:30) fails here rather than on someone's late clone.
# The clock is moved in the test process only (tests/clock.py), so tests that start workers or
# servers (-m integration) are left out, and the property tests, which never read the clock.
CLOCK_ZONE ?= Europe/London
CLOCK_TIMES ?= 00:05 23:55
test-clock: install
	for at in $(CLOCK_TIMES); do \
		instant=$$(TZ=$(CLOCK_ZONE) date -d "today $$at" --iso-8601=seconds) || exit 1; \
		echo "== clock at $$instant"; \
		DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" \
			$(VENV)/bin/pytest -q -m "not integration" --clock-at="$$instant" \
			--ignore=tests/triage/test_properties.py tests/triage tests/notify tests/outcomes || exit 1; \
	done

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

docs: install
	$(PY) manage.py triage_docs

# The API contract: regenerate docs/openapi.yaml after changing the API, review the diff, and
# add a line to docs/api-changelog.md. tests/contract/test_schema.py fails while they differ.
schema: install
	$(PY) manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

# Every bench/*.py on a fresh database; appends a dated table to bench/RESULTS.md.
# BENCH_ONLY=ingest,reminders runs a subset.
bench: install
	DATABASE_URL="$(BENCH_DATABASE_URL)" REDIS_URL="$(BENCH_REDIS_URL)" \
		$(PY) bench/run.py $(if $(BENCH_ONLY),--only $(BENCH_ONLY))

# Load test with fault drills on private PostgreSQL/Redis (never the shared ones):
# phones logging/syncing/reading triage for DRILL_SECONDS while PostgreSQL restarts and Redis
# stops; checks 503 + Retry-After, recovery, alerts after Redis, stored == acknowledged.
# The test suite runs a 12-second version (tests/ops/test_drills.py).
DRILL_SECONDS ?= 120
DRILL_USERS ?= 30
DRILL_OUTAGE ?= 15
# Then a rolling restart (loadtest/rolling.py: gunicorn SIGHUP, master replaced by USR2 +
# TERM, Celery worker SIGTERM mid-delivery) and backup and restore (loadtest/backup.py: base
# backup + WAL archive restored to a moment, nightly dump restored; docs/operations.md) and
# hosts apart (loadtest/partitions.py, root: PostgreSQL, Redis, web and worker in network
# namespaces, each link cut for PARTITION_OUTAGE s, then web-PostgreSQL slow and lossy).
# Every drill runs even if one fails; the target fails if any did.
ROLLING_SECONDS ?= 90
ROLLING_USERS ?= 20
BACKUP_SECONDS ?= 90
BACKUP_USERS ?= 20
PARTITION_OUTAGE ?= 15
PARTITION_SLOW ?= 20
PARTITION_USERS ?= 20
drills: install
	status=0; \
	$(PY) -m loadtest.drills --seconds $(DRILL_SECONDS) --users $(DRILL_USERS) --outage $(DRILL_OUTAGE) || status=1; \
	$(PY) -m loadtest.rolling --seconds $(ROLLING_SECONDS) --users $(ROLLING_USERS) || status=1; \
	$(PY) -m loadtest.backup --seconds $(BACKUP_SECONDS) --users $(BACKUP_USERS) || status=1; \
	$(PY) -m loadtest.partitions --outage $(PARTITION_OUTAGE) --slow $(PARTITION_SLOW) --users $(PARTITION_USERS) || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) var
