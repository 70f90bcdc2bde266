"""A training job's input channels (SageMaker's TrainingInput): checked, described in
inputdataconfig.json, and copied into each host's `input/data/<channel>`."""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from .augmented_manifest import AUGMENTED_MANIFEST, check_attribute_names, write_augmented_manifest
from .errors import ValidationError
from .jobs.contract import copy_input
from .jobs.hosts import HOSTS_FOLDER, Host
from .store import absolute_uri, artifact_store_for, local_path, looked_for

__all__ = ["Inputs", "TrainingInput", "channel_uris", "check_channels", "copy_channel", "data_config"]

CHANNEL_NAME = re.compile(r"^[A-Za-z0-9.\-_]{1,64}$")


@dataclass
class TrainingInput:
    """A channel's data (SageMaker's TrainingInput): a path or URI and how to read it.
    `s3_data_type="AugmentedManifestFile"` reads a manifest's `attribute_names` only."""

    s3_data: str
    content_type: str | None = None
    distribution: str = "FullyReplicated"
    input_mode: str = "File"
    record_wrapping: str | None = None
    s3_data_type: str = "S3Prefix"
    attribute_names: list[str] | None = None


Inputs = Union[str, TrainingInput, Mapping[str, Union[str, TrainingInput]], None]


def channel_uris(inputs: Inputs) -> dict[str, dict[str, Any]]:
    """Check `inputs` (paths must exist) and return them JSON-ready, for another process
    (local paths made absolute, since that process runs elsewhere)."""
    return {name: {**vars(channel), "s3_data": absolute_uri(channel.s3_data)}
            for name, channel in check_channels(inputs).items()}


def check_channels(inputs: Inputs) -> dict[str, TrainingInput]:
    """`inputs` as named channels; ValidationError for a bad name or a path that does not exist."""
    if inputs is None:
        return {}
    if isinstance(inputs, (str, Path, TrainingInput)):
        inputs = {"training": inputs}
    if isinstance(inputs, Mapping):
        inputs = {k: TrainingInput(**v) if isinstance(v, dict) else v for k, v in inputs.items()}
    if not isinstance(inputs, Mapping):
        raise ValidationError(f"inputs must be a path, a TrainingInput or a dict of them; got {inputs!r}.")
    channels = {}
    for name, value in inputs.items():
        if not isinstance(name, str) or not CHANNEL_NAME.fullmatch(name):
            raise ValidationError(f"Channel name {name!r} is not valid: use letters, digits, '.', '-', '_'.")
        channel = value if isinstance(value, TrainingInput) else TrainingInput(str(value))
        check_attribute_names(channel.s3_data_type, channel.attribute_names)
        store = artifact_store_for(channel.s3_data)
        if not store.exists(channel.s3_data):
            hint = ("Check the URI (aws s3 ls lists what is there)" if "://" in channel.s3_data else
                    "Check the path (relative paths start from the notebook's folder)")
            raise ValidationError(f"Input '{name}': {channel.s3_data} does not exist"
                                  f"{looked_for(channel.s3_data)}. {hint}.")
        channels[name] = channel
    return channels


def data_config(channels: Mapping[str, TrainingInput]) -> dict[str, dict[str, str]]:
    """inputdataconfig.json: how each channel is read."""
    config = {}
    for name, channel in channels.items():
        config[name] = {"TrainingInputMode": channel.input_mode,
                        "S3DistributionType": channel.distribution, "RecordWrapperType": "None"}
        if channel.content_type:
            config[name]["ContentType"] = channel.content_type
    return config


def copy_channel(job_dir: Path, name: str, channel: TrainingInput, hosts: list[Host]) -> None:
    """Each host's copy of a channel in job folder `job_dir`: all of it, or its share when
    ShardedByS3Key (an augmented manifest restricted to its attribute names)."""
    augmented = channel.s3_data_type == AUGMENTED_MANIFEST
    source = None if augmented else local_path(channel.s3_data)
    if source is None:  # downloaded (or restricted to its attributes) once, then copied to each host
        source = job_dir / HOSTS_FOLDER / "downloads" / name if len(hosts) > 1 else job_dir / "input/data" / name
        if augmented:
            write_augmented_manifest(channel.s3_data, channel.attribute_names or [], source)
        else:
            artifact_store_for(channel.s3_data).download(channel.s3_data, source)
        if len(hosts) == 1:
            return
    sharded = channel.distribution == "ShardedByS3Key" and len(hosts) > 1
    for index, host in enumerate(hosts):
        copy_input(source, job_dir / host.folder / "input" / "data" / name,
                   (index, len(hosts)) if sharded else None)
    if source.is_relative_to(job_dir):
        shutil.rmtree(source)
