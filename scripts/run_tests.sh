#!/usr/bin/env bash
# Runs every suite (continuing past a failure), then prints one closing line with the totals.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/test-logs
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
MODEL=bot/models/current.tar.gz
passed=0; failed=0; skipped=0; failures=()

count_pytest() {  # adds the counts of pytest's summary line in $1
  local line; line=$(grep -aE '^(=+ )?[0-9a-z ,]*(passed|failed|errors?|skipped|no tests ran)[0-9a-z ,]* in [0-9.]+s' "$1" | tail -1)
  local p f e s
  p=$(grep -oE '[0-9]+ passed' <<<"$line" | cut -d' ' -f1); f=$(grep -oE '[0-9]+ failed' <<<"$line" | cut -d' ' -f1)
  e=$(grep -oE '[0-9]+ errors?' <<<"$line" | cut -d' ' -f1); s=$(grep -oE '[0-9]+ skipped' <<<"$line" | cut -d' ' -f1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0})); skipped=$((skipped + ${s:-0}))
}

suite() {  # name kind command...: kind is pytest (counts tests) or check (counts as one)
  local name=$1 kind=$2; shift 2
  local log="var/test-logs/$name.log"
  echo; echo "==> $name"
  "$@" > >(tee "$log") 2>&1
  local rc=$?
  if [ "$kind" = pytest ]; then
    count_pytest "$log"
    # exit 5 = no tests collected: a suite that ran nothing is a failure here
    if [ $rc -ne 0 ]; then failures+=("$name"); grep -aqE '[0-9]+ (failed|errors?)' <(tail -3 "$log") || failed=$((failed + 1)); fi
  else
    if [ $rc -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
  fi
}

[ -n "${TEST_DATABASE_URL:-}" ] && echo "==> database suites also run on ${TEST_DATABASE_URL%%@*}@…"
[ -n "${TEST_REDIS_URL:-}" ] && echo "==> the production-profile and lock store suites use Redis ${TEST_REDIS_URL}"

suite lint check .venv-app/bin/ruff check .
# mypy --strict (pyproject.toml): the bot side with its own venv (where Rasa is), api/ with the app venv.
suite types check bash -c ".venv-bot/bin/mypy nlu actions botserver rasa_ext sante_contract \
  && .venv-app/bin/mypy --python-version 3.11 api sante_contract"
suite app-unit pytest .venv-app/bin/pytest -q -p no:cacheprovider tests/api tests/deploy tests/harness
suite bot-unit pytest .venv-bot/bin/pytest -q -p no:cacheprovider tests/nlu tests/actions tests/rasa_ext tests/botserver
suite locales-check check .venv-app/bin/python -m api.nlg.commands check
suite rasa-validate check bash -c "cd bot && ../.venv-bot/bin/rasa data validate --config config.yml --domain domain.yml --data data"
# bot/endpoints.yml names the tokens of the action server and the NLG endpoint; the story test starts neither.
suite rasa-stories check bash -c "cd bot && ACTION_SERVER_TOKEN=\${ACTION_SERVER_TOKEN:-unused} NLG_TOKEN=\${NLG_TOKEN:-unused} ../.venv-bot/bin/rasa test core --model models/current.tar.gz --stories tests --endpoints endpoints.yml --fail-on-prediction-errors --out ../var/rasa-story-results"
suite nlu-eval check .venv-bot/bin/python scripts/eval_nlu.py --model "$MODEL" --eval-dir bot/eval/nlu --out reports
# Real processes and a real browser on 2 shared cores: a failed test runs once more (pytest-rerunfailures) and is
# named below either way, so a flaky test is seen, not hidden; one that fails twice fails the suite.
suite end-to-end pytest .venv-app/bin/pytest -q -p no:cacheprovider -rfER --reruns 1 --reruns-delay 5 tests/e2e tests/browser

echo
grep -ahE '^RERUN ' var/test-logs/*.log | sort -u | cut -c1-240 | sed 's/^/passed on its second run: /'
if [ ${#failures[@]} -gt 0 ]; then
  echo "failing suites: ${failures[*]}"
  # The failing tests by name, so the closing lines alone say what to look at.
  grep -ahE '^(FAILED|ERROR) ' var/test-logs/*.log | cut -c1-240
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] && [ ${#failures[@]} -eq 0 ]
