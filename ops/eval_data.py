"""The clinical-safety evaluation file, rebuilt from public repositories and our manifest.

    python -m ops.eval_data rebuild --mirror-root /work/.mirror --out /work/eval-data

The messages are real people's words, so their text never enters this repository: the manifest
(eval/manifests/safety.tsv) names each one by repository, commit, path and row key, with the
sha256 of its text and our label. Rebuilding reads every row from a local copy of the repository
(`git show commit:path`), checks the sha256, and writes safety.jsonl, safety_dev.jsonl and
safety_test.jsonl ({"id", "text", "label", "split"}) for `python -m ops.safety_eval`.

How a file's rows are read, by its kind:
- a .txt file is one post, row key "0";
- a .csv file: one row per line after the header, keyed by its "id" column if it has one, else by
  its row number (1 = the first row after the header); the text is the first of the columns
  text, body, question, title;
- a .json file: every object with a "qurl" (a WebMD Answers link) is keyed by the question number
  in that link and its text is "q"; other objects are keyed by "id" and their text is "text".
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

MANIFEST = Path(__file__).resolve().parent.parent / "eval" / "manifests" / "safety.tsv"
MANIFEST_COLUMNS = ("source_repo", "commit", "path", "row_key", "sha256_of_text", "label")
DEV_PERCENT = 35
TEXT_COLUMNS = ("text", "body", "question", "title")
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


def split_of(row_id: str) -> str:
    """Fixed by the id alone, so a message stays in its split however the manifest grows."""
    return "dev" if int(sha256_of(row_id)[:8], 16) % 100 < DEV_PERCENT else "test"


def read_manifest(path: Path) -> list[ManifestRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
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
    columns = reader.fieldnames or []
    text_column = next((c for c in TEXT_COLUMNS if c in columns), None)
    if text_column is None:
        return
    for number, row in enumerate(reader, 1):
        key = row["id"] if "id" in columns else str(number)
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


def rebuild(manifest: list[ManifestRow], mirror_root: Path) -> Rebuilt:
    files: dict[tuple[str, str, str], dict[str, str] | str] = {}
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
                files[where] = rows_of(row.path, raw)
        found = files[where]
        if isinstance(found, str):
            missing.append((row, found))
        elif row.row_key not in found:
            missing.append((row, "no such row"))
        elif sha256_of(found[row.row_key]) != row.sha256_of_text:
            missing.append((row, "the text has changed (sha256 differs)"))
        else:
            records.append(
                {
                    "id": row.id,
                    "text": found[row.row_key],
                    "label": row.label,
                    "split": split_of(row.id),
                }
            )
    return Rebuilt(records, missing)


def write_jsonl(path: Path, records: list[dict[str, str]]) -> None:
    # ASCII escapes keep a post's own line separators (U+2028, U+0085) from splitting its line
    # for readers that use str.splitlines.
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")


def write_outputs(out: Path, records: list[dict[str, str]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "safety.jsonl", records)
    for split in ("dev", "test"):
        write_jsonl(out / f"safety_{split}.jsonl", [r for r in records if r["split"] == split])


def print_counts(records: list[dict[str, str]]) -> None:
    by_label = Counter((r["label"], r["split"]) for r in records)
    print(f"{'label':<22}{'dev':>6}{'test':>6}{'all':>6}")
    for label in sorted({r["label"] for r in records}):
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
    rebuild_command.add_argument("--manifest", type=Path, default=MANIFEST)
    args = parser.parse_args(argv)

    result = rebuild(read_manifest(args.manifest), args.mirror_root)
    write_outputs(args.out, result.records)
    print_counts(result.records)
    if result.missing:
        print(f"\n{len(result.missing)} rows not rebuilt:")
        for row, reason in result.missing:
            print(f"  {row.id} @ {row.commit[:12]}: {reason}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
