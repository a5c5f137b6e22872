"""Beam's PipelineOptions, with each view made once."""
from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions


class Options(PipelineOptions):
    """PipelineOptions whose views (`view_as`) are made once per class and handed out again.

    Beam asks a pipeline's options for a view at every transform applied (`view_as(TypeOptions)`
    to decide on type inference), and each new view parses the flags again with a new argparse
    parser: 0.13 s of the 0.3 s a batch's graph took to build here, paid again by every batch.
    A view keeps nothing of its own but those parsed flags, which do not change, and reads and
    writes the option values it shares with the options it came from, so one view per class
    answers the same. A deep copy (Beam's Pipeline copies its options) copies the views with
    the values, still sharing them."""

    def view_as(self, cls):
        # Set in __dict__ directly: PipelineOptions.__setattr__ takes only option names.
        views = self.__dict__.setdefault("_views", {})
        view = views.get(cls)
        if view is None:
            view = views[cls] = super().view_as(cls)
        return view
