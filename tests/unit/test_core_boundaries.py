"""Which code may import what: the demo data is for seeding only."""

import ast
from pathlib import Path

from pharmacy.settings import PROJECT_ROOT

# Only seeding reads the demo data (prepare() loads it into an empty database).
MAY_IMPORT_DEMO_DATA = {"pharmacy/demo_data.py", "pharmacy/database.py"}
RUNNING_CODE = ["pharmacy", "actions", "desk", "webchat", "rasa_channels", "carrier_service"]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_only_seeding_imports_the_demo_data():
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for folder in RUNNING_CODE
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
        if str(path.relative_to(PROJECT_ROOT)) not in MAY_IMPORT_DEMO_DATA
        and "pharmacy.demo_data" in _imports(path)
    ]
    assert offenders == []
