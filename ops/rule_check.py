"""Train the rules alone (RulePolicy, about 15 s) to catch contradicting or incomplete rules before
a full training (over 10 minutes) finds them. Exit code 1 with Rasa's explanation if it fails."""

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def rules_only_config(config_path: Path) -> dict:
    config = yaml.safe_load(config_path.read_text())
    config["policies"] = [p for p in config.get("policies") or [] if p.get("name") == "RulePolicy"]
    if not config["policies"]:
        raise SystemExit(f"{config_path} has no RulePolicy: nothing to check")
    return config


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        config_file = Path(tmp) / "config.yml"
        config_file.write_text(yaml.safe_dump(rules_only_config(ROOT / "config.yml")))
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "rasa"),
                "train",
                "core",
                "-c",
                str(config_file),
                "-d",
                "domain.yml",
                "-s",
                "data",
                "--out",
                tmp,
                "--quiet",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    if result.returncode != 0:
        print(result.stdout[-4000:] + result.stderr[-4000:], file=sys.stderr)
        print(
            "The rules do not train (see above): fix data/rules before a full training.",
            file=sys.stderr,
        )
        return 1
    print("Rules train without contradictions.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
