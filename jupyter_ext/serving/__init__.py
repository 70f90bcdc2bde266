"""Model deployment: local endpoints with production variants, data capture and batch
transform, in SageMaker's words.

    from jupyter_ext.serving import Model, CSVSerializer
    predictor = Model("model.tar.gz").deploy(serializer=CSVSerializer())
    predictor.predict([[5.1, 3.5, 1.4, 0.2]])
    predictor.delete_endpoint()

An endpoint is a detached HTTP server (uvicorn) on 127.0.0.1, recorded in the store: it
outlives the kernel, and any process of the user can list, describe, invoke or delete it.
Its /invocations needs the endpoint's token (`endpoint_token(name)`), which Predictor and
invoke_endpoint send themselves; web pages are refused (see `access`).
"""

from __future__ import annotations

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

__all__ = [
    "BytesDeserializer", "CSVDeserializer", "CSVSerializer", "DataCaptureConfig", "Deserializer", "EndpointAnswer",
    "IdentitySerializer", "JSONDeserializer", "JSONLinesDeserializer", "JSONLinesSerializer", "JSONSerializer",
    "Model", "ModelError", "NumpyDeserializer", "NumpySerializer", "PandasDeserializer", "PipelineModel",
    "Predictor", "ProductionVariant", "Serializer", "StringDeserializer", "Transformer", "create_endpoint",
    "delete_endpoint", "describe_endpoint", "endpoint_token", "get_deserializer", "get_serializer", "invoke_endpoint",
    "list_endpoints", "send_request", "update_endpoint", "update_endpoint_weights_and_capacities",
]
