"""Model deployment: local endpoints with production variants, data capture and batch
transform, in SageMaker's words.

    from jupyter_ext.serving import Model, CSVSerializer
    predictor = Model("model.tar.gz").deploy(serializer=CSVSerializer())
    predictor.predict([[5.1, 3.5, 1.4, 0.2]])
    predictor.delete_endpoint()

An endpoint is a detached HTTP server (uvicorn) on 127.0.0.1, recorded in the store: it
outlives the kernel, and any process of the user can list, describe, invoke or delete it.
It hands each request to an instance of the request's variant: `initial_instance_count`
processes per variant, each with the model loaded (see `instances`).
Its /invocations needs the endpoint's token (`endpoint_token(name)`), which Predictor and
invoke_endpoint send themselves; web pages are refused (see `access`).
Names are imported on first use, so endpoint and instance processes start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "DataCaptureConfig": "capture",
    **dict.fromkeys(["create_endpoint", "delete_endpoint", "describe_endpoint", "endpoint_token", "list_endpoints",
                     "update_endpoint", "update_endpoint_weights_and_capacities"], "endpoints"),
    "Model": "model", "PipelineModel": "model",
    **dict.fromkeys(["EndpointAnswer", "ModelError", "Predictor", "invoke_endpoint", "send_request"], "predictor"),
    **dict.fromkeys(["BytesDeserializer", "CSVDeserializer", "CSVSerializer", "Deserializer", "IdentitySerializer",
                     "JSONDeserializer", "JSONLinesDeserializer", "JSONLinesSerializer", "JSONSerializer",
                     "NumpyDeserializer", "NumpySerializer", "PandasDeserializer", "Serializer", "StringDeserializer",
                     "get_deserializer", "get_serializer"], "serializers"),
    "Transformer": "transform",
    "ProductionVariant": "variants",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .capture import DataCaptureConfig
    from .endpoints import (
        create_endpoint, delete_endpoint, describe_endpoint, endpoint_token, list_endpoints, update_endpoint,
        update_endpoint_weights_and_capacities,
    )
    from .model import Model, PipelineModel
    from .predictor import EndpointAnswer, ModelError, Predictor, invoke_endpoint, send_request
    from .serializers import (
        BytesDeserializer, CSVDeserializer, CSVSerializer, Deserializer, IdentitySerializer, JSONDeserializer,
        JSONLinesDeserializer, JSONLinesSerializer, JSONSerializer, NumpyDeserializer, NumpySerializer,
        PandasDeserializer, Serializer, StringDeserializer, get_deserializer, get_serializer,
    )
    from .transform import Transformer
    from .variants import ProductionVariant


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'jupyter_ext.serving' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
