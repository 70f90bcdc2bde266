"""The model registry magic: %model, a few lines over `jupyter_ext.registry` (the verbs are
`jupyter-ext models`'); it raises on failure, so a papermill run fails on its cell."""

from __future__ import annotations

import argparse
import json
from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class

from ..commands.models import MODELS, groups_table, packages_table
from .dispatch import run_table

__all__ = ["RegistryMagics"]


def _table(render: Any) -> Any:
    def show(records: list[Any], args: argparse.Namespace) -> Any:
        if args.json:
            return [r.to_dict() for r in records]
        print(render(records))
        return None
    return show


def _print_record(record: Any, args: argparse.Namespace) -> None:
    for item in record if isinstance(record, list) else [record]:
        print(json.dumps(item, indent=1))


@magics_class
class RegistryMagics(Magics):
    """Magics over the model registry."""

    @line_magic
    def model(self, line: str) -> Any:
        """List versions (the default), list groups, describe, approve or reject a version, or
        follow an endpoint's lineage, as `jupyter-ext models` does.

        Example: %model list churn --status Approved  |  %model approve churn/2 --description "AUC 0.91"
        |  %model list-groups  |  %model lineage churn-endpoint
        """
        return run_table(MODELS, line, self.shell, render={
            "list": _table(packages_table), "list-groups": _table(groups_table), "describe": _print_record,
            "lineage": _print_record})
