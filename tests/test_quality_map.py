"""docs/quality-tests.md names a real test for every QUALITY.md item of the trust groups.

The table is parsed as text and every node id is checked with the AST (no pytest
collection): the file exists and defines the function, inside the named class when the
class is written in that file. A class made at import time (the API matrix builds
``Test<Model>Endpoint`` classes) must get the function from a ``paretocrm`` module the file
imports, where it is defined.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "docs" / "quality-tests.md"

#: The items of the groups Authentication, Authorisation, Input and import, Output and
#: export, Audit, Concurrency and durability, Privacy (QUALITY.md).
EXPECTED = {
    *(f"AUTHN-{n}" for n in range(1, 7)),
    *(f"AUTHZ-{n}" for n in range(1, 10)),
    *(f"IMP-{n}" for n in range(1, 7)),
    *(f"EXP-{n}" for n in range(1, 4)),
    *(f"AUD-{n}" for n in range(1, 5)),
    *(f"DUR-{n}" for n in range(1, 7)),
    *(f"PRIV-{n}" for n in range(1, 6)),
}
ROW = re.compile(r"^\|\s*([A-Z]+-\d+)\s*\|(.*)\|\s*$")
NODE = re.compile(r"`([^`\s]+\.py(?:::[A-Za-z_][A-Za-z0-9_]*)+)`")


def table() -> dict[str, list[str]]:
    """Item id -> the node ids in its row."""
    rows: dict[str, list[str]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            assert match.group(1) not in rows, f"{match.group(1)} has two rows"
            rows[match.group(1)] = NODE.findall(match.group(2))
    return rows


@cache
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def defined_functions(tree: ast.AST) -> set[str]:
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def imported_paretocrm_modules(tree: ast.Module) -> list[Path]:
    paths = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("paretocrm."):
            base = ROOT / "src" / Path(*node.module.split("."))  # type: ignore[union-attr]
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if candidate.exists():
                    paths.append(candidate)
    return paths


def problem(node_id: str) -> str | None:
    """Why ``node_id`` does not name an existing test (None when it does)."""
    file_part, *names = node_id.split("::")
    path = ROOT / file_part
    if not path.is_file():
        return f"{node_id}: no file {file_part}"
    function = names[-1]
    if not function.startswith("test_"):
        return f"{node_id}: {function} is not a test function"
    tree = parsed(path)
    if len(names) == 1:
        top = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        return None if function in top else f"{node_id}: {function} not defined in the file"
    classes = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    if names[0] in classes:
        found = function in defined_functions(classes[names[0]])
        return None if found else f"{node_id}: {function} not in class {names[0]}"
    # A class generated at import time: the method comes from an imported paretocrm module.
    if any(function in defined_functions(parsed(p)) for p in imported_paretocrm_modules(tree)):
        return None
    return f"{node_id}: class {names[0]} is not in the file and {function} is not inherited"


def test_every_quality_item_of_the_trust_groups_is_listed_with_a_test() -> None:
    rows = table()
    assert set(rows) == EXPECTED, (
        f"missing: {sorted(EXPECTED - set(rows))}; unknown: {sorted(set(rows) - EXPECTED)}"
    )
    empty = sorted(item for item, nodes in rows.items() if not nodes)
    assert not empty, f"items without a test: {empty}"


def test_every_referenced_test_file_and_function_exists() -> None:
    problems = [p for nodes in table().values() for node in nodes if (p := problem(node))]
    assert not problems, "\n".join(problems)


def test_the_checker_notices_a_missing_test() -> None:
    """The checks above are not vacuous: a wrong name, file or class is reported."""
    assert problem("tests/test_quality_map.py::test_no_such_thing")
    assert problem("tests/no_such_file.py::test_x")
    assert problem("tests/test_api_matrix.py::TestCustomerEndpoint::test_not_inherited")
    assert problem("tests/test_quality_map.py::test_the_checker_notices_a_missing_test") is None
