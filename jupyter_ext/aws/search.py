"""SageMaker's Search over experiments, trials, trial components, training jobs and the
model registry's groups and versions (the SDK looks a group up with Search before it registers).

Each resource is read whole, in the shape its Describe* answers (with Tags, and Parents
for a trial component), and the SearchExpression is tested on it: a filter's Name is a
property path (`Parameters.lr`, `Metrics.loss.Last`, `Parents.ExperimentName`,
`Tags.owner`, `HyperParameters.epochs`), a list on the way fans out (or picks the item
whose MetricName or Key is the next name), and a value {"NumberValue": ...} compares as
its number. Filters and NestedFilters and SubExpressions combine with the expression's
Operator (And by default). What ExperimentAnalytics and the SDK's Run ask of Search.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..experiments import components, list_experiments
from ..jobs import list_jobs
from ..registry import list_model_package_groups, list_model_packages
from .experiment_shapes import component_document, experiment_document, tags_of, trial_document
from .model_packages import group_document, package_document
from .operations import Call
from .protocol import AwsError, to_timestamp
from .training_jobs import describe_training_job

__all__ = ["SERVICE", "OPERATIONS", "matches"]

SERVICE = "sagemaker"
_MAX_RESULTS = 100


def _training_jobs(call: Call) -> list[dict[str, Any]]:
    documents = []
    for job in list_jobs(type="Training", limit=None):
        document = describe_training_job(Call(call.service, "DescribeTrainingJob", {"TrainingJobName": job.name},
                                              call.region, call.account))
        documents.append({**document, "Tags": tags_of(document["TrainingJobArn"])})
    return documents


# Resource -> (the SearchRecord member it answers in, every such resource as documents)
_RESOURCES: dict[str, tuple[str, Callable[[Call], list[dict[str, Any]]]]] = {
    "ExperimentTrialComponent": ("TrialComponent", lambda call: [
        component_document(call, run) for run in components.list_runs()]),
    "Experiment": ("Experiment", lambda call: [experiment_document(call, e) for e in list_experiments()]),
    "ExperimentTrial": ("Trial", lambda call: [trial_document(call, t) for t in components.list_trials()]),
    "TrainingJob": ("TrainingJob", _training_jobs),
    "ModelPackageGroup": ("ModelPackageGroup", lambda call: [group_document(g) for g in list_model_package_groups()]),
    "ModelPackage": ("ModelPackage", lambda call: [package_document(p.describe()) for p in list_model_packages()]),
}


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict) and ("NumberValue" in value or "StringValue" in value):
        return value.get("NumberValue", value.get("StringValue"))
    return value


def _step(value: Any, name: str) -> list[Any]:
    if isinstance(value, list):
        found = []
        for item in value:
            if isinstance(item, dict) and (item.get("MetricName") == name or item.get("Key") == name):
                found.append(item.get("Value") if "Key" in item else item)
            else:
                found.extend(_step(item, name))
        return found
    if isinstance(value, dict):
        if name in value:
            return [value[name]]
        return [v for k, v in value.items() if k.lower() == name.lower()]
    return []


def _values(document: dict[str, Any], path: str) -> list[Any]:
    """Every value at the property path `path` of `document`."""
    current: list[Any] = [document]
    for name in path.split("."):
        current = [found for value in current for found in _step(value, name)]
    return [_unwrap(value) for value in current if value is not None]


def _as_number(text: Any) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _comparable(actual: Any, expected: str) -> tuple[Any, Any]:
    if isinstance(actual, datetime):
        return actual, to_timestamp(_as_number(expected) if _as_number(expected) is not None else expected)
    number, wanted = _as_number(actual), _as_number(expected)
    if not isinstance(actual, bool) and number is not None and wanted is not None:
        return number, wanted
    return str(actual), str(expected)


_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": lambda a, b: a == b, "NotEquals": lambda a, b: a != b, "GreaterThan": lambda a, b: a > b,
    "GreaterThanOrEqualTo": lambda a, b: a >= b, "LessThan": lambda a, b: a < b,
    "LessThanOrEqualTo": lambda a, b: a <= b,
}


def _test(actual: Any, operator: str, expected: str) -> bool:
    if operator == "Contains":
        return str(expected).lower() in str(actual).lower()
    if operator == "In":
        return any(_test(actual, "Equals", option.strip()) for option in str(expected).split(","))
    a, b = _comparable(actual, expected)
    try:
        return _TESTS[operator](a, b)
    except TypeError:
        return False


def _filter(document: dict[str, Any], item: dict[str, Any]) -> bool:
    operator = item.get("Operator") or "Equals"
    values = _values(document, item["Name"])
    if operator == "Exists":
        return bool(values)
    if operator == "NotExists":
        return not values
    if "Value" not in item:
        raise AwsError("ValidationException", f"Filter {item['Name']!r} with Operator {operator} needs a Value.")
    if operator == "NotEquals":
        return all(_test(value, operator, item["Value"]) for value in values)
    return any(_test(value, operator, item["Value"]) for value in values)


def _nested(document: dict[str, Any], nested: dict[str, Any]) -> bool:
    """True if one item of the list at NestedPropertyName passes every one of the filters."""
    name = nested["NestedPropertyName"]
    for item in _step(document, name) if "." not in name else _values(document, name):
        for member in item if isinstance(item, list) else [item]:
            if all(_filter({name: member}, f) for f in nested["Filters"]):
                return True
    return False


def matches(document: dict[str, Any], expression: dict[str, Any] | None) -> bool:
    """Whether `document` satisfies the SearchExpression (an absent one matches everything)."""
    if not expression:
        return True
    results = [_filter(document, item) for item in expression.get("Filters") or []]
    results += [_nested(document, item) for item in expression.get("NestedFilters") or []]
    results += [matches(document, sub) for sub in expression.get("SubExpressions") or []]
    return any(results) if expression.get("Operator") == "Or" else all(results)


def _sort_key(path: str) -> Callable[[dict[str, Any]], tuple[int, Any]]:
    def key(document: dict[str, Any]) -> tuple[int, Any]:
        value = _values(document, path)[0]
        number = _as_number(value)
        if isinstance(value, datetime):
            return 1, value.timestamp()
        return (1, number) if number is not None else (2, str(value))
    return key


def _page(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("search:"))
    except ValueError:
        raise AwsError("ValidationException", f"NextToken {token!r} is not one Search gave out.") from None


def search(call: Call) -> dict[str, Any]:
    """Search: the matching resources, sorted by SortBy (LastModifiedTime by default) in
    SortOrder (Descending by default), MaxResults (10 by default) a page."""
    params = call.params
    resource = params["Resource"]
    if resource not in _RESOURCES:
        raise AwsError("ValidationException", f"Search of {resource} is not served here; search one of: "
                       f"{', '.join(_RESOURCES)}.")
    member, documents = _RESOURCES[resource]
    found = [d for d in documents(call) if matches(d, params.get("SearchExpression"))]
    sort_by = params.get("SortBy") or "LastModifiedTime"
    unsorted = [d for d in found if not _values(d, sort_by)]  # last, in either order
    found = sorted((d for d in found if _values(d, sort_by)), key=_sort_key(sort_by),
                   reverse=(params.get("SortOrder") or "Descending") == "Descending") + unsorted
    start, size = _page(params.get("NextToken")), min(int(params.get("MaxResults") or 10), _MAX_RESULTS)
    answer: dict[str, Any] = {"Results": [{member: d} for d in found[start:start + size]],
                              "TotalHits": {"Value": len(found), "Relation": "EqualTo"}}
    if start + size < len(found):
        answer["NextToken"] = base64.urlsafe_b64encode(f"search:{start + size}".encode()).decode()
    return answer


OPERATIONS = {"Search": search}
