"""The Data Exploration notebook (`SageMakerAutopilotDataExplorationNotebook.ipynb`):
markdown only, with tables and PNG charts, readable without a kernel. Its sections and
statistics follow SageMaker Autopilot's report; the same numbers are in `data_profile.json`.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import nbformat

from .insights import anomalous_rows
from .notebooks import KERNEL

__all__ = ["EXPLORATION_NOTEBOOK", "exploration_notebook"]

EXPLORATION_NOTEBOOK = "SageMakerAutopilotDataExplorationNotebook.ipynb"
DEFINITIONS = (
    "**Numeric**: numbers. **Categorical**: strings with few distinct values. **Text**: strings of several words. "
    "**Datetime**: dates (split into year, month, day, weekday). **Boolean**: true/false.\n\n"
    "**Prediction power**: the score of a model of that one feature alone, trained on 80 % of the sample and scored "
    "on the other 20 %, scaled to [0, 1]: 0 is no better than guessing, 1 is perfect. **Outliers**: values more than "
    "3 standard deviations from the mean. **Anomaly score**: an Isolation Forest's score; below 0 is anomalous. "
    "**Missing**: empty cells (nan, None or blank). **Pearson correlation**: the linear correlation of two columns, "
    "from -1 to 1.")


def _png(draw: Any, size: tuple[float, float] = (6, 3)) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=size)
    draw(axes)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    plt.close(figure)
    return f"<img src=\"data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}\"/>"


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> str:
    cells = [[str(v).replace("|", "\\|").replace("\n", " ") for v in row] for row in rows]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in cells])


def _cell(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _frame_table(frame: Any, head: list[tuple[Any, ...]] | None = None) -> str:
    rows = [tuple(_cell(v) for v in row) for row in frame.itertuples(index=False)]
    return _table([*(head or []), *rows], tuple(map(str, frame.columns)))


def _summary(folder: Path, profile: dict[str, Any]) -> str:
    kinds: dict[str, int] = {}
    for kind in profile["column_types"].values():
        kinds[kind] = kinds.get(kind, 0) + 1
    features = max(1, len(profile["column_types"]))
    duplicates = profile["duplicate_rows"] / max(1, profile["rows"]) * 100
    return (f"# Data Exploration Report\n\nJob `{folder.name}`. The statistics below are computed on a sample of "
            f"{profile['sample_rows']} rows of {profile['rows']}; the numbers are also in `data_profile.json`. "
            "The layout may change: read the JSON file, not this notebook, from code.\n\n## Dataset Summary\n\n"
            + _table([("rows", profile["rows"]), ("columns", profile["columns"]),
                      ("duplicate rows", f"{duplicates:.2f} %"), ("target column", profile["target"]),
                      ("missing feature values", f"{profile['missing_feature_percent']:.2f} %"),
                      ("detected problem type", f"{profile['problem_type']} ({profile['reason']})")],
                     ("Dataset Properties", "value"))
            + "\n\n**Detected Column Types**\n\n"
            + _table([(k, n, f"{n / features * 100:.1f} %") for k, n in sorted(kinds.items())], ("type", "columns", "%")))


def _target_analysis(profile: dict[str, Any], frame: Any) -> str:
    facts = profile["target_analysis"]
    target = frame[profile["target"]]
    if profile["problem_type"] == "Regression":
        keys = ("mean", "median", "min", "max", "skew", "kurtosis", "unique", "outliers_percent",
                "missing_percent", "missing_count")
        table = _table([(k, f"{facts[k]:.4g}") for k in keys], ("statistic", "value"))
        chart = _png(lambda ax: ax.hist(target.dropna().astype(float), bins=30, color="tab:blue"))
    else:
        counts = facts["class_counts"]
        table = _table([(k, v, f"{v / max(1, sum(counts.values())) * 100:.1f} %") for k, v in counts.items()],
                       ("class", "rows", "share"))
        chart = _png(lambda ax: ax.bar(list(counts)[:30], list(counts.values())[:30], color="tab:blue"))
    insight = ""
    if facts["missing_count"]:
        insight = (f"\n\n⚠️ {facts['missing_count']} rows have no target; they are left out of training. "
                   "Fill them upstream if they are errors.")
    return "## Target Analysis\n\n" + table + "\n\n" + chart + insight


def _data_sample(profile: dict[str, Any], frame: Any) -> str:
    columns = [profile["target"], *profile["prediction_power"]]
    sample = frame[columns].sample(min(10, len(frame)), random_state=0)
    types = ["target", *(profile["column_types"][c] for c in columns[1:])]
    powers = ["-", *(f"{profile['prediction_power'][c]:.3f}" for c in columns[1:])]
    return ("## Data Sample\n\nTen random rows; the first two rows give each column's type and prediction power "
            "(target first).\n\n" + _frame_table(sample, [tuple(types), tuple(powers)]))


def _feature_summary(profile: dict[str, Any]) -> str:
    top = list(profile["prediction_power"].items())[:10]
    if not top:
        return "## Feature Summary\n\nNo feature columns."
    chart = _png(lambda ax: (ax.barh([c for c, _ in top][::-1], [p for _, p in top][::-1], color="tab:green"),
                             ax.set_xlim(0, 1), ax.set_xlabel("prediction power")))
    return ("## Feature Summary\n\nThe ten features with the most prediction power (a quick ranking, not a "
            "substitute for a model's feature importance).\n\n" + chart)


def _duplicates(profile: dict[str, Any], frame: Any) -> str:
    if not profile["duplicate_rows"]:
        return f"## Duplicate Rows\n\nNone found in a sample of {profile['rows']} rows."
    rows = frame[frame.duplicated(keep=False)].head(10)
    return (f"## Duplicate Rows\n\n{profile['duplicate_rows']} rows repeat an earlier row. Duplicates can leak "
            "between training and validation, or be up-sampling; check them.\n\n" + _frame_table(rows))


def _correlations(profile: dict[str, Any], frame: Any) -> str:
    numeric = [c for c in profile["prediction_power"] if profile["column_types"][c] == "numeric"][:10]
    if len(numeric) < 2:
        return "## Cross Column Statistics\n\nFewer than two numeric columns."
    matrix = frame[numeric].astype(float).corr()

    def draw(ax: Any) -> None:
        image = ax.imshow(matrix.to_numpy(), vmin=-1, vmax=1, cmap="coolwarm")
        ax.set_xticks(range(len(numeric)), numeric, rotation=90, fontsize=7)
        ax.set_yticks(range(len(numeric)), numeric, fontsize=7)
        ax.figure.colorbar(image, ax=ax)

    pairs = sorted(((a, b, matrix.loc[a, b]) for i, a in enumerate(numeric) for b in numeric[i + 1:]),
                   key=lambda x: -abs(x[2]))[:10]
    return ("## Cross Column Statistics\n\nPearson correlation of the 10 most predictive numeric features. Strongly "
            "correlated pairs carry the same information; one of each can often be dropped.\n\n"
            + _png(draw, (5.5, 4.5)) + "\n\n" + _table([(a, b, f"{r:.3f}") for a, b, r in pairs],
                                                      ("column", "column", "Pearson")))


def _anomalies(profile: dict[str, Any], frame: Any) -> str:
    problem = {"columns": profile["column_types"]}
    rows = anomalous_rows(frame, problem)
    return (f"## Anomalous Rows\n\nThe rows an Isolation Forest finds least like the others, in a sample of "
            f"{profile['sample_rows']} rows; a negative score is anomalous. Look for data-entry errors.\n\n"
            + _frame_table(rows))


def _missing(profile: dict[str, Any]) -> str:
    missing = sorted(((c, p) for c, p in profile["missing_percent"].items() if p > 0), key=lambda x: -x[1])
    if not missing:
        return "## Missing Values\n\nNo missing values."
    return (f"## Missing Values\n\n{len(missing)} columns have missing values (nan, None or blank); the top 25:\n\n"
            + _table([(c, f"{p:.1f} %") for c, p in missing[:25]], ("column", "missing"))
            + "\n\n💡 Suggested Action Items: missing values are imputed (median for numbers, the most frequent "
              "value for strings); if the gaps are errors, fix them upstream.")


def _cardinality(frame: Any, profile: dict[str, Any]) -> str:
    strings = [c for c, k in profile["column_types"].items() if k in ("categorical", "text")]
    rows = [(c, profile["cardinality"][c], int(frame[c].dropna().astype(str).str.split().explode().nunique()),
             profile["column_types"][c]) for c in strings]
    table = (_table(rows, ("column", "unique entries", "unique words", "handled as")) if rows
             else "No string columns.")
    dropped = "; ".join(f"`{c}` ({why})" for c, why in profile["dropped_columns"].items())
    return ("## Cardinality\n\nStrings with few distinct values are categories (encoded); strings of several words "
            "are text.\n\n" + table + (f"\n\nLeft out: {dropped}" if dropped else ""))


def _descriptive(profile: dict[str, Any]) -> str:
    stats = list(profile["descriptive_statistics"].items())[:25]
    if not stats:
        return "## Descriptive Stats\n\nNo numeric columns."
    rows = [(c, f"{s['numeric_percent']:.1f} %", f"{s['outlier_percent']:.1f} %", f"{s['mean']:.4g}",
             f"{s['median']:.4g}", f"{s['min']:.4g}", f"{s['max']:.4g}") for c, s in stats]
    return ("## Descriptive Stats\n\n" + _table(rows, ("column", "numeric", "outliers", "mean", "median", "min", "max"))
            + "\n\n💡 Suggested Action Items: a column that is partly numeric may hold typos; many outliers may be "
              "errors or a skewed quantity worth a log transform.")


def exploration_notebook(folder: Path, profile: dict[str, Any], frame: Any) -> nbformat.NotebookNode:
    """The Data Exploration report for the job in `folder`, from its `profile`."""
    sections = [_summary(folder, profile), _target_analysis(profile, frame), _data_sample(profile, frame),
                _feature_summary(profile), _duplicates(profile, frame), _correlations(profile, frame),
                _anomalies(profile, frame), _missing(profile), _cardinality(frame, profile), _descriptive(profile),
                "## Definitions\n\n" + DEFINITIONS]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(s) for s in sections])
    notebook.metadata["kernelspec"] = KERNEL
    return notebook
