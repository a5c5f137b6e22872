"""Windows of a continuous run. A composite that groups takes a window size: None in a batch
(everything in the global window, no windowing steps at all), else it groups within fixed
windows of that many seconds and hands its output back in the global window."""
from __future__ import annotations

import apache_beam as beam
from apache_beam.transforms import trigger, window


def into_fixed(pcoll, seconds: float | None, label: str = "FixedWindows"):
    """`pcoll` in fixed windows of `seconds` (unchanged when None). A grouped element keeps its
    earliest timestamp, not the window's end, so it lands in the output window of the poll
    that found it."""
    if seconds is None:
        return pcoll
    return pcoll | label >> beam.WindowInto(window.FixedWindows(seconds),
                                            timestamp_combiner=window.TimestampCombiner.OUTPUT_AT_EARLIEST)


def into_global(outputs: dict, seconds: float | None) -> dict:
    """Each PCollection of `outputs` back in the global window (unchanged when `seconds` is None)."""
    if seconds is None:
        return outputs
    return {name: pc | f"Global{name.title()}" >> beam.WindowInto(window.GlobalWindows())
            for name, pc in outputs.items()}


def into_output_windows(pcoll, seconds: float | None, allowed_lateness: float, label: str = "OutputWindows"):
    """`pcoll` in the windows of the output files (unchanged when None): a pane when the
    watermark passes the window's end, then one more pane per late row (each pane its own
    file); rows later than `allowed_lateness` are dropped."""
    if seconds is None:
        return pcoll
    return pcoll | label >> beam.WindowInto(window.FixedWindows(seconds),
                                            trigger=trigger.AfterWatermark(late=trigger.AfterCount(1)),
                                            accumulation_mode=trigger.AccumulationMode.DISCARDING,
                                            allowed_lateness=allowed_lateness)
