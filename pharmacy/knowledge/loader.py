"""The drug knowledge base: the files in ``medicines/`` read into frozen ``Medicine`` records.

One file per therapeutic area (``heart_and_blood.yml``, ``infections.yml``...), so that a reviewer
checks one area at a time; ids and names are unique across all of them.

Validation is strict and loud. The file is hand-edited and its text is shown to shoppers as
label facts, so a typo must stop start-up (and CI) with a message naming the entry and the field,
never turn into a wrong answer. All problems found are reported at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).resolve().with_name("medicines")

RX_STATUSES = ("rx", "otc")
# Schedule I substances have no accepted medical use, so they never appear in a pharmacy.
DEA_SCHEDULES = ("II", "III", "IV", "V")

_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TEXT_FIELDS = (
    "generic_name",
    "drug_class",
    "used_for",
    "how_to_take",
    "common_side_effects",
    "urgent_side_effects",
    "missed_dose",
    "storage",
    "warnings",
)
# What the label says about alcohol, food, driving and children. Optional while the older entries
# are filled in; when present, each must be real text.
_ASPECT_TEXT_FIELDS = ("alcohol", "food", "driving", "children")
_FIELDS = (
    "id",
    "generic_name",
    "brand_names",
    "misspellings",
    "drug_class",
    "rx_status",
    "dea_schedule",
    "maintenance",
    "used_for",
    "how_to_take",
    "common_side_effects",
    "urgent_side_effects",
    "missed_dose",
    "storage",
    "warnings",
    "alcohol",
    "food",
    "driving",
    "children",
    "label",
    "last_reviewed",
)
_LABEL_FIELDS = ("source", "set_id", "effective_date")
_TOP_LEVEL_FIELDS = ("version", "medicines")
SUPPORTED_VERSION = 1


class KnowledgeBaseError(ValueError):
    """The knowledge base file is malformed; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class LabelReference:
    """The FDA product label a medicine's facts come from."""

    source: str
    set_id: str
    effective_date: date


@dataclass(frozen=True)
class Medicine:
    id: str
    generic_name: str
    brand_names: tuple[str, ...]
    misspellings: tuple[str, ...]
    drug_class: str
    rx_status: str  # "rx" or "otc"
    dea_schedule: str | None  # None, or "II".."V"
    maintenance: bool
    used_for: str
    how_to_take: str
    common_side_effects: str
    urgent_side_effects: str
    missed_dose: str
    storage: str
    warnings: str
    label: LabelReference
    last_reviewed: date
    alcohol: str | None = None
    food: str | None = None
    driving: str | None = None
    children: str | None = None

    @property
    def is_controlled(self) -> bool:
        return self.dea_schedule is not None

    @property
    def is_otc(self) -> bool:
        return self.rx_status == "otc"

    @property
    def class_key(self) -> str:
        """The class as refill thresholds name it: "statin (cholesterol-lowering)" -> "statin"."""
        return drug_class_key(self.drug_class)

    @property
    def display_name(self) -> str:
        """The generic name without its qualifier, e.g. "aspirin" for "aspirin (low dose)"."""
        return strip_qualifier(self.generic_name)


def drug_class_key(drug_class: str) -> str:
    """A class name without its qualifier, in lower case: "ACE inhibitor (blood pressure)" ->
    "ace inhibitor"."""
    return " ".join(re.split(r"[(;]", drug_class, maxsplit=1)[0].lower().split())


def strip_qualifier(name: str) -> str:
    """``name`` without a parenthesised qualifier: "aspirin (low dose)" -> "aspirin"."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip()


def normalize_name(name: str) -> str:
    """The form two names are compared in: lower case, no qualifier, hyphens and slashes as spaces.

    "Amoxicillin-Clavulanate" and "amoxicillin clavulanate" are the same name to a shopper, so they
    must not belong to two medicines.
    """
    plain = strip_qualifier(name).lower()
    return " ".join(re.sub(r"[-/+&]", " ", plain).split())


# ----------------------------------------------------------------------------- YAML


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key given twice in one mapping (PyYAML keeps the last silently)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# ----------------------------------------------------------------------------- validation


class _Entry:
    """Collects the problems of one entry, each prefixed with the entry's name and the field."""

    def __init__(self, where: str, errors: list[str]):
        self.where = where
        self.errors = errors
        self.ok = True

    def fail(self, field: str, problem: str) -> None:
        self.ok = False
        self.errors.append(f"{self.where}, field '{field}': {problem}")

    def text(self, raw: Mapping[str, Any], field: str, shown: str = "") -> str:
        value = raw.get(field)
        if not isinstance(value, str):
            self.fail(shown or field, f"must be a string, got {_describe(value)}")
            return ""
        if not value.strip():
            self.fail(shown or field, "must not be empty")
            return ""
        if value != value.strip():
            self.fail(shown or field, "has leading or trailing spaces")
        return value

    def text_list(self, raw: Mapping[str, Any], field: str) -> tuple[str, ...]:
        value = raw.get(field)
        if not isinstance(value, list):
            self.fail(field, f"must be a list of strings, got {_describe(value)}")
            return ()
        items: list[str] = []
        for position, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                problem = f"must be a non-empty string, got {_describe(item)}"
                self.fail(f"{field}[{position}]", problem)
                continue
            items.append(item.strip())
        return tuple(items)

    def iso_date(self, raw: Mapping[str, Any], field: str, shown: str = "") -> date | None:
        value = raw.get(field)
        # Unquoted YAML dates arrive as date objects; a datetime is not a date here.
        if isinstance(value, date) and type(value) is date:
            return value
        if isinstance(value, str) and _ISO_DATE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(shown or field, f"must be an ISO date (YYYY-MM-DD), got {_describe(value)}")
        return None


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        return repr(value)
    return f"{type(value).__name__} {value!r}"


def _check_keys(
    entry: _Entry,
    raw: Mapping[str, Any],
    expected: tuple[str, ...],
    prefix: str = "",
    optional: tuple[str, ...] = (),
) -> None:
    for key in expected:
        if key not in raw and key not in optional:
            entry.fail(prefix + key, "missing")
    for key in raw:
        if key not in expected:
            entry.fail(prefix + str(key), "unknown field")


def _parse_entry(index: int, raw: Any, errors: list[str]) -> Medicine | None:
    raw_id = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(raw_id, str) and raw_id.strip():
        where = f"medicine '{raw_id}'"
    else:
        where = f"medicines[{index}] (no id)"
    entry = _Entry(where, errors)
    if not isinstance(raw, dict):
        entry.fail("(entry)", f"must be a mapping of fields, got {_describe(raw)}")
        return None

    _check_keys(entry, raw, _FIELDS, optional=_ASPECT_TEXT_FIELDS)
    medicine_id = entry.text(raw, "id")
    if medicine_id and not _ID_PATTERN.match(medicine_id):
        entry.fail("id", f"must be lower case letters, digits and '_', got {medicine_id!r}")
    texts = {field: entry.text(raw, field) for field in _TEXT_FIELDS}
    aspect_texts = {field: entry.text(raw, field) for field in _ASPECT_TEXT_FIELDS if field in raw}
    brand_names = entry.text_list(raw, "brand_names")
    misspellings = entry.text_list(raw, "misspellings")

    rx_status = raw.get("rx_status")
    if rx_status not in RX_STATUSES:
        entry.fail("rx_status", f"must be 'rx' or 'otc', got {_describe(rx_status)}")

    dea_schedule = raw.get("dea_schedule")
    if dea_schedule is not None and dea_schedule not in DEA_SCHEDULES:
        allowed = ", ".join(DEA_SCHEDULES)
        entry.fail(
            "dea_schedule",
            f"must be null or one of {allowed} (quoted), got {_describe(dea_schedule)}",
        )

    maintenance = raw.get("maintenance")
    if not isinstance(maintenance, bool):
        entry.fail("maintenance", f"must be true or false, got {_describe(maintenance)}")

    label = None
    raw_label = raw.get("label")
    if not isinstance(raw_label, dict):
        fields = ", ".join(_LABEL_FIELDS)
        entry.fail("label", f"must be a mapping with {fields}, got {_describe(raw_label)}")
    else:
        _check_keys(entry, raw_label, _LABEL_FIELDS, prefix="label.")
        source = entry.text(raw_label, "source", "label.source")
        set_id = entry.text(raw_label, "set_id", "label.set_id")
        effective = entry.iso_date(raw_label, "effective_date", "label.effective_date")
        if effective is not None:
            label = LabelReference(source=source, set_id=set_id, effective_date=effective)
    last_reviewed = entry.iso_date(raw, "last_reviewed")
    # A review cannot have checked a label version published after it.
    if label and last_reviewed and label.effective_date > last_reviewed:
        entry.fail(
            "label.effective_date",
            f"{label.effective_date} is after last_reviewed {last_reviewed}",
        )

    names_seen: dict[str, str] = {}
    for field, names in (
        ("generic_name", (texts["generic_name"],)),
        ("brand_names", brand_names),
        ("misspellings", misspellings),
    ):
        for name in names:
            key = normalize_name(name)
            if not key:
                continue
            if key in names_seen:
                entry.fail(field, f"{name!r} repeats {names_seen[key]!r} of the same medicine")
            else:
                names_seen[key] = name

    if not entry.ok:
        return None
    # entry.ok means every field passed its check above.
    assert isinstance(rx_status, str) and isinstance(maintenance, bool)
    assert label is not None and last_reviewed is not None
    return Medicine(
        id=medicine_id,
        brand_names=brand_names,
        misspellings=misspellings,
        rx_status=rx_status,
        dea_schedule=dea_schedule,
        maintenance=maintenance,
        label=label,
        last_reviewed=last_reviewed,
        alcohol=aspect_texts.get("alcohol"),
        food=aspect_texts.get("food"),
        driving=aspect_texts.get("driving"),
        children=aspect_texts.get("children"),
        **texts,
    )


def _check_across(medicines: list[Medicine], errors: list[str]) -> None:
    """Ids and names must be unique over all files, or a name would mean two medicines."""
    owner_of_id: dict[str, int] = {}
    owner_of_name: dict[str, tuple[str, str]] = {}
    for medicine in medicines:
        if medicine.id in owner_of_id:
            errors.append(f"medicine '{medicine.id}', field 'id': duplicate id")
            continue
        owner_of_id[medicine.id] = 1
        named = [("generic_name", medicine.generic_name)]
        named += [("brand_names", name) for name in medicine.brand_names]
        named += [("misspellings", name) for name in medicine.misspellings]
        for field, name in named:
            key = normalize_name(name)
            owner = owner_of_name.get(key)
            if owner and owner[0] != medicine.id:
                errors.append(
                    f"medicine '{medicine.id}', field '{field}': {name!r} is already a name of "
                    f"medicine '{owner[0]}' ({owner[1]})"
                )
            elif not owner:
                owner_of_name[key] = (medicine.id, field)


def load_medicines(path: str | Path = DEFAULT_PATH) -> dict[str, Medicine]:
    """Every medicine in ``path`` by id; KnowledgeBaseError listing everything that is wrong.

    ``path`` is one file, or a folder whose ``*.yml`` files are read in name order.
    """
    path = Path(path)
    files = sorted(path.glob("*.yml")) if path.is_dir() else [path]
    if not files:
        raise KnowledgeBaseError([f"{path}: no .yml files"])
    errors: list[str] = []
    medicines: list[Medicine] = []
    for file in files:
        medicines += _read_file(file, errors)
    _check_across(medicines, errors)
    if errors:
        raise KnowledgeBaseError(errors)
    return {medicine.id: medicine for medicine in medicines}


def _read_file(path: Path, errors: list[str]) -> list[Medicine]:
    """The entries of one file; its problems go to ``errors``, each prefixed with the file name."""
    try:
        with path.open(encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=_StrictLoader)
    except OSError as error:
        errors.append(f"{path}: cannot read: {error}")
        return []
    except yaml.YAMLError as error:
        errors.append(f"{path}: not valid YAML: {error}")
        return []

    if not isinstance(document, dict):
        errors.append(f"{path}: must be a mapping with 'version' and 'medicines'")
        return []
    problems: list[str] = []
    for key in document:
        if key not in _TOP_LEVEL_FIELDS:
            problems.append(f"top level, field '{key}': unknown field")
    if document.get("version") != SUPPORTED_VERSION:
        got = _describe(document.get("version"))
        problems.append(f"top level, field 'version': must be {SUPPORTED_VERSION}, got {got}")
    raw_medicines = document.get("medicines")
    if not isinstance(raw_medicines, list) or not raw_medicines:
        got = _describe(raw_medicines)
        problems.append(f"top level, field 'medicines': must be a non-empty list, got {got}")
        raw_medicines = []

    parsed = [_parse_entry(index, raw, problems) for index, raw in enumerate(raw_medicines)]
    errors += [f"{path.name}: {problem}" for problem in problems]
    return [medicine for medicine in parsed if medicine is not None]


@lru_cache(maxsize=1)
def knowledge_base() -> Mapping[str, Medicine]:
    """The shipped knowledge base, loaded on first use and then shared (read-only)."""
    return MappingProxyType(load_medicines(DEFAULT_PATH))
