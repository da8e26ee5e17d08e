import copy
import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import yaml

from pharmacy.knowledge.loader import (
    KnowledgeBaseError,
    LabelReference,
    Medicine,
    knowledge_base,
    load_medicines,
    normalize_name,
)

VALID_ENTRY: dict[str, object] = {
    "id": "testamol",
    "generic_name": "testamol",
    "brand_names": ["Testex"],
    "misspellings": ["testamoll"],
    "drug_class": "test reliever",
    "rx_status": "otc",
    "dea_schedule": None,
    "maintenance": False,
    "used_for": "Relieves tests.",
    "how_to_take": "Take as the label directs.",
    "common_side_effects": "Mild boredom.",
    "urgent_side_effects": "Get medical help right away for severe boredom.",
    "missed_dose": "Used only as needed.",
    "storage": "Keep at room temperature.",
    "warnings": "Do not use during exams.",
    "label": {"source": "openFDA drug label", "set_id": "abc-123", "effective_date": "2024-05-02"},
    "last_reviewed": "2026-11-23",
}


def _entry(**changes: object) -> dict[str, object]:
    entry = copy.deepcopy(VALID_ENTRY)
    entry.update(changes)
    return entry


def _other(**changes: object) -> dict[str, object]:
    """A second valid entry with its own id and names."""
    names = {
        "id": "otherol",
        "generic_name": "otherol",
        "brand_names": ["Otherex"],
        "misspellings": ["otherroll"],
    }
    return _entry(**{**names, **changes})


@pytest.fixture
def write(tmp_path: Path) -> Callable[[list[object]], Path]:
    def _write(entries: list[object], **top_level: object) -> Path:
        path = tmp_path / "medicines.yml"
        document = {"version": 1, "medicines": entries, **top_level}
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        return path

    return _write


def _errors_of(path: Path) -> str:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_medicines(path)
    return str(caught.value)


# ----------------------------------------------------------------------------- the real file


def test_shipped_file_loads_with_at_least_60_medicines():
    medicines = load_medicines()
    assert len(medicines) >= 60
    for medicine_id, medicine in medicines.items():
        assert medicine.id == medicine_id
        assert isinstance(medicine.label, LabelReference)
        assert type(medicine.last_reviewed) is date
        assert type(medicine.label.effective_date) is date
        assert medicine.label.effective_date <= medicine.last_reviewed
        assert medicine.rx_status in ("rx", "otc")


def test_shipped_file_covers_controlled_and_otc_medicines():
    medicines = load_medicines()
    schedules = {medicine.dea_schedule for medicine in medicines.values()}
    assert {"II", "IV"} <= schedules
    assert any(medicine.is_otc for medicine in medicines.values())


def test_medicines_are_frozen():
    medicine = load_medicines()["atorvastatin"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        medicine.used_for = "anything"  # type: ignore[misc]
    assert isinstance(medicine.brand_names, tuple)


def test_knowledge_base_is_cached_and_read_only():
    first = knowledge_base()
    assert knowledge_base() is first
    assert isinstance(first["sertraline"], Medicine)
    with pytest.raises(TypeError):
        first["new"] = first["sertraline"]  # type: ignore[index]


def test_a_valid_small_file_loads(write):
    medicines = load_medicines(write([_entry(), _other(dea_schedule="IV", rx_status="rx")]))
    assert list(medicines) == ["testamol", "otherol"]
    testamol = medicines["testamol"]
    assert testamol.brand_names == ("Testex",)
    assert testamol.label == LabelReference("openFDA drug label", "abc-123", date(2024, 5, 2))
    assert testamol.last_reviewed == date(2026, 11, 23)
    assert medicines["otherol"].is_controlled


def test_unquoted_yaml_dates_are_accepted(tmp_path):
    text = yaml.safe_dump({"version": 1, "medicines": [_entry()]}, sort_keys=False)
    path = tmp_path / "medicines.yml"
    path.write_text(text.replace("'2026-11-23'", "2026-11-23"), encoding="utf-8")
    assert load_medicines(path)["testamol"].last_reviewed == date(2026, 11, 23)


# ----------------------------------------------------------------------------- malformed entries


def _without(field: str) -> dict[str, object]:
    entry = _entry()
    del entry[field]
    return entry


def _label(**changes: object) -> dict[str, object]:
    label = dict(VALID_ENTRY["label"])  # type: ignore[arg-type]
    label.update(changes)
    return _entry(label=label)


@pytest.mark.parametrize(
    "entry, field, problem",
    [
        (_without("used_for"), "used_for", "missing"),
        (_without("label"), "label", "missing"),
        (_entry(colour="red"), "colour", "unknown field"),
        (_entry(brand_names="Testex"), "brand_names", "must be a list"),
        (_entry(brand_names=["Testex", 42]), "brand_names[1]", "must be a non-empty string"),
        (_entry(misspellings=None), "misspellings", "must be a list"),
        (_entry(used_for=12), "used_for", "must be a string"),
        (_entry(used_for="   "), "used_for", "must not be empty"),
        (_entry(maintenance="yes"), "maintenance", "true or false"),
        (_entry(rx_status="RX"), "rx_status", "'rx' or 'otc'"),
        (_entry(dea_schedule="VI"), "dea_schedule", "got 'VI'"),
        (_entry(dea_schedule="I"), "dea_schedule", "got 'I'"),
        (_entry(dea_schedule=2), "dea_schedule", "int 2"),
        (_entry(last_reviewed="23/11/2026"), "last_reviewed", "ISO date"),
        (_entry(last_reviewed="2026-02-30"), "last_reviewed", "ISO date"),
        (_label(effective_date="2024-13-01"), "label.effective_date", "ISO date"),
        (_label(effective_date="2027-01-01"), "label.effective_date", "after last_reviewed"),
        (_label(set_id=""), "label.set_id", "must not be empty"),
        (_entry(label="openFDA"), "label", "must be a mapping"),
        (_entry(id="Test Amol"), "id", "lower case letters"),
        (_entry(misspellings=["TESTEX"]), "misspellings", "repeats 'Testex'"),
    ],
)
def test_a_malformed_entry_is_rejected_naming_entry_and_field(write, entry, field, problem):
    message = _errors_of(write([_other(), entry]))
    shown_id = entry.get("id", "testamol")
    assert f"medicine '{shown_id}', field '{field}'" in message
    assert problem in message


def test_an_entry_without_id_is_named_by_its_index(write):
    message = _errors_of(write([_other(), _without("id")]))
    assert "medicines[1] (no id), field 'id': missing" in message


def test_an_entry_that_is_not_a_mapping_is_named_by_its_index(write):
    message = _errors_of(write([_other(), "testamol"]))
    assert "medicines[1] (no id)" in message


def test_duplicate_ids_are_rejected(write):
    message = _errors_of(write([_entry(), _other(id="testamol")]))
    assert "medicine 'testamol', field 'id': duplicate id" in message


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"brand_names": ["TESTAMOL"]}, "brand_names"),  # another medicine's generic name
        ({"misspellings": ["testex"]}, "misspellings"),  # another medicine's brand
        ({"misspellings": ["Testa-Moll"]}, "misspellings"),
    ],
)
def test_a_name_used_by_two_medicines_is_rejected(write, changes, field):
    first = _entry(misspellings=["testa moll"])
    message = _errors_of(write([first, _other(**changes)]))
    assert f"medicine 'otherol', field '{field}'" in message
    assert "already a name of medicine 'testamol'" in message


def test_every_problem_is_reported_at_once(write):
    with pytest.raises(KnowledgeBaseError) as caught:
        load_medicines(write([_entry(rx_status="maybe"), _other(last_reviewed="soon")]))
    assert len(caught.value.errors) == 2
    assert isinstance(caught.value, ValueError)


def test_a_key_given_twice_in_yaml_is_rejected(tmp_path):
    text = yaml.safe_dump({"version": 1, "medicines": [_entry()]}, sort_keys=False)
    path = tmp_path / "medicines.yml"
    path.write_text(text.replace("  rx_status: otc\n", "  rx_status: otc\n  rx_status: rx\n"))
    assert "duplicate key 'rx_status'" in _errors_of(path)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("medicines: [unclosed", "not valid YAML"),
        ("- just a list\n", "must be a mapping"),
        ("version: 2\nmedicines: []\n", "'version': must be 1"),
        ("version: 1\nmedicines: []\n", "'medicines': must be a non-empty list"),
    ],
)
def test_a_malformed_file_is_rejected(tmp_path, text, problem):
    path = tmp_path / "medicines.yml"
    path.write_text(text, encoding="utf-8")
    assert problem in _errors_of(path)


def test_a_missing_file_is_a_knowledge_base_error(tmp_path):
    assert "cannot read" in _errors_of(tmp_path / "nowhere.yml")


def test_names_compare_without_case_hyphens_or_qualifiers():
    assert normalize_name("Amoxicillin-Clavulanate") == "amoxicillin clavulanate"
    assert normalize_name("aspirin (low dose)") == "aspirin"
    assert normalize_name("  Motrin   IB ") == "motrin ib"


# ----------------------------------------------------------------------------- a folder of areas


def _write_area(folder: Path, name: str, entries: list[object]) -> None:
    document = {"version": 1, "medicines": entries}
    (folder / name).write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def test_a_folder_is_read_as_one_knowledge_base(tmp_path: Path) -> None:
    _write_area(tmp_path, "b_area.yml", [_other()])
    _write_area(tmp_path, "a_area.yml", [_entry()])
    (tmp_path / "notes.txt").write_text("not an area file", encoding="utf-8")

    assert list(load_medicines(tmp_path)) == ["testamol", "otherol"]


def test_a_name_in_two_area_files_is_refused_with_both_owners(tmp_path: Path) -> None:
    _write_area(tmp_path, "a_area.yml", [_entry()])
    _write_area(tmp_path, "b_area.yml", [_other(brand_names=["Testex"])])

    errors = _errors_of(tmp_path)

    assert "medicine 'otherol', field 'brand_names': 'Testex'" in errors
    assert "medicine 'testamol'" in errors


def test_each_problem_names_the_area_file_it_is_in(tmp_path: Path) -> None:
    _write_area(tmp_path, "a_area.yml", [_entry()])
    _write_area(tmp_path, "b_area.yml", [_other(storage="")])

    errors = _errors_of(tmp_path)

    assert errors.startswith("b_area.yml: medicine 'otherol', field 'storage'")


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    assert "no .yml files" in _errors_of(tmp_path)


def test_alcohol_food_driving_and_children_are_read_when_present(write) -> None:
    texts = {
        "alcohol": "Avoid alcohol.",
        "food": "Take with food.",
        "driving": "May cause drowsiness.",
        "children": "Ask a pharmacist.",
    }
    medicine = load_medicines(write([_entry(**texts)]))["testamol"]

    assert (medicine.alcohol, medicine.food, medicine.driving, medicine.children) == tuple(
        texts.values()
    )
    assert "field 'food': must not be empty" in _errors_of(write([_entry(food=" ")]))
