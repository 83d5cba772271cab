# Atelier: `make run` starts the embedded shop (SQLite, local media, filesystem Celery broker);
# `make test` runs the whole suite. Both create the virtualenv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv worker bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

run: venv
	mkdir -p var/log
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo
	DEBUG=$${DEBUG:-1} $(PY) manage.py collectstatic --noinput -v 0
	@echo "Starting the Celery worker (queues default, ml, with the periodic sweep); log in var/log/worker.log"
	-test -f var/worker.pid && kill $$(cat var/worker.pid) 2>/dev/null; sleep 1
	DEBUG=$${DEBUG:-1} $(VENV)/bin/celery -A ecommerce worker -Q default,ml --concurrency=2 --prefetch-multiplier=1 \
		--beat --schedule=var/celerybeat-schedule \
		--loglevel=INFO --logfile=var/log/worker.log --pidfile=var/worker.pid --detach
	@echo "Storefront: http://$(HOST):$(PORT)/   Admin: http://$(HOST):$(PORT)/admin/"
	trap 'kill $$(cat var/worker.pid) 2>/dev/null' EXIT INT TERM; \
		DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

worker: venv
	DEBUG=$${DEBUG:-1} $(VENV)/bin/celery -A ecommerce worker -Q default,ml --concurrency=2 --prefetch-multiplier=1 --loglevel=INFO

test: venv
	$(PY) -m pytest

bench: venv
	for b in bench/[!_]*.py; do echo "== $$b"; $(PY) $$b; done

clean:
	rm -rf var/ .pytest_cache
