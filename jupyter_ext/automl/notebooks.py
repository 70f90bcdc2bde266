"""The two notebooks an AutoML job writes, with SageMaker Autopilot's file names.

`SageMakerAutopilotCandidateDefinitionNotebook.ipynb` holds every candidate's pipeline as
code; its parameters cell names the candidate, so `papermill ... -p candidate NAME`
re-trains that candidate and reproduces its score. `SageMakerAutopilotDataExplorationNotebook.ipynb`
is markdown only (tables and PNG charts), readable without a kernel.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import nbformat

from .pipelines import MINIMIZED

__all__ = ["CANDIDATE_NOTEBOOK", "EXPLORATION_NOTEBOOK", "candidate_notebook", "exploration_notebook"]

CANDIDATE_NOTEBOOK = "SageMakerAutopilotCandidateDefinitionNotebook.ipynb"
EXPLORATION_NOTEBOOK = "SageMakerAutopilotDataExplorationNotebook.ipynb"
_KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def candidate_notebook(folder: Path, problem: dict[str, Any], candidates: list[dict[str, Any]]) -> nbformat.NotebookNode:
    """The Candidate Definition notebook for the job in `folder`."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    direction = "minimizes" if problem["objective"] in MINIMIZED else "maximizes"
    best = candidates[0]["CandidateName"] if candidates else ""
    cells = [
        md(f"# Candidate Definition Notebook\n\nJob `{folder.name}`: {len(problem['columns'])} feature columns, "
           f"target `{problem['target']}`, problem type **{problem['problem_type']}** ({problem['reason']}). "
           f"The search {direction} **{problem['objective']}** on a random "
           f"{int(problem['validation_fraction'] * 100)} % validation split (seed {problem['seed']})."),
        code(f"job_folder = {str(folder)!r}\ncandidate = {best!r}", metadata={"tags": ["parameters"]}),
        md("## 1 Setup\nThe same split every candidate was scored on."),
        code("from pathlib import Path\nfrom jupyter_ext.automl.candidate import load_split\n"
             "from jupyter_ext.automl.ensemble import WeightedEnsemble\n"
             "from jupyter_ext.automl.pipelines import build_pipeline, score\n\n"
             "problem, X_train, X_valid, y_train, y_valid = load_split(Path(job_folder) / 'data')\n"
             "CANDIDATES, ENSEMBLES = {}, {}"),
        md("## 2 Candidate Pipelines\n💡 Available Knobs: the hyperparameters of each candidate; an ensemble's "
           "members and their weights."),
    ]
    for item in candidates:
        cells += _candidate_cells(item, problem["objective"])
    cells += [
        md("## 3 Train the selected candidate\nRe-trains `candidate` (an ensemble: each of its members) on the "
           "training split and scores it on the validation split."),
        code("def train(name):\n"
             "    chosen = CANDIDATES[name]\n"
             "    pipeline = build_pipeline(problem['problem_type'], problem['columns'], chosen['preprocessing'],\n"
             "                              chosen['algorithm'], chosen['hyperparameters'], problem['seed'])\n"
             "    return pipeline.fit(X_train, y_train)\n\n"
             "chosen = ENSEMBLES.get(candidate) or CANDIDATES[candidate]\n"
             "if candidate in ENSEMBLES:\n"
             "    members = chosen['members']\n"
             "    model = WeightedEnsemble([train(n) for n in members], list(members.values()), problem['problem_type'])\n"
             "else:\n"
             "    model = train(candidate)\n"
             "scores = model.predict_proba(X_valid)[:, -1] if problem['problem_type'] == 'BinaryClassification' else None\n"
             "metrics = score(problem['problem_type'], problem['objective'], y_valid, model.predict(X_valid), scores)\n"
             "reproduced = metrics[problem['objective']]\n"
             "print(f\"{candidate}: {problem['objective']} = {reproduced:.6f} (the job: {chosen['objective_value']})\")"),
        md("## 4 Model Selection and Deployment\nThe leaderboard; `AutoML.attach(job).create_model(...)` gives a "
           "candidate's `model.tar.gz` (a scikit-learn pipeline in `model.joblib`)."),
        code("import json, pandas\npandas.DataFrame([{'CandidateName': c['CandidateName'], **c['CandidateMetrics']}\n"
             "                  for c in json.loads((Path(job_folder) / 'leaderboard.json').read_text())])"),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = _KERNEL
    return notebook


def _candidate_cells(item: dict[str, Any], objective: str) -> list[nbformat.NotebookNode]:
    """A candidate's heading and the code cell that defines it."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    value, name = item["FinalAutoMLJobObjectiveMetric"]["Value"], item["CandidateName"]
    if item["Algorithm"] == "ensemble":
        members = item["HyperParameters"]["members"]
        return [md(f"### {name}\nA weighted ensemble of {len(members)} candidates; {objective} = {value}"),
                code(f"ENSEMBLES[{name!r}] = {json.dumps({'members': members, 'objective_value': value}, indent=1)}")]
    definition = {"algorithm": item["Algorithm"], "preprocessing": item["Preprocessing"],
                  "hyperparameters": {k: v for k, v in item["HyperParameters"].items() if k != "preprocessing"},
                  "objective_value": value}
    return [md(f"### {name}\n{item['Preprocessing']} + {item['Algorithm']}; {objective} = {value}"),
            code(f"CANDIDATES[{name!r}] = {json.dumps(definition, indent=1)}")]


def _png(draw: Any) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 3))
    draw(axes)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    plt.close(figure)
    return f"<img src=\"data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}\"/>"


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def exploration_notebook(folder: Path, profile: dict[str, Any], frame: Any) -> nbformat.NotebookNode:
    """The Data Exploration report (markdown only) for the job in `folder`."""
    md = nbformat.v4.new_markdown_cell
    target = frame[profile["target"]]
    kinds: dict[str, int] = {}
    for kind in profile["column_types"].values():
        kinds[kind] = kinds.get(kind, 0) + 1
    missing = sorted(((c, p) for c, p in profile["missing_percent"].items() if p > 0), key=lambda x: -x[1])[:25]
    if profile["problem_type"] == "Regression":
        target_cell = _table([(k, f"{v:.4g}") for k, v in profile["target_stats"].items()], ("statistic", "value"))
        chart = _png(lambda ax: ax.hist(target.dropna(), bins=30))
    else:
        counts = profile["class_counts"]
        target_cell = _table(list(counts.items()), ("class", "rows"))
        chart = _png(lambda ax: ax.bar(list(counts), list(counts.values())))
    numeric = frame[[c for c, k in profile["column_types"].items() if k == "numeric"]]
    cells = [
        md(f"# Data Exploration Report\n\nJob `{folder.name}`. This report describes the data as seen in a sample "
           f"of {profile['rows']} rows; the numbers are also in `data_profile.json`.\n\n## Dataset Summary\n\n"
           + _table([("rows", profile["rows"]), ("columns", profile["columns"]),
                     ("duplicate rows", profile["duplicate_rows"]), ("target column", profile["target"]),
                     ("problem type", f"{profile['problem_type']} ({profile['reason']})")], ("property", "value"))
           + "\n\n**Detected Column Types**\n\n" + _table(sorted(kinds.items()), ("type", "columns"))),
        md("## Target Analysis\n\n" + target_cell + "\n\n" + chart),
        md("## Data Sample\n\n" + frame.sample(min(10, len(frame)), random_state=0).to_markdown(index=False)
           if hasattr(frame, "to_markdown") and _has_tabulate() else
           "## Data Sample\n\n" + _table([tuple(r) for r in frame.head(10).astype(str).values], tuple(map(str, frame.columns)))),
        md("## Duplicate Rows\n\n" + (f"{profile['duplicate_rows']} duplicate rows." if profile["duplicate_rows"]
                                     else f"None found in a sample of {profile['rows']} rows.")),
        md("## Cross Column Statistics\n\n" + (_table([(a, b, f"{numeric[a].corr(numeric[b]):.3f}")
                                                     for i, a in enumerate(numeric.columns[:10])
                                                     for b in numeric.columns[i + 1:10]], ("column", "column", "Pearson"))
                                              if len(numeric.columns) > 1 else "Fewer than two numeric columns.")),
        md("## Missing Values\n\n" + (_table([(c, f"{p:.1f} %") for c, p in missing], ("column", "missing"))
                                      if missing else "No missing values.")
           + "\n\n💡 Suggested Action Items: columns with many missing values are imputed; fix them upstream "
             "if the gaps are errors."),
        md("## Cardinality\n\n" + _table(sorted(profile["cardinality"].items(), key=lambda x: -x[1]),
                                          ("column", "unique values"))
           + ("\n\nLeft out: " + "; ".join(f"`{c}` ({w})" for c, w in profile["dropped_columns"].items())
              if profile["dropped_columns"] else "")),
        md("## Definitions\n\n**Numeric**: numbers. **Categorical**: strings with few distinct values. "
           "**Text**: strings of several words. **Datetime**: dates (split into year, month, day, weekday). "
           "**Boolean**: true/false."),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = _KERNEL
    return notebook


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True
