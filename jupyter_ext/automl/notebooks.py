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
    folds = problem.get("cross_validation_folds")
    scoring = (f"{folds}-fold cross-validation over every row" if folds else
               f"a random {int(problem['validation_fraction'] * 100)} % validation split")
    cells = [
        md(f"# Candidate Definition Notebook\n\nJob `{folder.name}`: {len(problem['columns'])} feature columns, "
           f"target `{problem['target']}`, problem type **{problem['problem_type']}** ({problem['reason']}). "
           f"The search {direction} **{problem['objective']}**, scored by {scoring} (seed {problem['seed']})."),
        code(f"job_folder = {str(folder)!r}\ncandidate = {best!r}", metadata={"tags": ["parameters"]}),
        md(f"## 1 Setup\nThe data every candidate was scored on, by {scoring}."),
        code("import json\nfrom pathlib import Path\n\nimport pandas\n\n"
             "from jupyter_ext.automl.ensemble import WeightedEnsemble\n"
             "from jupyter_ext.automl.pipelines import build_pipeline\n"
             "from jupyter_ext.automl.validation import metrics_of, validate\n\n"
             "data = Path(job_folder) / 'data'\n"
             "problem = json.loads((data / 'problem.json').read_text())\n"
             "CANDIDATES, ENSEMBLES = {}, {}"),
        md("## 2 Candidate Pipelines\n💡 Available Knobs: the hyperparameters of each candidate; an ensemble's "
           "members and their weights."),
    ]
    for item in candidates:
        cells += _candidate_cells(item, problem["objective"])
    cells += [
        md(f"## 3 Train the selected candidate\nRe-trains `candidate` (an ensemble: each of its members) and "
           f"scores it by {scoring}, as the job did."),
        code("def validation(name):\n"
             "    chosen = CANDIDATES[name]\n"
             "    return validate(lambda: build_pipeline(problem['problem_type'], problem['columns'], chosen['preprocessing'],\n"
             "                                           chosen['algorithm'], chosen['hyperparameters'], problem['seed']), data)\n\n"
             "chosen = ENSEMBLES.get(candidate) or CANDIDATES[candidate]\n"
             "if candidate in ENSEMBLES:\n"
             "    weights = chosen['members']\n"
             "    parts = [validation(name) for name in weights]\n"
             "    values = sum(w * p.values for w, p in zip(weights.values(), parts)) / sum(weights.values())\n"
             "    model = WeightedEnsemble([p.model for p in parts], list(weights.values()), problem['problem_type'])\n"
             "    result = parts[0]\n"
             "else:\n"
             "    result = validation(candidate)\n"
             "    values, model = result.values, result.model\n"
             "metrics = metrics_of(problem, result.labels, result.classes, values)\n"
             "reproduced = metrics[problem['objective']]\n"
             "print(f\"{candidate}: {problem['objective']} = {reproduced:.6f} (the job: {chosen['objective_value']})\")"),
        md("### Feature importance\nHow much the validation score (accuracy or R²) drops when one column is "
           "shuffled: the columns the selected candidate relies on."),
        code("from jupyter_ext.automl.insights import feature_importance\n"
             "from jupyter_ext.automl.validation import validation_rows\n\n"
             "pandas.Series(feature_importance(model, *validation_rows(data), problem['seed'])).head(20)"),
        md("## 4 Model Selection and Deployment\nThe leaderboard; `AutoML.attach(job).create_model(...)` gives a "
           "candidate's `model.tar.gz` (a scikit-learn pipeline in `model.joblib`)."),
        code("pandas.DataFrame([{'CandidateName': c['CandidateName'], **c['CandidateMetrics']}\n"
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
