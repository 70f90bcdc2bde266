"""The built-in XGBoost algorithm's input formats: a channel's files as features and labels.

As SageMaker documents it ("Input/Output interface for the XGBoost algorithm"): `text/csv`
has no header and the label in the first column (with `csv_weights=1`, the instance weight
in the second); `text/libsvm` lines are `<label>[:<weight>] <index>:<value> ...`;
`application/x-parquet` has the label in the first column. A channel without a ContentType
is read as libsvm, as SageMaker reads it. Problems are `AlgorithmInputError`s whose message
says which file and what to change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["AlgorithmInputError", "ChannelData", "content_format", "read_channel", "parse_libsvm"]

CSV, LIBSVM, PARQUET = "csv", "libsvm", "parquet"
_FORMATS = {"csv": CSV, "text/csv": CSV, "libsvm": LIBSVM, "text/libsvm": LIBSVM, "text/x-libsvm": LIBSVM,
            "parquet": PARQUET, "application/x-parquet": PARQUET}


class AlgorithmInputError(ValueError):
    """A channel or hyperparameter the algorithm cannot take (SageMaker's ClientError)."""


@dataclass
class ChannelData:
    """A channel's records: features (dense array or CSR matrix), labels, weights or None."""

    features: Any
    labels: Any
    weights: Any = None

    @property
    def rows(self) -> int:
        """How many records."""
        return int(self.features.shape[0])


def content_format(content_type: str | None) -> str:
    """csv, libsvm or parquet for a channel's ContentType (`text/csv; label_size=1` too)."""
    if not content_type:
        return LIBSVM
    kind, *parameters = [part.strip().lower() for part in content_type.split(";")]
    if kind not in _FORMATS:
        raise AlgorithmInputError(f"ContentType {content_type!r} is not one the XGBoost algorithm reads: use "
                                  "text/csv, text/libsvm or application/x-parquet.")
    if any(p.replace(" ", "") not in ("", "label_size=1") and p.startswith("label_size") for p in parameters):
        raise AlgorithmInputError(f"ContentType {content_type!r}: label_size must be 1 for XGBoost.")
    return _FORMATS[kind]


def _files(folder: Path) -> list[Path]:
    """The channel's data files: every file below it, but hidden ones and `_`-prefixed ones."""
    if folder.is_file():
        return [folder]
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "_")))


def _csv_frame(path: Path) -> Any:
    import pandas

    frame = pandas.read_csv(path, header=None, skip_blank_lines=True)
    if all(dtype.kind in "biuf" for dtype in frame.dtypes):
        return frame.to_numpy(dtype="float32")
    numeric = frame.apply(pandas.to_numeric, errors="coerce")
    bad = numeric.isna() & frame.notna()
    if bad.to_numpy().any():
        row = int(bad.any(axis=1).to_numpy().argmax())
        line = ",".join(str(v) for v in frame.iloc[row].tolist())[:80]
        if row == 0:
            raise AlgorithmInputError(
                f"{path.name} starts with a header line ({line!r}): the XGBoost algorithm reads CSV without a "
                "header, the label in the first column. Write the file without one (pandas: "
                "to_csv(path, header=False, index=False)).")
        raise AlgorithmInputError(f"{path.name} line {row + 1} holds a value that is not a number ({line!r}); "
                                  "CSV training data must be numeric (leave a missing value empty).")
    return numeric.to_numpy(dtype="float32")


def _csv(files: list[Path], csv_weights: bool) -> ChannelData:
    import numpy

    table = numpy.vstack([_csv_frame(path) for path in files])
    first = 2 if csv_weights else 1
    if table.shape[1] <= first:
        raise AlgorithmInputError(f"{files[0].name} has {table.shape[1]} column(s): CSV data needs the label, "
                                  f"{'the weight, ' if csv_weights else ''}then at least one feature.")
    return ChannelData(table[:, first:], table[:, 0], table[:, 1] if csv_weights else None)


def parse_libsvm(lines: Iterable[str], where: str = "the payload", labelled: bool = True) -> ChannelData:
    """libsvm lines as a CSR matrix; indices shift to 0-based when none is 0 (as XGBoost's
    own reader guesses). Without `labelled` (a request), a line's first token is left out when it
    has no colon: the record's label."""
    import numpy
    from scipy.sparse import csr_matrix

    labels, weights, rows, columns, values, records = [], [], [], [], [], []
    for number, line in enumerate(lines, 1):
        tokens = line.split("#", 1)[0].split()
        if not tokens:
            continue
        if labelled:
            label, _, weight = tokens.pop(0).partition(":")
            labels.append(_number(label, where, number, line))
            weights.append(_number(weight, where, number, line) if weight else 1.0)
        elif ":" not in tokens[0]:
            tokens.pop(0)  # a request's line may keep its label: it is not a feature
        record = len(records)
        records.append(record)
        for token in tokens:
            index, colon, value = token.partition(":")
            if not colon or not index.isdigit():
                raise AlgorithmInputError(f"{where} line {number} is not libsvm ({line.strip()[:60]!r}): write "
                                          "'<label> <index>:<value> ...', or give ContentType text/csv for CSV.")
            rows.append(record)
            columns.append(int(index))
            values.append(_number(value, where, number, line))
    if labelled and not labels:
        raise AlgorithmInputError(f"{where} holds no libsvm records.")
    shift = 1 if columns and min(columns) >= 1 else 0
    count = len(records)
    matrix = csr_matrix((numpy.asarray(values, dtype="float32"),
                         (numpy.asarray(rows, dtype="int64"), numpy.asarray(columns, dtype="int64") - shift)),
                        shape=(count, (max(columns) + 1 - shift) if columns else 0))
    has_weights = any(w != 1.0 for w in weights)
    return ChannelData(matrix, numpy.asarray(labels, dtype="float32") if labelled else None,
                       numpy.asarray(weights, dtype="float32") if has_weights else None)


def _number(text: str, where: str, number: int, line: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise AlgorithmInputError(f"{where} line {number} is not libsvm ({line.strip()[:60]!r}): {text!r} is not a "
                                  "number. Give ContentType text/csv if the data is CSV.") from None


def _libsvm(files: list[Path], channel: str) -> ChannelData:
    lines = [line for path in files for line in path.read_text().splitlines()]
    return parse_libsvm(lines, files[0].name if len(files) == 1 else f"the {channel} channel's data")


def _parquet(files: list[Path]) -> ChannelData:
    import numpy
    import pandas

    table = numpy.vstack([pandas.read_parquet(path).to_numpy(dtype="float32") for path in files])
    return ChannelData(table[:, 1:], table[:, 0])


def read_channel(folder: Path, channel: str, content_type: str | None, csv_weights: bool = False) -> ChannelData:
    """A channel's records, read as its ContentType says."""
    kind = content_format(content_type)
    files = _files(folder)
    if not files:
        raise AlgorithmInputError(f"No data in the {channel} channel ({folder}): put the {kind} files under "
                                  "its S3 prefix.")
    if kind == CSV:
        return _csv(files, csv_weights)
    if kind == PARQUET:
        return _parquet(files)
    return _libsvm(files, channel)
