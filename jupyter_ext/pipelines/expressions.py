"""Pipeline variables: parameters, step properties, `JsonGet`, `Join` and execution variables.

Each one is a `PipelineVariable` whose `.expr` is SageMaker's definition JSON for it
(`{"Get": "Parameters.X"}`, `{"Get": "Steps.S.ModelArtifacts.S3ModelArtifacts"}`,
`{"Std:JsonGet": ...}`, `{"Std:Join": ...}`); `to_expr` turns any value holding them into
JSON, and `Resolver` gives their values while an execution runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import ValidationError

__all__ = [
    "PipelineVariable", "Parameter", "ParameterString", "ParameterInteger", "ParameterFloat", "ParameterBoolean",
    "Properties", "PropertyFile", "JsonGet", "Join", "ExecutionVariables", "to_expr", "is_expr", "Resolver",
]

_PARAMETER_TYPES = {"String": str, "Integer": int, "Float": float, "Boolean": bool}


class PipelineVariable:
    """A value known only when the pipeline runs; `.expr` is its definition JSON."""

    @property
    def expr(self) -> dict[str, Any]:
        """SageMaker's JSON for this value."""
        raise NotImplementedError

    def to_string(self) -> Join:
        """This value as a string (SageMaker's `.to_string()`): a Join of one value."""
        return Join(on="", values=[self])

    def __str__(self) -> str:  # a variable used as a plain string is a mistake SageMaker reports too
        raise TypeError(f"{type(self).__name__} has no value until the pipeline runs; pass it as is, "
                        "or use .to_string() / Join to build a string of it.")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({json.dumps(self.expr)})"


class Parameter(PipelineVariable):
    """A pipeline parameter: `name`, its SageMaker type and its default value."""

    parameter_type = "String"

    def __init__(self, name: str, default_value: Any = None) -> None:
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9\-_]{1,256}", name):
            raise ValidationError(f"Parameter name {name!r}: use 1-256 letters, digits, '-' or '_'.")
        self.name = name
        self.default_value = None if default_value is None else self.cast(default_value)

    def cast(self, value: Any) -> Any:
        """`value` as this parameter's type (ValidationError if it is not one)."""
        kind = _PARAMETER_TYPES[self.parameter_type]
        try:
            if kind is bool and isinstance(value, str):
                if value.lower() not in ("true", "false"):
                    raise ValueError(value)
                return value.lower() == "true"
            if kind is int and isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return kind(value)
        except (TypeError, ValueError):
            raise ValidationError(f"Parameter {self.name} is of type {self.parameter_type}; {value!r} is not.") from None

    @property
    def expr(self) -> dict[str, Any]:
        return {"Get": f"Parameters.{self.name}"}

    def to_request(self) -> dict[str, Any]:
        """The definition's entry: {Name, Type, DefaultValue}."""
        request: dict[str, Any] = {"Name": self.name, "Type": self.parameter_type}
        if self.default_value is not None:
            request["DefaultValue"] = self.default_value
        return request


class ParameterString(Parameter):
    """A string parameter."""

    parameter_type = "String"

    def __init__(self, name: str, default_value: str | None = None, enum_values: list[str] | None = None) -> None:
        self.enum_values = [str(v) for v in enum_values] if enum_values else None
        super().__init__(name, default_value)

    def cast(self, value: Any) -> Any:
        text = super().cast(value)
        if self.enum_values and text not in self.enum_values:
            raise ValidationError(f"Parameter {self.name} is one of {', '.join(self.enum_values)}; got {text!r}.")
        return text

    def to_request(self) -> dict[str, Any]:
        request = super().to_request()
        if self.enum_values:
            request["EnumValues"] = self.enum_values
        return request


class ParameterInteger(Parameter):
    """A whole-number parameter."""

    parameter_type = "Integer"


class ParameterFloat(Parameter):
    """A number parameter."""

    parameter_type = "Float"


class ParameterBoolean(Parameter):
    """A true/false parameter."""

    parameter_type = "Boolean"


class Properties(PipelineVariable):
    """A step's property path (`step.properties.ModelArtifacts.S3ModelArtifacts`,
    `...Outputs["train"].S3Output.S3Uri`), read from its job's Describe* answer at run time."""

    def __init__(self, path: str) -> None:
        object.__setattr__(self, "_path", path)

    def __getattr__(self, name: str) -> Properties:
        if name.startswith("_"):
            raise AttributeError(name)
        return Properties(f"{self._path}.{name}")

    def __getitem__(self, key: int | str) -> Properties:
        return Properties(f"{self._path}[{key}]" if isinstance(key, int) else f"{self._path}['{key}']")

    @property
    def expr(self) -> dict[str, Any]:
        return {"Get": self._path}


class PropertyFile:
    """A JSON file a processing step writes to output `output_name` at `path`, for `JsonGet`."""

    def __init__(self, name: str, output_name: str, path: str) -> None:
        self.name, self.output_name, self.path = name, output_name, path

    def to_request(self) -> dict[str, str]:
        """The step's PropertyFiles entry."""
        return {"PropertyFileName": self.name, "OutputName": self.output_name, "FilePath": self.path}


class JsonGet(PipelineVariable):
    """The value at `json_path` (`metrics.accuracy.value`) in a step's PropertyFile."""

    def __init__(self, step_name: Any, property_file: PropertyFile | str, json_path: str) -> None:
        self.step_name = step_name if isinstance(step_name, str) else step_name.name
        self.property_file = property_file if isinstance(property_file, str) else property_file.name
        self.json_path = json_path

    @property
    def expr(self) -> dict[str, Any]:
        return {"Std:JsonGet": {"PropertyFile": {"Get": f"Steps.{self.step_name}.PropertyFiles.{self.property_file}"},
                                "Path": self.json_path}}


class Join(PipelineVariable):
    """`values` (strings, numbers or variables) joined with `on`."""

    def __init__(self, on: str = "", values: list[Any] | None = None) -> None:
        self.on, self.values = on, list(values or [])

    @property
    def expr(self) -> dict[str, Any]:
        return {"Std:Join": {"On": self.on, "Values": [to_expr(v) for v in self.values]}}


class _ExecutionVariable(PipelineVariable):
    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def expr(self) -> dict[str, Any]:
        return {"Get": f"Execution.{self.name}"}


class ExecutionVariables:
    """What an execution knows of itself (SageMaker's names)."""

    START_DATETIME = _ExecutionVariable("StartDateTime")
    CURRENT_DATETIME = _ExecutionVariable("CurrentDateTime")
    PIPELINE_NAME = _ExecutionVariable("PipelineName")
    PIPELINE_ARN = _ExecutionVariable("PipelineArn")
    PIPELINE_EXECUTION_ID = _ExecutionVariable("PipelineExecutionId")
    PIPELINE_EXECUTION_ARN = _ExecutionVariable("PipelineExecutionArn")


def to_expr(value: Any) -> Any:
    """`value` as definition JSON: variables become their expressions, containers recurse."""
    if isinstance(value, PipelineVariable):
        return value.expr
    if isinstance(value, Mapping):
        return {str(k): to_expr(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_expr(v) for v in value]
    return value


def is_expr(value: Any) -> bool:
    """Whether JSON `value` is one expression (a Get, JsonGet or Join)."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("Get", "Std:JsonGet", "Std:Join")


_TOKEN = re.compile(r"\.?([A-Za-z0-9_\-]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


def split_path(path: str) -> list[str | int]:
    """`Outputs['train'].S3Output.S3Uri` as ["Outputs", "train", "S3Output", "S3Uri"]."""
    parts: list[str | int] = []
    position = 0
    while position < len(path):
        match = _TOKEN.match(path, position)
        if match is None:
            raise ValidationError(f"Cannot read the property path {path!r} at {path[position:]!r}.")
        name, index, key, quoted = match.groups()
        parts.append(int(index) if index is not None else name if name is not None else key or quoted or "")
        position = match.end()
    return parts


def walk(document: Any, parts: list[str | int], what: str) -> Any:
    """The value at `parts` in a JSON document; a list indexed by a name picks the item
    whose `...Name` field has it (SageMaker's Outputs['train'])."""
    value = document
    for part in parts:
        if isinstance(value, list) and isinstance(part, str):
            value = next((item for item in value if isinstance(item, dict) and any(
                k.endswith("Name") and v == part for k, v in item.items())), None)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        elif isinstance(value, dict) and str(part) in value:
            value = value[str(part)]
        else:
            value = None
        if value is None:
            raise ValidationError(f"{what}: nothing at {part!r}.")
    return value


class Resolver:
    """Gives expressions their values in one execution: `parameters`, `execution` variables,
    `step_properties(step)` (its Describe* dict) and `property_file(step, file)` (its JSON)."""

    def __init__(self, parameters: Mapping[str, Any], execution: Mapping[str, Any],
                 step_properties: Callable[[str], Any], property_file: Callable[[str, str], Any]) -> None:
        self.parameters, self.execution = parameters, execution
        self.step_properties, self.property_file = step_properties, property_file

    def __call__(self, value: Any) -> Any:
        """`value` (JSON) with every expression in it replaced by its value."""
        if is_expr(value):
            return self._evaluate(value)
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v) for v in value]
        return value

    def _evaluate(self, expr: dict[str, Any]) -> Any:
        if "Std:Join" in expr:
            body = expr["Std:Join"]
            return body["On"].join(_as_text(self(v)) for v in body["Values"])
        if "Std:JsonGet" in expr:
            body = expr["Std:JsonGet"]
            _, step, _, name = body["PropertyFile"]["Get"].split(".", 3)
            path = self(body["Path"])
            return walk(self.property_file(step, name), split_path(path), f"JsonGet {path} of {step}'s {name}")
        head, _, rest = expr["Get"].partition(".")
        if head == "Parameters":
            if rest not in self.parameters:
                raise ValidationError(f"Parameter {rest} is not a parameter of this pipeline.")
            return self.parameters[rest]
        if head == "Execution":
            return self.execution[rest]
        if head == "Steps":
            step, _, path = rest.partition(".")
            return walk(self.step_properties(step), split_path(path), f"Steps.{rest}")
        raise ValidationError(f"Unknown expression {expr}.")


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
