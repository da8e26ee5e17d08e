"""The evaluations rebuilt from a repository copy and a manifest of ids and sha256s."""

import json
import subprocess
from pathlib import Path

from ops.eval_data import (
    EVALUATIONS,
    ManifestRow,
    hashed_path,
    main,
    rows_of,
    sha256_of,
    split_of,
    write_manifest,
)

POSTS = "id,text\nq1,  How much ibuprofen is too much?\nq2,I took all my pills\u2028tonight\n"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def commit_posts(repo: Path, content: str) -> str:
    (repo / "posts.csv").write_text(content)
    git(repo, "add", "posts.csv")
    git(repo, "commit", "-q", "-m", "posts")
    return git(repo, "rev-parse", "HEAD")


def setup(tmp_path: Path) -> tuple[Path, Path, str]:
    mirror_root = tmp_path / "mirror"
    repo = mirror_root / "someone+posts" / "repo"
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    first = commit_posts(repo, POSTS)
    manifest = tmp_path / "safety.tsv"
    write_manifest(
        manifest,
        [
            ManifestRow(
                "someone/posts",
                first,
                "posts.csv",
                "q1",
                sha256_of("How much ibuprofen is too much?"),
                "topic_question",
            ),
            ManifestRow(
                "someone/posts",
                first,
                "posts.csv",
                "q2",
                sha256_of("I took all my pills\u2028tonight"),
                "emergency_poisoning",
            ),
        ],
    )
    return mirror_root, manifest, first


def rebuild(mirror_root: Path, manifest: Path, out: Path, which: str = "safety") -> int:
    return main(
        [
            "rebuild",
            "--which",
            which,
            "--mirror-root",
            str(mirror_root),
            "--out",
            str(out),
            "--manifest",
            str(manifest),
        ]
    )


def read(path: Path) -> list[dict]:
    # As ops.eval_stack.read_labelled reads it.
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_rebuild_writes_every_row_with_its_text_label_and_split(tmp_path, capsys):
    mirror_root, manifest, _ = setup(tmp_path)
    out = tmp_path / "out"

    assert rebuild(mirror_root, manifest, out) == 0

    rows = read(out / "safety.jsonl")
    assert [(r["id"], r["text"], r["label"]) for r in rows] == [
        ("someone/posts:posts.csv:q1", "How much ibuprofen is too much?", "topic_question"),
        ("someone/posts:posts.csv:q2", "I took all my pills\u2028tonight", "emergency_poisoning"),
    ]
    assert all(r["split"] == split_of(r["id"]) for r in rows)
    by_split = read(out / "safety_dev.jsonl") + read(out / "safety_test.jsonl")
    assert sorted(r["id"] for r in by_split) == sorted(r["id"] for r in rows)
    assert "emergency_poisoning" in capsys.readouterr().out


def test_a_changed_text_fails_the_sha_check_and_the_command(tmp_path, capsys):
    mirror_root, manifest, first = setup(tmp_path)
    repo = mirror_root / "someone+posts" / "repo"
    changed = commit_posts(repo, POSTS.replace("all my pills", "my pills"))
    # Both rows now point at the commit where the second text was edited.
    manifest.write_text(manifest.read_text().replace(first, changed))
    out = tmp_path / "out"

    assert rebuild(mirror_root, manifest, out) == 1

    assert [r["id"] for r in read(out / "safety.jsonl")] == ["someone/posts:posts.csv:q1"]
    printed = capsys.readouterr().out
    assert "someone/posts:posts.csv:q2" in printed
    assert "sha256 differs" in printed


def test_a_row_or_repository_that_is_not_there_is_reported(tmp_path, capsys):
    mirror_root, manifest, first = setup(tmp_path)
    with manifest.open("a") as handle:
        handle.write(f"someone/posts\t{first}\tposts.csv\tq9\t{'0' * 64}\ttopic_question\n")
        handle.write(f"nobody/absent\t{first}\tx.txt\t0\t{'0' * 64}\ttopic_question\n")

    assert rebuild(mirror_root, manifest, tmp_path / "out") == 1

    printed = capsys.readouterr().out
    assert "someone/posts:posts.csv:q9" in printed and "no such row" in printed
    assert "no copy of nobody/absent" in printed


def test_a_post_named_after_its_author_is_listed_and_found_by_the_hash_of_its_name(tmp_path):
    mirror_root, manifest, _ = setup(tmp_path)
    repo = mirror_root / "someone+posts" / "repo"
    (repo / "forum").mkdir()
    (repo / "forum" / "some_user_name.txt").write_text("I can't see a way out\n")
    (repo / "forum" / "another_user.txt").write_text("Another post\n")
    git(repo, "add", "forum")
    git(repo, "commit", "-q", "-m", "posts")
    listed = hashed_path("forum/some_user_name.txt")
    row = ManifestRow(
        "someone/posts",
        git(repo, "rev-parse", "HEAD"),
        listed,
        "0",
        sha256_of("I can't see a way out"),
        "emergency_self_harm",
    )
    write_manifest(manifest, [row])
    out = tmp_path / "out"

    assert rebuild(mirror_root, manifest, out) == 0

    assert "some_user_name" not in manifest.read_text()
    assert [(r["id"], r["text"]) for r in read(out / "safety.jsonl")] == [
        (f"someone/posts:{listed}:0", "I can't see a way out")
    ]


UTTERANCES = "flags,utterance,intent\nB,where is my order,track_order\nB, i want a person ,human\n"
ANNOTATED = {"test_data_annotation": [{"text": "book a train to leeds", "intent": "transport"}]}
SNIPS = {"GetWeather": [{"data": [{"text": "rain in "}, {"text": "Oslo", "entity": "city"}]}]}
NLU = "nlu:\n- intent: greet\n  examples: |\n    - hi\n    - hello there\n"


def test_intents_are_found_by_row_number_or_by_a_pointer_into_json_and_rasa_yaml(tmp_path):
    mirror_root = tmp_path / "mirror"
    repo = mirror_root / "someone+chats" / "repo"
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "support.csv").write_text(UTTERANCES)
    (repo / "annotated.json").write_text(json.dumps(ANNOTATED))
    (repo / "snips.json").write_text(json.dumps(SNIPS))
    (repo / "nlu.yml").write_text(NLU)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "chats")
    commit = git(repo, "rev-parse", "HEAD")
    listed = [
        ("support.csv", "2", "i want a person", "request_human"),
        ("annotated.json", "/test_data_annotation/0", "book a train to leeds", "out_of_scope"),
        ("snips.json", "/GetWeather/0", "rain in Oslo", "out_of_scope"),
        ("nlu.yml", "/nlu/0/examples/1", "hello there", "greet"),
    ]
    manifest = tmp_path / "intents.tsv"
    write_manifest(
        manifest,
        [
            ManifestRow("someone/chats", commit, p, k, sha256_of(t), label)
            for p, k, t, label in listed
        ],
    )
    manifest.write_text("# how row keys are read\n" + manifest.read_text())
    out = tmp_path / "out"

    assert rebuild(mirror_root, manifest, out, which="intents") == 0

    rows = read(out / "intents.jsonl")
    assert [(r["text"], r["intent"]) for r in rows] == [(t, label) for _, _, t, label in listed]
    assert all(r["split"] == split_of(r["id"], EVALUATIONS["intents"].dev_percent) for r in rows)
    assert len(read(out / "intents_dev.jsonl")) + len(read(out / "intents_test.jsonl")) == 4


def test_a_pointer_that_names_nothing_is_no_such_row(tmp_path, capsys):
    mirror_root, manifest, first = setup(tmp_path)
    repo = mirror_root / "someone+posts" / "repo"
    (repo / "nlu.yml").write_text(NLU)
    git(repo, "add", "nlu.yml")
    git(repo, "commit", "-q", "-m", "nlu")
    commit = git(repo, "rev-parse", "HEAD")
    row = ManifestRow("someone/posts", commit, "nlu.yml", "/nlu/0/examples/7", "0" * 64, "greet")
    write_manifest(manifest, [row])

    assert rebuild(mirror_root, manifest, tmp_path / "out", which="intents") == 1

    printed = capsys.readouterr().out
    assert "nlu.yml:/nlu/0/examples/7" in printed and "no such row" in printed


def test_a_csv_with_capitalised_columns_is_keyed_by_its_id_and_read_from_its_body():
    scraped = 'ID,Title,Body\nab1,Swallowed a coin,"  It went down an hour ago\n"\n'

    assert rows_of("AskDocs.csv", scraped.encode()) == {"ab1": "It went down an hour ago"}
