"""Beam's pipeline options: checked as the command receives them, with each view made once."""
from __future__ import annotations

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


def check_beam_args(extra: list[str]) -> tuple[str, ...]:
    """The arguments the command does not know, checked as Beam options; UsageError for one that
    Beam does not know either. They are passed on untouched."""
    stray = [a for a in extra if not a.startswith("--")]
    if stray:
        raise UsageError(f"unexpected argument: {stray[0]}")
    options = PipelineOptions(extra)
    unknown = set(options.get_all_options(retain_unknown_options=True)) - set(options.get_all_options())
    if unknown:
        raise UsageError(f"unknown option: --{sorted(unknown)[0]}")
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
