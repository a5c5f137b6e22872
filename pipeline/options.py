"""Beam's pipeline options: checked as the command receives them, with each view made once."""
from __future__ import annotations

import re

from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from pipeline.errors import UsageError

# Beam's default DirectRunner first tries to download the Prism runner; this one runs in-process.
DEFAULT_RUNNER = "FnApiRunner"
# Runners on this machine that keep stage outputs in memory: runs on them are cut into batches
# (pipeline/local_batches.py) or windows (pipeline/local_stream.py).
LOCAL_RUNNERS = {"FnApiRunner", "DirectRunner", "BundleBasedDirectRunner", "SwitchingDirectRunner"}


class Options(PipelineOptions):
    """PipelineOptions whose views (`view_as`) are made once per class and handed out again.

    Beam asks a pipeline's options for a view at every transform applied, and each new view
    parses the flags again with a new argparse parser, paid again by every batch. A view keeps
    nothing of its own but those parsed flags, which do not change, and reads and writes the
    option values it shares with the options it came from, so one view per class answers the
    same. A deep copy (Beam's Pipeline copies its options) copies the views with the values."""

    def view_as(self, cls):
        # Set in __dict__ directly: PipelineOptions.__setattr__ takes only option names.
        views = self.__dict__.setdefault("_views", {})
        view = views.get(cls)
        if view is None:
            view = views[cls] = super().view_as(cls)
        return view


def _snake(names: str) -> frozenset:
    return frozenset(re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower() for name in names.split())


# Options that Beam's Flink runner defines in Java (FlinkPipelineOptions); the Python SDK learns
# them from the job server when the job is submitted, so they are named here to be let through.
# The on/off ones are switches there (a flag alone; `=true` stops the submission).
FLINK_SWITCHES = _snake("""
    failOnCheckpointingErrors finishBundleBeforeCheckpointing unalignedCheckpointEnabled
    forceUnalignedCheckpointEnabled attachedMode objectReuse operatorChaining disableMetrics
    externalizedCheckpointsEnabled retainExternalizedCheckpointsOnCancellation allowNonRestoredState
    autoBalanceWriteFilesShardingEnabled reIterableGroupByKeyResult fasterCopy enableStableInputDrain""")
FLINK_RUNNER_OPTIONS = FLINK_SWITCHES | _snake("""
    checkpointingInterval checkpointingMode checkpointTimeoutMillis minPauseBetweenCheckpoints
    numConcurrentCheckpoints shutdownSourcesAfterIdleMs numberOfExecutionRetries jobCheckIntervalInSecs
    executionRetryDelay stateBackendFactory stateBackend stateBackendStoragePath maxBundleSize
    maxBundleTimeMills latencyTrackingInterval autoWatermarkInterval executionModeForBatch savepointPath
    reportCheckpointDuration flinkConfDir fileInputSplitMaxSizeMB""")
# Runners that read them: the Flink runner, and the portable runner in front of a Flink job server.
FLINK_RUNNERS = {"FlinkRunner", "PortableRunner"}


def _with_flink_options(parser) -> None:
    for name in sorted(FLINK_RUNNER_OPTIONS):
        if name in FLINK_SWITCHES:
            parser.add_argument(f"--{name}", action="store_true", default=None)
        else:
            parser.add_argument(f"--{name}")


def check_beam_args(extra: list[str]) -> tuple[str, ...]:
    """The arguments the command does not know, checked as Beam options (`--name=value` or
    `--name value`); UsageError for one that no Beam runner defines, or for a Flink option given to
    another runner. They are passed on untouched."""
    for arg in extra:
        name, eq, _ = arg.removeprefix("--").partition("=")
        if eq and name in FLINK_SWITCHES:
            raise UsageError(f"--{name} is a switch of the Flink runner: give it alone, without ={arg.split('=', 1)[1]}")
    parsers = []
    options = PipelineOptions(extra)
    known = options.get_all_options(add_extra_args_fn=lambda parser: (_with_flink_options(parser),
                                                                      parsers.append(parser)))
    _, unknown = parsers[0].parse_known_args(extra)
    for arg in unknown:
        raise UsageError(f"unknown option: {arg.split('=', 1)[0]}" if arg.startswith("-")
                         else f"unexpected argument: {arg}")
    flink = sorted(name for name in FLINK_RUNNER_OPTIONS if known.get(name) is not None)
    runner = str(known.get("runner") or DEFAULT_RUNNER).rsplit(".", 1)[-1]
    if flink and runner not in FLINK_RUNNERS:
        raise UsageError(f"--{flink[0]} is an option of the Flink runner (--runner=FlinkRunner), not of {runner}")
    return tuple(extra)


def beam_options(args: tuple | list) -> Options:
    """Options from checked Beam arguments, with the command's defaults: the in-process runner,
    and worker logs at WARNING (worker processes log every channel they open at INFO)."""
    args = list(args)
    if not any(a.startswith("--default_sdk_harness_log_level") for a in args):
        args.append("--default_sdk_harness_log_level=WARNING")
    options = Options(args)
    if not options.view_as(StandardOptions).runner:
        options.view_as(StandardOptions).runner = DEFAULT_RUNNER
    return options


def runs_locally(options: PipelineOptions) -> bool:
    """A runner on this machine that keeps stage outputs in memory (FnApiRunner and friends)."""
    return str(options.view_as(StandardOptions).runner).rsplit(".", 1)[-1] in LOCAL_RUNNERS
