#!/usr/bin/env bash
# Creates .venv on Python 3.10 and installs the locked dependencies in one resolver run.
set -euo pipefail
cd "$(dirname "$0")/.."
python310=$(scripts/find-python310.sh)
if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  echo "existing .venv is not Python 3.10: recreating it"
  rm -rf .venv
fi
[ -x .venv/bin/python ] || "$python310" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check "pip>=23,<25"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
.venv/bin/python -m pip check
.venv/bin/python -c 'import rasa, rasa_sdk, spacy, sqlalchemy; print("python deps ok: rasa", rasa.__version__, "sqlalchemy", sqlalchemy.__version__)'
