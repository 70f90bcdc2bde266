"""statistics.json, constraints.json and constraint_violations.json as editable objects
(SageMaker's `Statistics`, `Constraints`, `ConstraintViolations`), with schema checks that
name what is wrong in a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import ValidationError

__all__ = ["Statistics", "Constraints", "ConstraintViolations", "validate_statistics", "validate_constraints",
           "STATISTICS_FILE", "CONSTRAINTS_FILE", "VIOLATIONS_FILE"]

STATISTICS_FILE, CONSTRAINTS_FILE, VIOLATIONS_FILE = "statistics.json", "constraints.json", "constraint_violations.json"
_TYPES = ("Integral", "Fractional", "String", "Unknown")


def _fail(path: str, problem: str, fix: str) -> None:
    raise ValidationError(f"{path} is not a valid SageMaker file: {problem}. {fix}")


def validate_statistics(document: Any, path: str = "statistics.json") -> None:
    """Raise ValidationError unless `document` follows statistics.json's schema."""
    fix = "Make it with suggest_baseline() or take SageMaker's statistics.json unchanged."
    if isinstance(document, dict) and any(str(k).endswith("_metrics") for k in document):
        return _validate_metrics(document, path, fix)
    if not isinstance(document, dict) or not isinstance(document.get("features"), list):
        _fail(path, "it needs a 'features' list", fix)
    if not isinstance(document.get("dataset", {}).get("item_count"), int):
        _fail(path, "it needs dataset.item_count (a whole number)", fix)
    for index, feature in enumerate(document["features"]):
        if not isinstance(feature, dict) or not isinstance(feature.get("name"), str):
            _fail(path, f"feature {index} has no name", fix)
        if feature.get("inferred_type") not in _TYPES:
            _fail(path, f"feature {feature['name']!r} has inferred_type {feature.get('inferred_type')!r}, "
                        f"not one of {', '.join(_TYPES)}", fix)
        block = feature.get("numerical_statistics") or feature.get("string_statistics")
        if not isinstance(block, dict) or not {"num_present", "num_missing"} <= set(block.get("common", {})):
            _fail(path, f"feature {feature['name']!r} needs numerical_statistics or string_statistics with "
                        "common.num_present and common.num_missing", fix)
        if "numerical_statistics" in feature:
            missing = {"mean", "sum", "std_dev", "min", "max", "distribution"} - set(block)
            if missing:
                _fail(path, f"feature {feature['name']!r} lacks {', '.join(sorted(missing))}", fix)
            sketch = block["distribution"].get("kll", {}).get("sketch", {})
            if not isinstance(sketch.get("data"), list) or "parameters" not in sketch:
                _fail(path, f"feature {feature['name']!r} lacks distribution.kll.sketch (parameters, data)", fix)
        elif "buckets" not in block.get("distribution", {}).get("categorical", {}):
            _fail(path, f"feature {feature['name']!r} lacks distribution.categorical.buckets", fix)


def _validate_metrics(document: dict[str, Any], path: str, fix: str) -> None:
    """Model-quality statistics: every metric is {"value", "standard_deviation"} or a curve/matrix."""
    for block, metrics in document.items():
        if not str(block).endswith("_metrics"):
            continue
        for name, metric in metrics.items():
            if not isinstance(metric, dict) or (name not in ("confusion_matrix",) and not name.endswith("_curve")
                                                and not {"value", "standard_deviation"} <= set(metric)):
                _fail(path, f"metric {block}.{name} needs value and standard_deviation", fix)


def validate_constraints(document: Any, path: str = "constraints.json") -> None:
    """Raise ValidationError unless `document` follows constraints.json's schema (data quality)."""
    fix = "Make it with suggest_baseline() or take SageMaker's constraints.json unchanged."
    if isinstance(document, dict) and any(str(k).endswith("_constraints") for k in document):
        for block, rules in document.items():
            for name, rule in (rules.items() if str(block).endswith("_constraints") else ()):
                if rule.get("comparison_operator") not in ("GreaterThanThreshold", "LessThanThreshold") or \
                        not isinstance(rule.get("threshold"), (int, float)):
                    _fail(path, f"{block}.{name} needs a numeric threshold and comparison_operator "
                                "GreaterThanThreshold or LessThanThreshold", fix)
        return
    if not isinstance(document, dict) or not isinstance(document.get("features"), list):
        _fail(path, "it needs a 'features' list", fix)
    for index, feature in enumerate(document["features"]):
        if not isinstance(feature, dict) or not isinstance(feature.get("name"), str):
            _fail(path, f"feature {index} has no name", fix)
        if feature.get("inferred_type") not in _TYPES:
            _fail(path, f"feature {feature['name']!r} has inferred_type {feature.get('inferred_type')!r}", fix)
        completeness = feature.get("completeness", 1.0)
        if not isinstance(completeness, (int, float)) or not 0 <= completeness <= 1:
            _fail(path, f"feature {feature['name']!r} has completeness {completeness!r}, not a number 0-1", fix)
    config = document.get("monitoring_config", {})
    method = config.get("distribution_constraints", {}).get("comparison_method", "Robust")
    if method not in ("Simple", "Robust"):
        _fail(path, f"comparison_method {method!r} is not Simple or Robust", fix)
    drift = config.get("distribution_constraints", {}).get("categorical_drift_method", "LInfinity")
    if drift not in ("LInfinity", "ChiSquared"):
        _fail(path, f"categorical_drift_method {drift!r} is not LInfinity or ChiSquared", fix)


def read_json_file(path: str | Path, what: str) -> Any:
    """A JSON file's content; ValidationError when missing or not JSON."""
    file = Path(path)
    if file.is_dir():
        file = file / what
    if not file.is_file():
        raise ValidationError(f"{what} not found at {file}. Give the file a baselining job wrote.")
    try:
        return json.loads(file.read_text())
    except ValueError as error:
        raise ValidationError(f"{file} is not JSON ({error}).") from None


class _File:
    file_name = ""

    def __init__(self, body_dict: dict[str, Any], file_path: str | None = None) -> None:
        self.body_dict, self.file_path = body_dict, file_path

    @classmethod
    def from_file_path(cls, path: str | Path) -> Any:
        """Read (and check) the file at `path` (or `<path>/<file name>` for a folder)."""
        file = Path(path) / cls.file_name if Path(path).is_dir() else Path(path)
        body = read_json_file(file, cls.file_name)
        cls._validate(body, str(file))
        return cls(body, str(file))

    @staticmethod
    def _validate(body: Any, path: str) -> None:
        pass

    def save(self, path: str | Path | None = None) -> str:
        """Write the (edited) body back to its file, or to `path`; returns the path written."""
        target = Path(path or self.file_path or self.file_name)
        if target.is_dir():
            target = target / self.file_name
        self._validate(self.body_dict, str(target))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.body_dict, indent=1))
        self.file_path = str(target)
        return self.file_path

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.file_path!r})"


class Statistics(_File):
    """statistics.json: `body_dict` is the document; `feature(name)` one feature's entry."""

    file_name = STATISTICS_FILE
    _validate = staticmethod(validate_statistics)

    def feature(self, name: str) -> dict[str, Any]:
        """The statistics of feature `name`."""
        for feature in self.body_dict["features"]:
            if feature["name"] == name:
                return feature
        names = ", ".join(f["name"] for f in self.body_dict["features"])
        raise ValidationError(f"No feature {name!r}; features: {names}.")


class Constraints(_File):
    """constraints.json: edit `body_dict` (thresholds, domains...) and `save()`."""

    file_name = CONSTRAINTS_FILE
    _validate = staticmethod(validate_constraints)

    def set_monitoring(self, enable_monitoring: bool, feature_name: str | None = None) -> None:
        """Turn drift comparison on or off, for every feature or for one."""
        value = "Enabled" if enable_monitoring else "Disabled"
        if feature_name is None:
            self.body_dict["monitoring_config"]["distribution_constraints"]["perform_comparison"] = value
            return
        for feature in self.body_dict["features"]:
            if feature["name"] == feature_name:
                overrides = feature.setdefault("monitoringConfigOverrides", {})
                overrides.setdefault("distribution_constraints", {})["perform_comparison"] = value
                return
        raise ValidationError(f"No feature {feature_name!r} in these constraints.")


class ConstraintViolations(_File):
    """constraint_violations.json: `body_dict["violations"]`."""

    file_name = VIOLATIONS_FILE

    @classmethod
    def from_file_path(cls, path: str | Path) -> ConstraintViolations:
        """Read constraint_violations.json (or `constraints_violations.json`, a spelling one
        SageMaker page uses) at `path` or in the folder `path`."""
        folder, misspelled = Path(path), Path(path) / "constraints_violations.json"
        if folder.is_dir() and not (folder / VIOLATIONS_FILE).is_file() and misspelled.is_file():
            path = misspelled
        return super().from_file_path(path)

    @property
    def violations(self) -> list[dict[str, Any]]:
        """Each violation: feature_name, constraint_check_type, description."""
        return list(self.body_dict.get("violations", []))
