"""A run on a service (Flink, Dataflow, a portable job server): the whole graph as one job."""
from __future__ import annotations

import sys
import time

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions, TestOptions

from pipeline import summary
from pipeline.config import GraphConfig, StreamConfig
from pipeline.graph import build_batch, build_stream


def run(cfg: GraphConfig, stream: StreamConfig | None, options: PipelineOptions, detach: bool) -> dict | None:
    """Builds and submits the job. Returns its counters when the command waited for it; None
    when it was only submitted (--detach, or a continuous run with no end) or a dry run."""
    if stream is not None:
        options.view_as(StandardOptions).streaming = True  # before the Pipeline copies the options
    p = beam.Pipeline(options=options)
    if stream is not None:
        now = time.time()
        build_stream(p, cfg, stream, now, now + stream.stop_after if stream.stop_after else None)
    else:
        build_batch(p, cfg)
    result = p.run()
    if dry_run(options):
        return None
    if detach or (stream is not None and not stream.stop_after):
        submitted(result, options)
        return None
    result.wait_until_finish()
    return summary.counters(result)


def submitted(result, options: PipelineOptions) -> None:
    job = getattr(result, "job_id", lambda: None)()
    runner = options.view_as(StandardOptions).runner
    print(f"news-ingest: submitted the job to {runner}" + (f" as {job}" if job else ""), file=sys.stderr)


def dry_run(options: PipelineOptions) -> bool:
    """With --dry_run (Dataflow), the job graph is built and checked but not submitted."""
    if not options.view_as(TestOptions).dry_run:
        return False
    runner = options.view_as(StandardOptions).runner
    print(f"news-ingest: dry run: the {runner} job graph was built and not submitted", file=sys.stderr)
    return True
