"""%deploy, %invoke, %endpoints and `jupyter-ext endpoints ...` over a real endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_ext.cli import main
from jupyter_ext.serving import ModelError, Predictor, delete_endpoint, list_endpoints
from serving_models import sklearn_model


def test_magics_and_cli(ip, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive, _local = sklearn_model(tmp_path / "sk")
    try:
        predictor = ip.run_line_magic("deploy", f"{archive} --name magic-ep --serializer csv "
                                      f"--capture {tmp_path / 'cap'} --out pred")
        assert isinstance(predictor, Predictor) and ip.user_ns["pred"] is predictor
        assert predictor.predict([[0.9, 0.9, 0.1]]) == [1]
        assert "magic-ep: InService at http://127.0.0.1:" in capsys.readouterr().out
        ip.run_line_magic("invoke", "magic-ep 0.9,0.9,0.1 --content-type text/csv --accept text/csv")
        assert "[AllTraffic, " in (out := capsys.readouterr().out) and out.strip().endswith("] 1")
        with pytest.raises(ModelError, match="415"):
            ip.run_line_magic("invoke", "magic-ep hello --content-type application/xml")
        ip.run_line_magic("endpoints", "")
        assert "magic-ep" in (table := capsys.readouterr().out) and "AllTraffic (1," in table
        assert main(["endpoints", "list"]) == 0 and "InService" in capsys.readouterr().out
        assert main(["endpoints", "describe", "magic-ep"]) == 0 and '"variant_name": "AllTraffic"' in capsys.readouterr().out
        assert main(["endpoints", "describe", "nope"]) == 1 and "Endpoint 'nope' not found" in capsys.readouterr().err
        assert main(["endpoints", "delete", "magic-ep"]) == 0 and list_endpoints() == []
        assert list((tmp_path / "cap" / "magic-ep" / "AllTraffic").rglob("*.jsonl"))  # written on delete
    finally:
        for endpoint in list_endpoints():
            delete_endpoint(endpoint.name)
