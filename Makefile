# Two commands: `make run` starts the whole assistant, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

RASA_PORT ?= 5005
ACTIONS_PORT ?= 5055
API_PORT ?= 8000
API_HOST ?= 127.0.0.1
export RASA_PORT ACTIONS_PORT API_PORT API_HOST
export RASA_URL ?= http://127.0.0.1:$(RASA_PORT)
export ACTION_SERVER_URL ?= http://127.0.0.1:$(ACTIONS_PORT)
export ACTION_ENDPOINT_URL ?= $(ACTION_SERVER_URL)/webhook
export API_URL ?= http://127.0.0.1:$(API_PORT)
export NLG_URL ?= $(API_URL)/nlg
# How Rasa generates responses (bot/endpoints.yml): left for the API's gateway to render, or `callback`.
export RASA_NLG_TYPE ?= botserver.deferred_render.DeferredRender
export PUBLIC_BASE_URL ?= http://localhost:$(API_PORT)
export RASA_TRACKER_DB ?= $(CURDIR)/var/rasa-tracker.db
# bot/endpoints.yml reads its stores from the environment: SQLite trackers and an in-memory lock
# store unless the production profile (deploy/profile.py) says PostgreSQL and Redis.
export RASA_TRACKER_DIALECT ?= sqlite
export RASA_TRACKER_URL ?=
export RASA_LOCK_STORE ?= in_memory
export REDIS_HOST ?=
export REDIS_PORT ?= 6379
export REDIS_DB ?= 0
export RASA_LOCK_KEY_PREFIX ?=
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONUNBUFFERED := 1

APP := .venv-app/bin
BOT := .venv-bot/bin
# development: one process of each, SQLite; production: several instances behind HAProxy, PostgreSQL
# and Redis (docs/deploy.md).
PROFILE ?= development

.PHONY: help setup lock env-file locales migrate train run status test eval-nlu locales-check locales-report locales-update bench admin \
        purge clean import-facilities directory-coverage

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' Makefile | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

setup:  ## create or update both virtual environments
	@scripts/setup_envs.sh
	@mkdir -p var && chmod 700 var

lock:  ## upgrade both environments to the newest versions pyproject.toml allows and rewrite requirements/*.lock
	@LOCK=refresh scripts/setup_envs.sh


env-file:  ## write strong local secrets to .env (git-ignored) if it lacks them; deploy/profile.py gives them to every process
	@python3 scripts/make_env.py

locales: setup  ## compile the translation catalogs (.po -> .mo)
	@$(APP)/python -m api.nlg.commands compile

migrate: setup  ## bring the database schema up to date (DATABASE_URL, default SQLite var/app.db)
	@$(APP)/alembic upgrade head

train: setup  ## train the Rasa model if its data or config changed
	@$(APP)/python scripts/train_model.py

run: setup locales migrate train  ## start every process under supervisord (PROFILE=development|production)
	@$(if $(filter production,$(PROFILE)),scripts/setup_load_balancer.sh,python3 scripts/make_env.py)
	@exec $(APP)/python deploy/profile.py $(PROFILE)

status:  ## what each process of the running profile is doing (PROFILE=development|production)
	@$(APP)/supervisorctl -c var/run/$(PROFILE)/supervisord.conf status

test: setup locales train  ## run every test suite (unit, Rasa validation and stories, end to end, browser)
	@scripts/setup_test_tools.sh
	@scripts/run_tests.sh

eval-nlu: train  ## NLU evaluation on the held-out split; writes reports/
	@$(BOT)/python scripts/eval_nlu.py --model bot/models/current.tar.gz --eval-dir bot/eval/nlu --out reports

locales-check: setup  ## per-language coverage; fails on missing fr/en/ar, placeholder or length errors
	@$(APP)/python -m api.nlg.commands check

locales-report: setup  ## per language, the share of the messages a person receives in it (text, audio, only French)
	@$(APP)/python -m api.nlg.commands receives

locales-update: setup  ## extract the message template and merge it into every catalog
	@$(APP)/python -m api.nlg.commands update
	@$(APP)/python -m api.console.catalog update

bench: train  ## print parse latency, claim-next throughput and conversation load (against a running `make run`)
	@$(BOT)/python bench/nlu_parse_latency.py --model bot/models/current.tar.gz
	@$(APP)/python bench/claim_next.py
	@$(APP)/python bench/conversations.py --profile $(PROFILE)

import-facilities: migrate  ## import OpenStreetMap health facilities: make import-facilities FILE=extract.geojson
	@test -n "$(FILE)" || { echo "usage: make import-facilities FILE=path/to/extract.geojson"; exit 2; }
	@$(APP)/python -m api.directory.importer "$(FILE)" $(if $(WITHDRAW_MISSING),--withdraw-missing,)

directory-coverage: migrate  ## per town: nearest public hospital and health centre, share within 30 km
	@$(APP)/python bench/directory_coverage.py

admin: migrate  ## create the first admin account (asks for the password)
	@$(APP)/python -m api.cli create-admin

purge: migrate  ## apply the retention limits now (the API's worker does it every hour); docs/privacy.md
	@$(APP)/python -m api.forgetting.retention

clean:  ## remove environments, built catalogs and local databases
	rm -rf .venv-app .venv-bot var bot/models reports
	find locales -name '*.mo' -delete
