"""Checks AWS Signature Version 4 on a request, as AWS services do.

The `Authorization` header names the access key, the credential scope
(`<date>/<region>/<service>/aws4_request`), the signed headers and the signature; the
signature is made again from the request with the service's secret and compared. The
scope's service tells the caller's intent (sagemaker, logs, monitoring, ...).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qsl, quote

from .protocol import AwsError

__all__ = ["SignedCall", "verify_signature", "MAX_CLOCK_SKEW_SECONDS"]

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_CLOCK_SKEW_SECONDS = 15 * 60
_MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS "
             "Secret Access Key and signing method (`jupyter-ext aws env` prints the keys of this endpoint).")


@dataclass(frozen=True)
class SignedCall:
    """Who signed a request, and for which region and service."""

    access_key: str
    region: str
    service: str


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _fields(header: str) -> dict[str, str]:
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise AwsError("IncompleteSignatureException", f"Authorization must use {ALGORITHM}; got {algorithm!r}.")
    fields = {}
    for part in rest.split(","):
        key, _, value = part.strip().partition("=")
        fields[key] = value
    if not {"Credential", "SignedHeaders", "Signature"} <= fields.keys():
        raise AwsError("IncompleteSignatureException",
                       "Authorization must name Credential, SignedHeaders and Signature.")
    return fields


def _canonical_query(query: str) -> str:
    pairs = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in parse_qsl(query, keep_blank_values=True))
    return "&".join(f"{k}={v}" for k, v in pairs)


def _canonical_request(method: str, path: str, query: str, headers: Mapping[str, str], signed: list[str],
                       payload_hash: str) -> str:
    lower = {name.lower(): value for name, value in headers.items()}
    canonical_headers = "".join(f"{name}:{' '.join(lower.get(name, '').split())}\n" for name in signed)
    return "\n".join([method, quote(path, safe="/~"), _canonical_query(query), canonical_headers,
                      ";".join(signed), payload_hash])


def _check_date(amz_date: str, scope_date: str) -> None:
    try:
        moment = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise AwsError("IncompleteSignatureException", "X-Amz-Date must be a date like 20261202T101500Z.") from None
    if not amz_date.startswith(scope_date):
        raise AwsError("SignatureDoesNotMatch", "The credential scope's date is not the X-Amz-Date's.", 403)
    skew = abs((datetime.now(timezone.utc) - moment).total_seconds())
    if skew > MAX_CLOCK_SKEW_SECONDS:
        raise AwsError("InvalidSignatureException", f"Signature expired: {amz_date} is more than 15 minutes "
                       "away from this machine's clock.", 403)


def verify_signature(method: str, path: str, query: str, headers: Mapping[str, str], body: bytes,
                     secrets: Mapping[str, str]) -> SignedCall:
    """The signer of a request whose signature is right for one of `secrets` (access key →
    secret key); AwsError in AWS's words otherwise."""
    header = headers.get("Authorization")
    if not header:
        raise AwsError("MissingAuthenticationTokenException", "Missing Authentication Token: sign requests with "
                       "this endpoint's keys (`jupyter-ext aws env` prints them).", 403)
    fields = _fields(header)
    access_key, _, scope = fields["Credential"].partition("/")
    parts = scope.split("/")
    if len(parts) != 4 or parts[3] != "aws4_request":
        raise AwsError("IncompleteSignatureException", f"Credential scope {scope!r} is not <date>/<region>/<service>/aws4_request.")
    secret = secrets.get(access_key)
    if secret is None:
        raise AwsError("UnrecognizedClientException", "The security token included in the request is invalid: "
                       f"access key {access_key!r} is not this endpoint's (`jupyter-ext aws env` prints its keys).", 403)
    amz_date = headers.get("X-Amz-Date", "")
    _check_date(amz_date, parts[0])
    payload_hash = headers.get("X-Amz-Content-SHA256") or hashlib.sha256(body).hexdigest()
    signed = fields["SignedHeaders"].lower().split(";")
    canonical = _canonical_request(method, path, query, headers, signed, payload_hash)
    to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in parts:
        key = _hmac(key, part)
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields["Signature"]):
        raise AwsError("SignatureDoesNotMatch", _MISMATCH, 403)
    return SignedCall(access_key, parts[1], parts[2])
