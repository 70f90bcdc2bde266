"""The Candidate Definition notebook an AutoML job writes, with SageMaker Autopilot's file
name: every candidate's pipeline as code; its parameters cell names the candidate, so
`papermill ... -p candidate NAME` re-trains that candidate (or ensemble) and reproduces its
score. The Data Exploration notebook is in `report.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat

from .pipelines import MINIMIZED

__all__ = ["CANDIDATE_NOTEBOOK", "KERNEL", "candidate_notebook"]

CANDIDATE_NOTEBOOK = "SageMakerAutopilotCandidateDefinitionNotebook.ipynb"
KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


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
        code("from pathlib import Path\n\nimport pandas\n\nfrom jupyter_ext.automl.candidate import load_split\n"
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
        md("### Feature importance\nHow much the validation score (accuracy or R²) drops when one column is "
           "shuffled: the columns the selected candidate relies on."),
        code("from jupyter_ext.automl.insights import feature_importance\n\n"
             "pandas.Series(feature_importance(model, X_valid, y_valid, problem['seed'])).head(20)"),
        md("## 4 Model Selection and Deployment\nThe leaderboard; `AutoML.attach(job).create_model(...)` gives a "
           "candidate's `model.tar.gz` (a scikit-learn pipeline in `model.joblib`)."),
        code("import json\n\npandas.DataFrame([{'CandidateName': c['CandidateName'], **c['CandidateMetrics']}\n"
             "                  for c in json.loads((Path(job_folder) / 'leaderboard.json').read_text())])"),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = KERNEL
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
