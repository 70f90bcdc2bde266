"""`s3://bucket/key` URIs: the local S3 folder by default, real S3 when asked.

Two modes; `s3_mode()` says which one is in use:

- **"local"** (the default): S3 is the folder `local_s3_root()` (`<jupyter_ext home>/s3`),
  whose subfolders are buckets: `s3://bucket/a/b.csv` is the file `<home>/s3/bucket/a/b.csv`.
  It is read and written directly on disk (reflink copies, no HTTP); the bucket's folder is
  made on the first write. The local AWS endpoint serves the same folder, so boto3, the AWS
  CLI and SageMaker's SDK see the same objects.
- **"aws"** (`JUPYTER_EXT_AWS=off`): real S3, or whatever S3 the standard AWS environment
  names, through boto3 (`pip install boto3`, or `jupyter_ext[aws]`): credentials and region
  from the standard chain, `AWS_ENDPOINT_URL_S3` for another endpoint.

Either way a URI names an object, or a prefix (a folder) as SageMaker's S3Prefix does:
downloading a prefix copies every object under it, keeping their paths below the prefix.
Bucket names follow S3's rules (3-63 lowercase letters, digits, dots and hyphens) and a key
may not climb out of its bucket (`..`); a ValidationError names the URI otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import ValidationError
from .artifacts import ArtifactStore, copy_into, join_uri
from .metadata import home

__all__ = ["AWS_VARIABLE", "S3ArtifactStore", "local_s3_root", "local_s3_uri", "parse_s3_uri", "s3_mode"]

AWS_VARIABLE = "JUPYTER_EXT_AWS"
_REAL_S3 = {"off", "0", "false", "no"}
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")


def local_s3_root() -> Path:
    """The local S3 folder, `<jupyter_ext home>/s3`: one subfolder per bucket."""
    return home() / "s3"


def local_s3_uri(path: str | Path) -> str | None:
    """The `s3://bucket/key` URI of a file or folder inside the local S3 folder (in "local"
    mode), else None: the inverse of `path_on_disk`."""
    if s3_mode() != "local":
        return None
    try:
        relative = Path(path).resolve().relative_to(local_s3_root().resolve())
    except (ValueError, OSError):
        return None
    return f"s3://{relative.as_posix()}" if relative.parts else None


def s3_mode() -> str:
    """Where `s3://` URIs go: "local" (the local S3 folder, the default) or "aws" (real S3
    through boto3, when the environment sets JUPYTER_EXT_AWS=off)."""
    return "aws" if os.environ.get(AWS_VARIABLE, "").strip().lower() in _REAL_S3 else "local"


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, key) of `s3://bucket/key` (key "" for the bucket; a trailing "/" kept).
    ValidationError naming the URI for a bad bucket name or a key that leaves its bucket."""
    if not uri.startswith("s3://"):
        raise ValidationError(f"{uri!r} is not an s3:// URI; write s3://bucket/key.")
    bucket, _, key = uri[len("s3://"):].partition("/")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise ValidationError(f"{uri}: {bucket!r} is not a valid S3 bucket name; use 3-63 lowercase letters, "
                              "digits, dots and hyphens, starting and ending with a letter or digit.")
    parts = key.rstrip("/").split("/") if key.rstrip("/") else []
    if key.startswith("/") or "\0" in key or any(part in (".", "..") for part in parts):
        raise ValidationError(f"{uri}: the key {key!r} must stay inside the bucket (no '..' or '.' parts, "
                              "no leading '/').")
    return bucket, key


def _inside(folder: Path, relative: str, uri: str) -> Path:
    """`folder / relative`, refusing a relative path that leaves `folder` (a hostile key)."""
    parts = PurePosixPath(relative).parts
    if not parts or relative.startswith("/") or any(part in (".", "..") for part in parts):
        raise ValidationError(f"{uri} holds an object {relative!r} whose path leaves the download folder; "
                              "rename it in the bucket.")
    return folder.joinpath(*parts)


class S3ArtifactStore(ArtifactStore):
    """`s3://` URIs, in the local S3 folder or real S3 (see the module docstring for the modes)."""

    def __init__(self, scheme: str = "s3") -> None:
        self.mode = s3_mode()
        self._client: Any = None

    # The local S3 folder

    def path_on_disk(self, uri: str) -> Path | None:
        if self.mode != "local":
            return None
        bucket, key = parse_s3_uri(uri)
        return local_s3_root().joinpath(bucket, *[p for p in key.split("/") if p])

    def upload(self, source: Path, uri: str) -> str:
        target = self.path_on_disk(uri)
        if target is None:
            return self._put(source, uri)
        if source.is_dir():
            copy_into(sorted(source.iterdir()), target)
        else:
            if uri.endswith("/") or not parse_s3_uri(uri)[1]:
                target = target / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        return uri

    def download(self, uri: str, destination: Path) -> Path:
        source = self.path_on_disk(uri)
        if source is None:
            return self._get(uri, destination)
        if not source.exists():
            raise self._missing(uri)
        copy_into(sorted(source.iterdir()) if source.is_dir() else [source], destination)
        return destination

    def exists(self, uri: str) -> bool:
        path = self.path_on_disk(uri)
        if path is None:
            return self._exists(uri)
        return path.exists()

    def fetch(self, uri: str, scratch: Path) -> Path:
        if self.mode == "local":
            path = self.path_on_disk(uri)
            assert path is not None
            if not path.exists():
                raise self._missing(uri)
            return path
        bucket, key = parse_s3_uri(uri)
        self._get(uri, scratch)
        return scratch / key.rsplit("/", 1)[-1] if self._is_object(bucket, key) else scratch

    def _missing(self, uri: str) -> ValidationError:
        where = f" (looked for {self.path_on_disk(uri)})" if self.mode == "local" else ""
        return ValidationError(f"{uri} does not exist{where}: no object or prefix of that name. Check the bucket "
                               "and key (`aws s3 ls` lists them).")

    # Real S3, through boto3

    @property
    def client(self) -> Any:
        """The boto3 S3 client (made on first use; standard AWS environment and config)."""
        if self._client is None:
            try:
                import boto3
            except ImportError as error:
                raise ValidationError(f"{AWS_VARIABLE}=off sends s3:// URIs to real S3, which needs boto3: "
                                      "pip install boto3 (or jupyter_ext[aws]).") from error
            # A session of its own: boto3's default session keeps the first credentials it
            # found for the life of the process, whatever the environment says later.
            self._client = boto3.session.Session().client("s3")
        return self._client

    def _call(self, uri: str, method: str, missing_ok: bool = False, **arguments: Any) -> Any:
        """`client.method(**arguments)`, with S3's errors as ValidationErrors naming `uri` and
        the fix; with `missing_ok`, None for a missing key instead."""
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        try:
            return getattr(self.client, method)(**arguments)
        except S3UploadFailedError as error:  # upload_file's wrapper of S3's answer: its code is in the text
            code = next((c for c in (*_MISSING, "NoSuchBucket", *_REFUSED) if f"({c})" in str(error)), "")
            raise _s3_error(uri, code, error) from None
        except NoCredentialsError:
            raise ValidationError(f"{uri}: no AWS credentials found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                                  f"(or AWS_PROFILE), or unset {AWS_VARIABLE} to use the local S3 folder.") from None
        except ClientError as error:
            if missing_ok and _code(error) in _MISSING:
                return None
            raise _s3_error(uri, _code(error), error) from None
        except BotoCoreError as error:
            raise ValidationError(f"{uri}: S3 could not be reached: {error}. Check AWS_ENDPOINT_URL_S3 and the "
                                  f"network, or unset {AWS_VARIABLE} to use the local S3 folder.") from None

    def _put(self, source: Path, uri: str) -> str:
        bucket, key = parse_s3_uri(uri)
        if source.is_dir():
            for path in sorted(p for p in source.rglob("*") if p.is_file()):
                target = join_uri(key, path.relative_to(source).as_posix()).lstrip("/")
                self._call(uri, "upload_file", Filename=str(path), Bucket=bucket, Key=target)
        else:
            target = join_uri(key, source.name).lstrip("/") if uri.endswith("/") or not key else key
            self._call(uri, "upload_file", Filename=str(source), Bucket=bucket, Key=target)
        return uri

    def _is_object(self, bucket: str, key: str) -> bool:
        if not key or key.endswith("/"):
            return False
        return self._call(f"s3://{bucket}/{key}", "head_object", missing_ok=True, Bucket=bucket, Key=key) is not None

    def _keys(self, uri: str) -> list[tuple[str, str]]:
        """(key, path below the prefix) of every object `uri` names (paginated listing)."""
        bucket, key = parse_s3_uri(uri)
        if self._is_object(bucket, key):
            return [(key, key.rsplit("/", 1)[-1])]
        prefix = key.rstrip("/") + "/" if key else ""
        items = [item for page in self._pages(uri, bucket, prefix) for item in page.get("Contents", [])]
        return [(item["Key"], item["Key"][len(prefix):]) for item in items if not item["Key"].endswith("/")]

    def _pages(self, uri: str, bucket: str, prefix: str) -> list[dict[str, Any]]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return list(self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix))
        except (ClientError, BotoCoreError):  # raised while paging: `_call` words them
            self._call(uri, "list_objects_v2", Bucket=bucket, Prefix=prefix, MaxKeys=1)
            raise

    def _get(self, uri: str, destination: Path) -> Path:
        bucket, _ = parse_s3_uri(uri)
        keys = self._keys(uri)
        if not keys:
            raise self._missing(uri)
        destination.mkdir(parents=True, exist_ok=True)
        for key, relative in keys:
            target = _inside(destination, relative, uri)
            target.parent.mkdir(parents=True, exist_ok=True)
            self._call(uri, "download_file", Bucket=bucket, Key=key, Filename=str(target))
        return destination

    def _exists(self, uri: str) -> bool:
        bucket, key = parse_s3_uri(uri)
        if self._is_object(bucket, key):
            return True
        prefix = key.rstrip("/") + "/" if key else ""
        listed = self._call(uri, "list_objects_v2", Bucket=bucket, Prefix=prefix, MaxKeys=1)
        return not key or bool(listed.get("KeyCount") or listed.get("Contents"))


_MISSING = ("404", "NoSuchKey", "NotFound")
_REFUSED = ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken")


def _code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _s3_error(uri: str, code: str, error: Exception) -> ValidationError:
    """The ValidationError for S3's error `code` (and the error itself) on `uri`."""
    bucket = uri[len("s3://"):].split("/", 1)[0]
    if code == "NoSuchBucket":
        return ValidationError(f"{uri}: the bucket {bucket!r} does not exist. Create it (aws s3 mb s3://{bucket}) "
                               "or check its name.")
    if code in _MISSING:
        return ValidationError(f"{uri} does not exist: no object or prefix of that name. Check the key "
                               f"(aws s3 ls s3://{bucket}/ lists them).")
    if code in _REFUSED:
        return ValidationError(f"{uri}: S3 refused access ({code}). Check the AWS credentials (AWS_ACCESS_KEY_ID, "
                               "AWS_SECRET_ACCESS_KEY or AWS_PROFILE) and the bucket's permissions.")
    return ValidationError(f"{uri}: S3 answered {code or 'an error'}: {error}.")
