"""sagemaker-runtime's InvokeEndpoint, forwarded to the endpoint's server with serving's
own client (`send_request`, which sends the endpoint's invoke token).

TargetVariant, InferenceId (kept in data capture), CustomAttributes and Accept travel on;
the answer's body, content type, variant and custom attributes come back. An error the
model's container answers is SageMaker's ModelError (424, with OriginalStatusCode and
OriginalMessage); a missing or not-InService endpoint, or an unknown TargetVariant, is a
ValidationError, as AWS answers them.
"""

from __future__ import annotations

from typing import Any

from ..errors import NotFoundError, ValidationError
from ..serving import EndpointAnswer, send_request
from .operations import Call
from .protocol import AwsError

__all__ = ["SERVICE", "OPERATIONS"]

SERVICE = "sagemaker-runtime"
_NOT_SERVED = ("TargetModel", "TargetContainerHostname", "InferenceComponentName", "SessionId", "EnableExplanations")


def _model_error(call: Call, name: str, answer: EndpointAnswer) -> AwsError:
    text = answer.body.decode(errors="replace")
    side = "client" if answer.status_code < 500 else "server"
    group = f"/aws/sagemaker/Endpoints/{name}"
    message = (f"Received {side} error ({answer.status_code}) from {answer.invoked_variant or 'primary'} with message "
               f"\"{answer.message}\". See the endpoint's log (`jupyter-ext endpoints describe {name}` names it; "
               f"CloudWatch group {group}) in account {call.account} for more information.")
    return AwsError("ModelError", message, 424, {
        "Message": message, "OriginalStatusCode": answer.status_code, "OriginalMessage": text,
        "LogStreamArn": f"arn:aws:logs:{call.region}:{call.account}:log-group:{group}"})


def invoke_endpoint(call: Call) -> dict[str, Any]:
    """InvokeEndpoint: one request to the endpoint's model, and its answer."""
    params, name = call.params, call.params["EndpointName"]
    asked = [key for key in _NOT_SERVED if params.get(key)]
    if asked:
        raise AwsError("ValidationError", f"{', '.join(asked)}: multi-model endpoints, inference components, "
                       "sessions and explanations are not served here yet.")
    try:
        answer = send_request(name, params.get("Body") or b"", params.get("ContentType") or "application/octet-stream",
                              params.get("Accept"), params.get("TargetVariant"), params.get("InferenceId"),
                              params.get("CustomAttributes"))
    except NotFoundError:
        raise AwsError("ValidationError", f"Endpoint {name} of account {call.account} not found.") from None
    except ValidationError as error:
        raise AwsError("ValidationError", str(error)) from None
    if answer.status_code >= 400:
        if answer.invoked_variant is None and answer.status_code in (400, 413):  # refused before any model ran
            raise AwsError("ValidationError", answer.message)
        raise _model_error(call, name, answer)
    return {"Body": answer.body, "ContentType": answer.content_type, "InvokedProductionVariant": answer.invoked_variant,
            "CustomAttributes": answer.custom_attributes}


OPERATIONS = {"InvokeEndpoint": invoke_endpoint}
