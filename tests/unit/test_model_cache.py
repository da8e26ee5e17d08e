from pathlib import Path

from ops.model_cache import fingerprint, model_inputs


def _project(root: Path) -> Path:
    (root / "data" / "nlu").mkdir(parents=True)
    (root / "rasa_components").mkdir()
    (root / "pharmacy").mkdir()
    for name in (
        "config.yml",
        "domain.yml",
        "requirements.lock",
        "pharmacy/chat_input.py",
        "rasa_components/guard.py",
    ):
        (root / name).write_text(name)
    (root / "data" / "nlu" / "core.yml").write_text("nlu: []")
    return root


def test_same_inputs_give_the_same_fingerprint(tmp_path):
    root = _project(tmp_path)
    assert fingerprint(model_inputs(root), root) == fingerprint(model_inputs(root), root)


def test_changing_training_data_changes_the_fingerprint(tmp_path):
    root = _project(tmp_path)
    before = fingerprint(model_inputs(root), root)
    (root / "data" / "nlu" / "core.yml").write_text("nlu: [changed]")
    assert fingerprint(model_inputs(root), root) != before


def test_a_new_data_file_changes_the_fingerprint(tmp_path):
    root = _project(tmp_path)
    before = fingerprint(model_inputs(root), root)
    (root / "data" / "rules.yml").write_text("rules: []")
    assert fingerprint(model_inputs(root), root) != before


def test_files_outside_the_model_inputs_do_not_matter(tmp_path):
    root = _project(tmp_path)
    before = fingerprint(model_inputs(root), root)
    (root / "README.md").write_text("docs")
    assert fingerprint(model_inputs(root), root) == before
