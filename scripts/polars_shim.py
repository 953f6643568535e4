"""A stand-in for the few calls of polars that Ultralytics makes while training, for the GPU machine.

scripts/train-gpu copies this file to .gpu/shim/polars/__init__.py and puts it on the path only where the
real polars is missing (its 54 MB wheel does not fit what the device tool carries). Ultralytics training
reads results.csv back into each checkpoint (``read_csv(...).to_dict(as_series=False)``) and may write a
table (``DataFrame(rows).write_csv()``); nothing else is provided.
"""

from __future__ import annotations

import csv
import io
from typing import Any


def _number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


class DataFrame:
    def __init__(self, data: Any = None, **_: Any) -> None:
        if isinstance(data, dict):
            self._columns = {str(k): list(v) if isinstance(v, list | tuple) else [v] for k, v in data.items()}
        elif isinstance(data, list) and data and isinstance(data[0], dict):
            self._columns = {str(k): [row.get(k) for row in data] for k in data[0]}
        else:
            self._columns = {}

    def to_dict(self, as_series: bool = True) -> dict[str, list[Any]]:
        return {k: list(v) for k, v in self._columns.items()}

    def write_csv(self, file: Any = None) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(self._columns)
        writer.writerows(zip(*self._columns.values(), strict=True))
        if file is not None:
            with open(file, "w", encoding="utf-8") as handle:
                handle.write(buffer.getvalue())
        return buffer.getvalue()


def read_csv(source: Any, **_: Any) -> DataFrame:
    if isinstance(source, bytes):
        text = source.decode("utf-8")
    elif isinstance(source, str) and "\n" in source:
        text = source
    else:
        with open(source, encoding="utf-8") as handle:
            text = handle.read()
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return DataFrame({})
    header = [h.strip() for h in rows[0]]
    return DataFrame({h: [_number(r[i].strip()) for r in rows[1:] if len(r) > i] for i, h in enumerate(header)})
