"""Layering: SQL lives only in a capability's records.py and in the store itself."""

from __future__ import annotations

import re
from pathlib import Path

import jupyter_ext

PACKAGE = Path(jupyter_ext.__file__).parent
SQL = re.compile(r"\b(SELECT|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM|CREATE TABLE)\b")


def _allowed(path: Path) -> bool:
    relative = path.relative_to(PACKAGE)
    return relative.name == "records.py" or relative.parts[0] == "store"


def test_sql_is_written_only_in_records_modules_and_the_store() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if _allowed(path):
            continue
        text = path.read_text(encoding="utf-8")
        for match in SQL.finditer(text):  # the whole text: a statement may span lines
            number = text.count("\n", 0, match.start()) + 1
            offenders.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {text.splitlines()[number - 1].strip()}")
    assert not offenders, ("SQL outside a records.py module: move it into the capability's records.py "
                           "and call it from there.\n" + "\n".join(offenders))
