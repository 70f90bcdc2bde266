"""A PythonStep's program: `python -m jupyter_ext.pipelines.run_function RESULT_FOLDER CALL`.

CALL is JSON: {"function": {"module", "qualname", "source"}, "args", "kwargs"}. The
function is imported from its module, or (defined in a notebook or a script that is not
importable here) built again from its source; its JSON return value goes to
RESULT_FOLDER/result.json.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["load_function", "main"]


def load_function(spec: dict[str, Any]) -> Callable[..., Any]:
    """The function `spec` names: imported where its module is importable, else from its source."""
    if spec["module"] != "__main__":
        try:
            target: Any = importlib.import_module(spec["module"])
            for part in spec["qualname"].split("."):
                target = getattr(target, part)
            return target  # type: ignore[no-any-return]
        except (ImportError, AttributeError):
            pass
    if not spec.get("source"):
        raise RuntimeError(f"Cannot find {spec['module']}.{spec['qualname']}: it is not importable here and "
                           "its source was not available when the step was made.")
    namespace: dict[str, Any] = {"__name__": "__pipeline_step__"}
    exec(compile(spec["source"], f"<{spec['qualname']}>", "exec"), namespace)  # noqa: S102 - the user's own function
    return namespace[spec["qualname"].split(".")[-1]]  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> None:
    """Run the call and write its result."""
    folder, call = (sys.argv[1:] if argv is None else argv)[:2]
    request = json.loads(call)
    result = load_function(request["function"])(*request["args"], **request["kwargs"])
    try:
        text = json.dumps(result)
    except (TypeError, ValueError):
        raise SystemExit(f"The step's function returned {type(result).__name__}, which is not JSON; return "
                         "numbers, strings, lists or dicts of them.") from None
    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / "result.json").write_text(text)
    print(f"Result: {text[:500]}", flush=True)


if __name__ == "__main__":
    main()
