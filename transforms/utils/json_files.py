"""Small JSON state files on any Beam filesystem, replaced whole (written under a temporary
name, then renamed), so a reader or a killed writer never leaves half a file."""
from __future__ import annotations

import json
import uuid

from apache_beam.io.filesystems import FileSystems


def load_json(path: str) -> dict:
    if not FileSystems.exists(path):
        return {}
    with FileSystems.open(path) as f:
        data = json.loads(f.read().decode("utf-8") or "{}")
    return data if isinstance(data, dict) else {}


def save_json(path: str, data: dict) -> None:
    temp = f"{path}.{uuid.uuid4().hex}.tmp"
    with FileSystems.create(temp) as f:
        f.write(json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))
    FileSystems.rename([temp], [path])
