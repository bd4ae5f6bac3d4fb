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
export PUBLIC_BASE_URL ?= http://localhost:$(API_PORT)
export RASA_TRACKER_DB ?= $(CURDIR)/var/rasa-tracker.db
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONUNBUFFERED := 1

APP := .venv-app/bin
BOT := .venv-bot/bin
PROCESSES := rasa actions api status $(if $(TELEGRAM_BOT_TOKEN),telegram,)

.PHONY: help setup env-file locales migrate train run test eval-nlu locales-check locales-update bench admin clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' Makefile | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

setup:  ## create or update both virtual environments
	@scripts/setup_envs.sh
	@mkdir -p var && chmod 700 var

env-file:  ## write strong local secrets to .env (git-ignored) if it lacks them; honcho gives them to every process
	@python3 scripts/make_env.py

locales: setup  ## compile the translation catalogs (.po -> .mo)
	@$(APP)/python -m api.nlg.catalogs compile

migrate: setup  ## bring the database schema up to date (DATABASE_URL, default SQLite var/app.db)
	@$(APP)/alembic upgrade head

train: setup  ## train the Rasa model if its data or config changed
	@$(APP)/python scripts/train_model.py

run: setup env-file locales migrate train  ## start Rasa, the action server, the API (and Telegram if TELEGRAM_BOT_TOKEN)
	@$(APP)/honcho start -f Procfile $(PROCESSES)

test: setup locales train  ## run every test suite (unit, Rasa validation and stories, end to end, browser)
	@scripts/setup_test_tools.sh
	@scripts/run_tests.sh

eval-nlu: train  ## NLU evaluation on the held-out split; writes reports/
	@$(BOT)/python scripts/eval_nlu.py --model bot/models/current.tar.gz --eval-dir bot/eval/nlu --out reports

locales-check: setup  ## per-language coverage; fails on missing fr/en/ar, placeholder or length errors
	@$(APP)/python -m api.nlg.catalogs check

locales-update: setup  ## extract the message template and merge it into every catalog
	@$(APP)/python -m api.nlg.catalogs update

bench: train  ## print parse latency and claim-next throughput
	@$(BOT)/python bench/nlu_parse_latency.py --model bot/models/current.tar.gz
	@$(APP)/python bench/claim_next.py

admin: migrate  ## create the first admin account (asks for the password)
	@$(APP)/python -m api.cli create-admin

clean:  ## remove environments, built catalogs and local databases
	rm -rf .venv-app .venv-bot var bot/models reports
	find locales -name '*.mo' -delete
