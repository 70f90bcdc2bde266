"""constraints.json suggested from a baseline's statistics, and the checks a monitoring run
makes against it (constraint_violations.json), with SageMaker's check types."""

from __future__ import annotations

import math
from typing import Any

from .drift import categorical_distance, chi_squared_p_value, numeric_distance

__all__ = ["MONITORING_CONFIG", "suggest_constraints", "find_violations", "feature_distance", "drift_distances",
           "DOMAIN_LIMIT"]

MONITORING_CONFIG: dict[str, Any] = {
    "evaluate_constraints": "Enabled", "emit_metrics": "Enabled",
    "datatype_check_threshold": 0.1, "domain_content_threshold": 0.1,
    "distribution_constraints": {"perform_comparison": "Enabled", "comparison_threshold": 0.1,
                                 "comparison_method": "Robust", "categorical_comparison_threshold": 0.1,
                                 "categorical_drift_method": "LInfinity"}}
# String features with at most this many distinct values get a domain constraint.
DOMAIN_LIMIT = 50
_NUMERIC = ("Integral", "Fractional")


def _completeness(feature: dict[str, Any]) -> float:
    common = (feature.get("numerical_statistics") or feature.get("string_statistics") or {}).get("common", {})
    total = common.get("num_present", 0) + common.get("num_missing", 0)
    return common.get("num_present", 0) / total if total else 0.0


def suggest_constraints(statistics: dict[str, Any]) -> dict[str, Any]:
    """constraints.json for a baseline: type, completeness, non-negativity, string domains,
    and monitoring_config with SageMaker's documented defaults."""
    features = []
    for feature in statistics["features"]:
        entry: dict[str, Any] = {"name": feature["name"], "inferred_type": feature["inferred_type"],
                                 "completeness": _completeness(feature)}
        if feature["inferred_type"] in _NUMERIC:
            entry["num_constraints"] = {"is_non_negative": feature["numerical_statistics"]["min"] >= 0}
        elif feature["inferred_type"] == "String":
            strings = feature["string_statistics"]
            buckets = strings["distribution"]["categorical"]["buckets"]
            if strings["distinct_count"] <= DOMAIN_LIMIT and buckets:
                entry["string_constraints"] = {"domains": [b["value"] for b in buckets]}
            entry["monitoringConfigOverrides"] = {}
        features.append(entry)
    return {"version": 0, "features": features, "monitoring_config": _copy(MONITORING_CONFIG)}


def _copy(config: dict[str, Any]) -> dict[str, Any]:
    return {k: dict(v) if isinstance(v, dict) else v for k, v in config.items()}


def _settings(constraints: dict[str, Any], feature: dict[str, Any]) -> dict[str, Any]:
    """The feature's monitoring settings: monitoring_config, defaults, then its overrides."""
    config = {**_copy(MONITORING_CONFIG), **constraints.get("monitoring_config", {})}
    distribution = {**MONITORING_CONFIG["distribution_constraints"], **config.get("distribution_constraints", {})}
    distribution.setdefault("categorical_comparison_threshold", distribution["comparison_threshold"])
    overrides = feature.get("monitoringConfigOverrides") or {}
    settings = {**config, **distribution, **{k: v for k, v in overrides.items() if not isinstance(v, dict)}}
    settings.update(overrides.get("distribution_constraints", {}))
    return settings


def _violation(feature: str, check: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"feature_name": feature, "constraint_check_type": check, "description": description, **extra}


def find_violations(statistics: dict[str, Any], constraints: dict[str, Any], current: dict[str, Any],
                    type_counts: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """Every violation of `constraints` by the `current` statistics (against the baseline
    `statistics` for drift). `type_counts[name]` holds the live integral/fractional/string counts."""
    if constraints.get("monitoring_config", {}).get("evaluate_constraints", "Enabled") == "Disabled":
        return []
    baseline = {f["name"]: f for f in statistics.get("features", [])}
    live = {f["name"]: f for f in current["features"]}
    expected = [f["name"] for f in constraints["features"]]
    sizes = f"({len(live)} columns; baseline: {len(expected)})"
    violations = [_violation(name, "missing_column_check", f"There are missing columns in current dataset. Column "
                             f"{name} of the baseline constraints is not in the current dataset {sizes}.")
                  for name in expected if name not in live]
    violations += [_violation(name, "extra_column_check", f"There are extra columns in current dataset. Column "
                              f"{name} is not in the baseline constraints {sizes}. A captured row is the model's "
                              "output then the request (output_columns_position START): give the baseline "
                              "the same columns in that order, or the request's columns only.")
                   for name in live if name not in expected]
    for feature in constraints["features"]:
        if feature["name"] in live:
            violations += _feature_violations(feature, _settings(constraints, feature), live[feature["name"]],
                                              baseline.get(feature["name"]), type_counts.get(feature["name"], {}))
    return violations


def _feature_violations(feature: dict[str, Any], settings: dict[str, Any], live: dict[str, Any],
                        baseline: dict[str, Any] | None, counts: dict[str, int]) -> list[dict[str, Any]]:
    name, kind = feature["name"], feature["inferred_type"]
    found = []
    present = counts.get("present", 0)
    if kind in _NUMERIC and present:
        matching = counts.get("integral", 0) + (counts.get("fractional", 0) if kind == "Fractional" else 0)
        share, needed = matching / present, 1.0 - float(settings["datatype_check_threshold"])
        if share < needed:
            found.append(_violation(name, "data_type_check", (
                f"Data type match requirement is not met. Expected data type: {kind}, Expected match: "
                f"{needed * 100:.1f}%. Observed: Only {share * 100:.1f}% of data is {kind}."),
                observed=share, threshold=needed))
    completeness = _completeness(live)
    expected = float(feature.get("completeness", 0.0))
    if completeness < expected - 1e-12:
        found.append(_violation(name, "completeness_check", (
            f"Data completeness requirement is not met. Expected completeness: {expected * 100:.2f}%. "
            f"Observed: Only {completeness * 100:.2f}% of data is complete."), observed=completeness, threshold=expected))
    domains = (feature.get("string_constraints") or {}).get("domains")
    if domains is not None and "string_statistics" in live:
        found += _domain_violation(name, domains, live, float(settings["domain_content_threshold"]))
    if baseline is not None and settings.get("perform_comparison", "Enabled") == "Enabled":
        found += _drift_violation(name, settings, baseline, live)
    return found


def _domain_violation(name: str, domains: list[str], live: dict[str, Any], threshold: float) -> list[dict[str, Any]]:
    buckets = live["string_statistics"]["distribution"]["categorical"]["buckets"]
    total = sum(b["count"] for b in buckets)
    unknown = {b["value"]: b["count"] for b in buckets if b["value"] not in set(domains)}
    share = sum(unknown.values()) / total if total else 0.0
    if share <= threshold:
        return []
    examples = ", ".join(sorted(unknown, key=lambda v: -unknown[v])[:5])
    return [_violation(name, "categorical_values_check", (
        f"Data content requirement is not met. Expected: at most {threshold * 100:.1f}% of values outside the "
        f"baseline domain. Observed: {share * 100:.1f}% of values are new ({examples})."),
        observed=share, threshold=threshold)]


def _categories(feature: dict[str, Any]) -> dict[str, float]:
    return {b["value"]: b["count"] for b in feature["string_statistics"]["distribution"]["categorical"]["buckets"]}


def feature_distance(settings: dict[str, Any], baseline: dict[str, Any],
                     live: dict[str, Any]) -> tuple[str, float, float] | None:
    """(measure, value, threshold) comparing a feature with its baseline: measure "distance"
    (L-infinity, numeric or categorical) or "p-value" (ChiSquared); None when the two are
    not comparable (a type change: the data-type check reports it)."""
    if "numerical_statistics" in baseline and "numerical_statistics" in live:
        sketch = lambda f: f["numerical_statistics"]["distribution"]["kll"]["sketch"]["data"]  # noqa: E731
        return ("distance", numeric_distance(sketch(baseline), sketch(live), settings["comparison_method"]),
                float(settings["comparison_threshold"]))
    if "string_statistics" in baseline and "string_statistics" in live:
        threshold = float(settings["categorical_comparison_threshold"])
        if settings.get("categorical_drift_method", "LInfinity") == "ChiSquared":
            return "p-value", chi_squared_p_value(_categories(baseline), _categories(live)), threshold
        return "distance", categorical_distance(_categories(baseline), _categories(live),
                                                settings["comparison_method"]), threshold
    return None


def _drift_violation(name: str, settings: dict[str, Any], baseline: dict[str, Any],
                     live: dict[str, Any]) -> list[dict[str, Any]]:
    measured = feature_distance(settings, baseline, live)
    if measured is None:
        return []
    measure, value, threshold = measured
    if measure == "p-value":
        if math.isnan(value) or value >= threshold:
            return []  # NaN: too few categories to test
        return [_violation(name, "baseline_drift_check",
                           f"Baseline drift p-value: {value:.6g} is below threshold: {threshold:g} (ChiSquared)",
                           observed=value, threshold=threshold)]
    if value <= threshold:
        return []
    return [_violation(name, "baseline_drift_check", f"Baseline drift distance: {value:.6g} exceeds threshold: "
                       f"{threshold:g}", observed=value, threshold=threshold)]


def drift_distances(statistics: dict[str, Any], constraints: dict[str, Any],
                    current: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per feature: the L-infinity drift distance and its threshold (for reports and metrics)."""
    baseline = {f["name"]: f for f in statistics.get("features", [])}
    live = {f["name"]: f for f in current["features"]}
    result = {}
    for feature in constraints["features"]:
        name = feature["name"]
        if name in baseline and name in live:
            settings = {**_settings(constraints, feature), "categorical_drift_method": "LInfinity"}
            measured = feature_distance(settings, baseline[name], live[name])
            if measured is not None:
                result[name] = {"distance": measured[1], "threshold": measured[2]}
    return result
