"""The local AWS endpoint's HTTP side: one tornado application for every service.

A request passes the Host/Origin checks (callers.py) and SigV4 (sigv4.py); then its
protocol says which service and operation it is for:
- JSON 1.0/1.1: `POST /` with `X-Amz-Target: <prefix>.<Operation>` (SageMaker, CloudWatch
  Logs, CloudWatch);
- Smithy RPC v2 CBOR: `POST /service/<prefix>/operation/<Operation>` (CloudWatch, as
  newer botocore may call it);
- REST-JSON: a method and path of the service model (sagemaker-runtime's
  `POST /endpoints/{EndpointName}/invocations`, sagemaker-metrics' `PUT /BatchPutMetrics`);
- query: a form-encoded `Action=...` (STS, IAM), answered in XML.
The parameters are checked with botocore's model, the operation runs on a worker thread,
and the answer (or error) goes back in the same encoding.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tornado import web
from tornado.ioloop import IOLoop

from ..callers import CallerCheck
from .operations import Call, handle
from .protocol import AwsError, decode_input, encode_output, error_body, operation
from .query import QUERY_SERVICES, decode_query_input, encode_query_output, query_error
from .rest import decode_rest_input, encode_rest_output, match_operation, rest_error
from .sigv4 import verify_signature

__all__ = ["make_app", "TARGET_PREFIXES"]

TARGET_PREFIXES = {"SageMaker": "sagemaker", "Logs_20140328": "logs", "GraniteServiceVersion20100801": "cloudwatch"}
_JSON_TYPES = {"sagemaker": "application/x-amz-json-1.1", "logs": "application/x-amz-json-1.1",
               "cloudwatch": "application/x-amz-json-1.0"}
log = logging.getLogger("jupyter_ext.aws")
_WORKERS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="aws-call")


class AwsHandler(web.RequestHandler):
    """Checks, decodes, runs and answers one call."""

    check: CallerCheck
    secrets: dict[str, str]

    def initialize(self, check: CallerCheck, secrets: dict[str, str]) -> None:
        self.check, self.secrets = check, secrets
        self.cbor = self.rest = self.query = False

    def check_xsrf_cookie(self) -> None:
        """SigV4 protects every call; there are no cookies."""

    def _target(self, path_prefix: str | None, path_operation: str | None) -> tuple[str, str]:
        if path_prefix is not None:
            self.cbor = True
            prefix, name = path_prefix, path_operation or ""
        else:
            prefix, _, name = self.request.headers.get("X-Amz-Target", "").partition(".")
        service = TARGET_PREFIXES.get(prefix)
        if service is None or not name:
            raise AwsError("UnknownOperationException", "This endpoint serves AWS JSON and CBOR calls of SageMaker, "
                           f"CloudWatch Logs and CloudWatch; {self.request.path} with target {prefix!r} is none of them.")
        return service, name

    def _params(self) -> Any:
        body = self.request.body or b"{}"
        try:
            if self.cbor:
                import cbor2

                return cbor2.loads(body) if body != b"{}" else {}
            return json.loads(body)
        except Exception:  # cbor2's errors are not ValueErrors
            raise AwsError("SerializationException", "The request body is not valid "
                           f"{'CBOR' if self.cbor else 'JSON'}.") from None

    def _check_caller(self) -> Any:
        refusal = self.check.refusal(self.request.host, self.request.headers.get("Origin"),
                                     self.request.headers.get("Sec-Fetch-Site"))
        if refusal:
            raise AwsError("AccessDeniedException", refusal, 403)
        return verify_signature(self.request.method or "POST", self.request.path, self.request.query,
                                self.request.headers, self.request.body, self.secrets)

    async def _call_rpc(self, path_prefix: str | None, path_operation: str | None) -> None:
        service, name = self._target(path_prefix, path_operation)
        signed = self._check_caller()
        model = operation(service, name)
        params = decode_input(model, self._params())
        result = await IOLoop.current().run_in_executor(_WORKERS, handle, Call(service, name, params, signed.region))
        self._answer(200, encode_output(model, result, self.cbor), service)

    async def _call_query(self, signed: Any) -> None:
        self.query = True
        service = QUERY_SERVICES[signed.service]
        action = dict(parse_qsl(self.request.body.decode("utf-8", "replace"))).get("Action", "")
        model = operation(service, action)
        params = decode_input(model, decode_query_input(model, self.request.body))
        result = await IOLoop.current().run_in_executor(_WORKERS, handle, Call(service, action, params, signed.region))
        self.set_header("Content-Type", "text/xml")
        self.finish(encode_query_output(service, model, result))

    async def _call_rest(self, signed: Any) -> None:
        self.rest = True
        found = match_operation(signed.service, self.request.method or "", self.request.path)
        if found is None:
            raise AwsError("UnknownOperationException", f"This endpoint serves no {self.request.method} "
                           f"{self.request.path} for {signed.service} (SageMaker's API is POST / with X-Amz-Target).")
        service, name, labels = found
        model = operation(service, name)
        params = decode_input(model, decode_rest_input(model, labels, self.request.headers, self.request.query,
                                                       self.request.body))
        result = await IOLoop.current().run_in_executor(_WORKERS, handle, Call(service, name, params, signed.region))
        status, headers, body = encode_rest_output(model, result)
        self.set_status(status)
        for header, value in headers.items():
            self.set_header(header, value)
        self.finish(body)

    async def _call(self, path_prefix: str | None = None, path_operation: str | None = None) -> None:
        try:
            if path_prefix is not None or "X-Amz-Target" in self.request.headers:
                await self._call_rpc(path_prefix, path_operation)
                return
            signed = self._check_caller()
            await (self._call_query(signed) if signed.service in QUERY_SERVICES else self._call_rest(signed))
        except AwsError as error:
            self._fail(error)
        except Exception:  # our own bug: still AWS's error shape, with the trace in the endpoint's log
            log.exception("%s failed", self.request.path)
            self._fail(AwsError("InternalFailure", "The request failed inside jupyter_ext: see the AWS endpoint's "
                                "log (`jupyter-ext aws status` names it).", 500))

    def _fail(self, error: AwsError) -> None:
        if self.query:
            self.set_status(error.status)
            self.set_header("Content-Type", "text/xml")
            self.finish(query_error(error))
            return
        if not self.rest:
            self._answer(error.status, error_body(error, self.cbor), None)
            return
        headers, body = rest_error(error)
        self.set_status(error.status)
        for header, value in headers.items():
            self.set_header(header, value)
        self.finish(body)

    async def post(self, path_prefix: str | None = None, path_operation: str | None = None) -> None:
        """RPC calls (JSON, CBOR) and REST POSTs."""
        await self._call(path_prefix, path_operation)

    async def put(self, *args: Any) -> None:
        """REST PUTs (sagemaker-metrics' BatchPutMetrics)."""
        await self._call()

    def _answer(self, status: int, body: bytes, service: str | None) -> None:
        self.set_status(status)
        if self.cbor:
            self.set_header("Content-Type", "application/cbor")
            self.set_header("smithy-protocol", "rpc-v2-cbor")
        else:
            self.set_header("Content-Type", _JSON_TYPES.get(service or "", "application/x-amz-json-1.1"))
        self.finish(body)

    async def get(self, *args: Any) -> None:
        """Nothing is served to GET (a browser's address bar, a scan)."""
        self._answer(403, error_body(AwsError("AccessDeniedException", "This is jupyter_ext's local AWS endpoint: "
                                              "call it with boto3, the SageMaker SDK or the AWS CLI.", 403)), None)

    async def options(self, *args: Any) -> None:
        """A web page's CORS preflight: refused, in AWS's shape, granting nothing."""
        self._answer(403, error_body(AwsError("AccessDeniedException", "Cross-origin requests to the local AWS "
                                              "endpoint are refused; call it from boto3, the SDK or the CLI.", 403)),
                     None)


def make_app(check: CallerCheck, secrets: dict[str, str]) -> web.Application:
    """The tornado application of the endpoint."""
    options = {"check": check, "secrets": secrets}
    return web.Application([
        (r"/service/([A-Za-z0-9_]+)/operation/([A-Za-z0-9]+)", AwsHandler, options),
        (r"/.*", AwsHandler, options),
    ])
