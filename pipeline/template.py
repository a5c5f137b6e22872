"""Entry point of the Dataflow Flex Template (deploy/dataflow).

The template launcher calls this file with each template parameter as `--name=value` and adds
Beam's own options (`--runner`, `--project`, `--region`, `--temp_location`, ...). Parameter
names use underscores, as the launcher requires. They become the command's own flags here:
`--feeds=a,b` becomes `--feeds a b`, `--streaming=true` becomes `--streaming`, and
`--poll_interval=60` becomes `--poll-interval 60`. The launcher must not wait for the job,
so the run is always detached.
"""
from __future__ import annotations

import sys

from pipeline import process_tuning


def translate(argv: list[str]) -> list[str]:
    """Template arguments -> `news-ingest run` arguments (Beam's options pass through unchanged)."""
    from pipeline.cli import run_actions

    actions = run_actions()
    ours = {a.dest for a in actions}
    # Read off the parser, so a new flag needs no change here.
    switches = {a.dest for a in actions if a.nargs == 0}
    lists = {a.dest for a in actions if a.nargs == "+"}
    out = ["run", "--detach"]
    for arg in argv:
        name, eq, value = arg.removeprefix("--").partition("=")
        if not arg.startswith("--") or name not in ours:
            out.append(arg)
        elif name in switches:
            if value.lower() in ("", "true", "1", "yes"):
                out.append(f"--{name.replace('_', '-')}")
        elif name in lists:
            out += [f"--{name}", *[v for v in value.split(",") if v]]
        else:
            out += [f"--{name.replace('_', '-')}", value]
    return out


if __name__ == "__main__":
    process_tuning.use_system_allocator_for_arrow()  # before translate() imports the pipeline
    from pipeline.command import main

    sys.exit(main(translate(sys.argv[1:])))
