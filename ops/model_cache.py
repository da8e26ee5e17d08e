"""Trains the Rasa model only when its inputs changed.

The model is named by a hash of everything that shapes it (config, domain, training data, custom
NLU components, the sentence encoder and the pinned dependencies), so an unchanged project
reuses models/<hash>.tar.gz.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from pharmacy.settings import PROJECT_ROOT

MODELS_DIR = PROJECT_ROOT / "models"
KEEP_MODELS = 3


def model_inputs(root: Path = PROJECT_ROOT) -> list[Path]:
    files: list[Path] = [root / "config.yml", root / "domain.yml", root / "requirements.lock"]
    files.extend(p for p in [root / "requirements-encoder.txt"] if p.is_file())
    for folder, pattern in (
        ("data", "*"),
        ("rasa_components", "*.py"),
        ("pharmacy", "chat_input.py"),
        ("pharmacy/encoder", "*.py"),  # the sentence features are part of the model
    ):
        files.extend(p for p in (root / folder).rglob(pattern) if p.is_file())
    return sorted(set(files))


def fingerprint(files: Iterable[Path], root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:20]


def ensure_model() -> Path:
    """Path of the model for the current inputs, training it first if there is none."""
    name = f"pharmacy-{fingerprint(model_inputs())}"
    model = MODELS_DIR / f"{name}.tar.gz"
    if model.exists():
        print(f"model up to date: {model.relative_to(PROJECT_ROOT)}", flush=True)
    else:
        print("training the model (config, domain or data changed)...", flush=True)
        subprocess.run(
            [
                str(Path(sys.executable).parent / "rasa"),
                "train",
                "--out",
                str(MODELS_DIR),
                "--fixed-model-name",
                name,
            ],
            cwd=PROJECT_ROOT,
            check=True,
        )
        _prune_old_models(keep=model)
    # For shell steps such as `rasa test --model "$(cat models/current)"`.
    (MODELS_DIR / "current").write_text(str(model))
    return model


def _prune_old_models(keep: Path) -> None:
    models = sorted(MODELS_DIR.glob("pharmacy-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    for old in models[:-KEEP_MODELS]:
        if old != keep:
            old.unlink()


if __name__ == "__main__":
    ensure_model()
