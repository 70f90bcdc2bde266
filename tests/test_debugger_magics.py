"""`%debugger` magics and the tensor viewer, over real runs written by a torch Hook."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_ext.errors import NotFoundError, ValidationError
from jupyter_ext.widgets.tensor_viewer import TensorViewer
from test_debugger_rules import make_run


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("runs")
    return make_run(folder / "fast", lr=0.5, steps=6), make_run(folder / "frozen", lr=0.0, steps=6)


def test_tensors_and_builtin_rules(ip, runs: tuple[Path, Path]) -> None:
    fast, _ = runs
    assert ip.run_line_magic("debugger", f"tensors {fast} --collection weights") == [
        "Net_fc1.weight", "Net_fc2.weight", "Net_fc3.weight"]
    assert ip.run_line_magic("debugger", f"tensors {fast} --regex ^gradient/Net_fc1") == [
        "gradient/Net_fc1.bias", "gradient/Net_fc1.weight"]
    assert "VanishingGradient" in ip.run_line_magic("debugger", "builtin-rules")


def test_viewer_overlays_runs_and_shows_distributions(ip, runs: tuple[Path, Path]) -> None:
    fast, frozen = runs
    viewer = ip.run_line_magic("debugger", f"view {fast} {frozen} --tensor Net_fc1.weight --mode TRAIN")
    series = viewer.series()
    assert [step for step, _ in series[str(fast)]] == list(range(6))
    frozen_norms = {round(v, 6) for _, v in series[str(frozen)]}
    assert len(frozen_norms) == 1 and len({v for _, v in series[str(fast)]}) == 6  # lr=0 never moves
    assert "<polyline" in viewer.chart.value and f"{fast}: 0=" in repr(viewer)
    viewer.statistic.value = "distribution"
    assert set(viewer.series()) == {"p5", "p25", "p50", "p75", "p95"}
    bundle = viewer._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Net_fc1.weight (distribution")


def test_bad_input(ip, runs: tuple[Path, Path], tmp_path: Path) -> None:
    fast, _ = runs
    with pytest.raises(NotFoundError, match="No job named 'no-such-job'"):
        ip.run_line_magic("debugger", "rules no-such-job")
    with pytest.raises(ValidationError, match="needs a training job name"):
        ip.run_line_magic("debugger", "view")
    with pytest.raises(ValidationError, match="No run saved tensor 'nope'"):
        TensorViewer(fast, tensor="nope")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "training_job_end.ts").write_text("")
    with pytest.raises(NotFoundError, match="has no saved tensors"):
        TensorViewer(tmp_path / "empty")
