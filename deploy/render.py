"""Fills `${NAME}` placeholders in deploy/'s manifests and launch request with values from the
environment. Only the names in PLACEHOLDERS are replaced, so any other `$` text is left alone,
and a placeholder whose value is unset is an error rather than an empty string.

    render.py OUT_DIR FILE...   writes each FILE (a path under deploy/) to OUT_DIR/<same path>
    render.py - FILE            writes FILE to standard output

deploy/render.sh sets the image values from deploy/image.env and renders every file."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

PLACEHOLDERS = ("WORKER_IMAGE", "TEMPLATE_IMAGE", "TAG", "BUCKET", "PROJECT", "REGION", "WORKER_SERVICE_ACCOUNT")
DEPLOY = Path(__file__).resolve().parent
_PLACEHOLDER = re.compile(r"\$\{(" + "|".join(PLACEHOLDERS) + r")\}")


def render(text: str, values: dict) -> str:
    """text with every known placeholder replaced; ValueError names the ones without a value."""
    missing = sorted({m.group(1) for m in _PLACEHOLDER.finditer(text)} - {k for k, v in values.items() if v})
    if missing:
        raise ValueError("no value for " + ", ".join(missing))
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out, files = argv[0], [Path(f).resolve() for f in argv[1:]]
    for path in files:
        try:
            text = render(path.read_text(), dict(os.environ))
        except ValueError as e:
            print(f"{path}: {e}", file=sys.stderr)
            return 1
        if out == "-":
            sys.stdout.write(text)
            continue
        target = Path(out) / path.relative_to(DEPLOY)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
