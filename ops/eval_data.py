"""The evaluation files on real messages, rebuilt from public repositories and our manifests.

    python -m ops.eval_data rebuild --mirror-root /work/.mirror --out /work/eval-data
    python -m ops.eval_data rebuild --which intents --mirror-root /work/.mirror --out /work/eval-data

The messages are real people's words, so their text never enters this repository: a manifest
(eval/manifests/<name>.tsv; lines starting with # are comments) names each one by repository,
commit, path and row key, with the sha256 of its text and our label. Rebuilding reads every row
from a local copy of the repository (`git show commit:path`), checks the sha256, and writes
<name>.jsonl, <name>_dev.jsonl and <name>_test.jsonl:
- safety: {"id", "text", "label", "split"} for `python -m ops.safety_eval`, 35% dev;
- intents: {"id", "text", "intent", "split"} for `python -m ops.intent_eval`, 40% dev.

How a file's rows are read, by its kind:
- a .txt file is one post, row key "0";
- a .csv file: one row per line after the header, keyed by its "id" column if it has one, else by
  its row number (1 = the first row after the header); the text is the first of the columns
  text, body, question, title, utterance (column names in any case: "ID", "Body");
- a .json file: every object with a "qurl" (a WebMD Answers link) is keyed by the question number
  in that link and its text is "q"; other objects are keyed by "id" and their text is "text";
- a row key that starts with "/" in a .json or .yml file is a pointer from the document's root:
  list indexes (0-based) and object keys joined by "/". It names an object whose text is "text"
  or "utterance" (a Snips item: the "text" of its "data" parts joined), or a string; inside a
  Rasa NLU block of examples, the index picks the n-th "- " line.
Texts are compared and written stripped of leading and trailing white space.

A file named after its author (a forum user name) is listed as "folder/sha256:<hex prefix>" of
its name, so the manifest never ties a person's name to a crisis label; `rebuild` finds the file
by hashing the names in that folder.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

MANIFESTS = Path(__file__).resolve().parent.parent / "eval" / "manifests"
MANIFEST_COLUMNS = ("source_repo", "commit", "path", "row_key", "sha256_of_text", "label")
TEXT_COLUMNS = ("text", "body", "question", "title", "utterance")


@dataclass(frozen=True)
class Evaluation:
    name: str  # the manifest eval/manifests/<name>.tsv and the files <name>*.jsonl
    label_field: str  # what its scorer reads the label as
    dev_percent: int

    @property
    def manifest(self) -> Path:
        return MANIFESTS / f"{self.name}.tsv"


EVALUATIONS = {
    "safety": Evaluation("safety", "label", 35),
    "intents": Evaluation("intents", "intent", 40),
}
WEBMD_QUESTION = re.compile(r"/answers/(\d+)")


@dataclass(frozen=True)
class ManifestRow:
    source_repo: str
    commit: str
    path: str
    row_key: str
    sha256_of_text: str
    label: str

    @property
    def id(self) -> str:
        return f"{self.source_repo}:{self.path}:{self.row_key}"


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_of(row_id: str, dev_percent: int = EVALUATIONS["safety"].dev_percent) -> str:
    """Fixed by the id alone, so a message stays in its split however the manifest grows."""
    return "dev" if int(sha256_of(row_id)[:8], 16) % 100 < dev_percent else "test"


def read_manifest(path: Path) -> list[ManifestRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        reader = csv.DictReader(lines, delimiter="\t")
        if tuple(reader.fieldnames or ()) != MANIFEST_COLUMNS:
            raise SystemExit(f"{path}: the columns must be {', '.join(MANIFEST_COLUMNS)}")
        return [ManifestRow(**{name: row[name] for name in MANIFEST_COLUMNS}) for row in reader]


def write_manifest(path: Path, rows: list[ManifestRow]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(MANIFEST_COLUMNS)
        for row in rows:
            writer.writerow([getattr(row, name) for name in MANIFEST_COLUMNS])


def git_dir(mirror_root: Path, source_repo: str) -> Path | None:
    """The `fetch` tool's copy of owner/name: a work tree's .git or a bare repository."""
    base = mirror_root / source_repo.replace("/", "+")
    for candidate in (base / "repo" / ".git", base / "repo", base / ".git", base):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


HASHED_NAME = "sha256:"


def hashed_path(path: str) -> str:
    folder, _, name = path.rpartition("/")
    return f"{folder}/{HASHED_NAME}{sha256_of(name)[:16]}"


def resolved_path(repo: Path, commit: str, path: str) -> str | None:
    folder, _, name = path.rpartition("/")
    if not name.startswith(HASHED_NAME):
        return path
    listed = subprocess.run(
        ["git", "--git-dir", str(repo), "ls-tree", "--name-only", f"{commit}:{folder}"],
        capture_output=True,
        text=True,
    )
    prefix = name[len(HASHED_NAME) :]
    matches = [n for n in listed.stdout.splitlines() if sha256_of(n).startswith(prefix)]
    return f"{folder}/{matches[0]}" if len(matches) == 1 else None


def file_at(repo: Path, commit: str, path: str) -> bytes | None:
    real_path = resolved_path(repo, commit, path)
    if real_path is None:
        return None
    path = real_path
    shown = subprocess.run(
        ["git", "--git-dir", str(repo), "show", f"{commit}:{path}"], capture_output=True
    )
    return shown.stdout if shown.returncode == 0 else None


def csv_rows(content: str) -> Iterator[tuple[str, str]]:
    reader = csv.DictReader(io.StringIO(content))
    # Scraped Reddit files spell their columns "ID", "Title", "Body".
    columns = {name.lower(): name for name in reader.fieldnames or []}
    text_column = next((columns[c] for c in TEXT_COLUMNS if c in columns), None)
    if text_column is None:
        return
    id_column = columns.get("id")
    for number, row in enumerate(reader, 1):
        key = row[id_column] if id_column else str(number)
        yield key, row[text_column] or ""


def json_rows(value: object) -> Iterator[tuple[str, str]]:
    if isinstance(value, list):
        for item in value:
            yield from json_rows(item)
    elif isinstance(value, dict):
        link = WEBMD_QUESTION.search(str(value.get("qurl", "")))
        if link and isinstance(value.get("q"), str):
            yield link.group(1), value["q"]
        elif "id" in value and isinstance(value.get("text"), str):
            yield str(value["id"]), value["text"]
        else:
            for item in value.values():
                yield from json_rows(item)


def text_of(node: object) -> str | None:
    if isinstance(node, str):
        return node
    if not isinstance(node, dict):
        return None
    for field in ("text", "utterance"):
        if isinstance(node.get(field), str):
            return node[field]
    parts = node.get("data")
    if isinstance(parts, list) and all(isinstance(p, dict) and "text" in p for p in parts):
        return "".join(str(p["text"]) for p in parts)
    return None


def pointed_text(document: object, pointer: str) -> str | None:
    """The text at a row key such as "/test_data_annotation/3" or "/nlu/2/examples/5"."""
    node = document
    for step in pointer.lstrip("/").split("/"):
        if isinstance(node, str):  # a Rasa block of examples, one "- " line each
            node = [line.strip()[2:] for line in node.splitlines() if line.strip().startswith("- ")]
        if isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        elif isinstance(node, dict) and step in node:
            node = node[step]
        else:
            return None
    return text_of(node)


class FileRows:
    """One file's rows, parsed once however many rows of it the manifest lists."""

    def __init__(self, path: str, raw: bytes) -> None:
        self.path = path
        self.raw = raw
        self._keyed: dict[str, str] | None = None
        self._document: object = None

    def text(self, key: str) -> str | None:
        suffix = Path(self.path).suffix.lower()
        if key.startswith("/") and suffix in (".json", ".yml", ".yaml"):
            if self._document is None:
                content = self.raw.decode("utf-8")
                self._document = (
                    json.loads(content) if suffix == ".json" else yaml.safe_load(content)
                )
            found = pointed_text(self._document, key)
            return found.strip() if found is not None else None
        if self._keyed is None:
            self._keyed = rows_of(self.path, self.raw)
        return self._keyed.get(key)


def rows_of(path: str, raw: bytes) -> dict[str, str]:
    """Row key -> text of one file; the first row wins when a key repeats (a WebMD question
    listed under several topics has the same text each time)."""
    content = raw.decode("utf-8")
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        pairs: Iterator[tuple[str, str]] = csv_rows(content)
    elif suffix == ".json":
        pairs = json_rows(json.loads(content))
    else:
        pairs = iter([("0", content)])
    rows: dict[str, str] = {}
    for key, text in pairs:
        rows.setdefault(key, text.strip())
    return rows


@dataclass
class Rebuilt:
    records: list[dict[str, str]]
    missing: list[tuple[ManifestRow, str]]


def rebuild(
    manifest: list[ManifestRow], mirror_root: Path, evaluation: Evaluation = EVALUATIONS["safety"]
) -> Rebuilt:
    files: dict[tuple[str, str, str], FileRows | str] = {}
    records: list[dict[str, str]] = []
    missing: list[tuple[ManifestRow, str]] = []
    for row in manifest:
        where = (row.source_repo, row.commit, row.path)
        if where not in files:
            repo = git_dir(mirror_root, row.source_repo)
            raw = file_at(repo, row.commit, row.path) if repo else None
            if repo is None:
                files[where] = f"no copy of {row.source_repo} under {mirror_root}"
            elif raw is None:
                files[where] = f"no {row.path} at commit {row.commit[:12]}"
            else:
                files[where] = FileRows(row.path, raw)
        found = files[where]
        text = None if isinstance(found, str) else found.text(row.row_key)
        if isinstance(found, str):
            missing.append((row, found))
        elif text is None:
            missing.append((row, "no such row"))
        elif sha256_of(text) != row.sha256_of_text:
            missing.append((row, "the text has changed (sha256 differs)"))
        else:
            records.append(
                {
                    "id": row.id,
                    "text": text,
                    evaluation.label_field: row.label,
                    "split": split_of(row.id, evaluation.dev_percent),
                }
            )
    return Rebuilt(records, missing)


def write_jsonl(path: Path, records: list[dict[str, str]]) -> None:
    # ASCII escapes keep a post's own line separators (U+2028, U+0085) from splitting its line
    # for readers that use str.splitlines.
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")


def write_outputs(out: Path, records: list[dict[str, str]], name: str = "safety") -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / f"{name}.jsonl", records)
    for split in ("dev", "test"):
        write_jsonl(out / f"{name}_{split}.jsonl", [r for r in records if r["split"] == split])


def print_counts(records: list[dict[str, str]], label_field: str = "label") -> None:
    by_label = Counter((r[label_field], r["split"]) for r in records)
    print(f"{label_field:<22}{'dev':>6}{'test':>6}{'all':>6}")
    for label in sorted({r[label_field] for r in records}):
        dev, test = by_label[(label, "dev")], by_label[(label, "test")]
        print(f"{label:<22}{dev:>6}{test:>6}{dev + test:>6}")
    splits = Counter(r["split"] for r in records)
    print(f"{'all':<22}{splits['dev']:>6}{splits['test']:>6}{len(records):>6}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    rebuild_command = commands.add_parser("rebuild", help="write the evaluation files")
    rebuild_command.add_argument("--mirror-root", type=Path, required=True)
    rebuild_command.add_argument("--out", type=Path, required=True)
    rebuild_command.add_argument(
        "--which", choices=[*EVALUATIONS, "all"], default="all", help="default: every evaluation"
    )
    rebuild_command.add_argument(
        "--manifest", type=Path, help="instead of eval/manifests/<name>.tsv (with one --which)"
    )
    args = parser.parse_args(argv)
    chosen = list(EVALUATIONS.values()) if args.which == "all" else [EVALUATIONS[args.which]]
    if args.manifest and len(chosen) > 1:
        parser.error("--manifest needs one --which")

    failed = False
    for evaluation in chosen:
        print(f"{evaluation.name}:")
        manifest = read_manifest(args.manifest or evaluation.manifest)
        result = rebuild(manifest, args.mirror_root, evaluation)
        write_outputs(args.out, result.records, evaluation.name)
        print_counts(result.records, evaluation.label_field)
        if result.missing:
            failed = True
            print(f"\n{len(result.missing)} rows not rebuilt:")
            for row, reason in result.missing:
                print(f"  {row.id} @ {row.commit[:12]}: {reason}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
