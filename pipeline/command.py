"""The `news-ingest` command: process tuning, then the flags (pipeline/cli.py), then one of the
three ways to run: local batches (pipeline/local_batches.py), a local continuous run
(pipeline/local_stream.py) or a job on a service (pipeline/remote.py); then the summary."""
from __future__ import annotations

import logging
import sys
import time
from datetime import datetime, timezone

from pipeline import process_tuning

PROG = "news-ingest"


def run(argv: list[str]) -> int:
    from apache_beam.options.pipeline_options import StandardOptions

    from pipeline import cli, local_batches, local_stream, remote, summary
    from pipeline.options import beam_options, runs_locally

    if argv[:1] == ["compact"]:
        from pipeline import compact
        return compact.run(cli.parse_compact(argv))
    if argv[:1] == ["report"]:
        from pipeline import report
        return report.run(cli.parse_report(argv))
    config = cli.parse(argv)
    options = beam_options(config.beam_args)
    graph = config.graph
    if not config.quiet:
        sources = [f"{n} {what}" for n, what in ((len(graph.inputs), "files"), (len(graph.feeds), "feeds"),
                                                 (len(graph.sitemaps), "sitemaps"), (len(graph.sites), "sites"),
                                                 (len(graph.urls), "URLs")) if n]
        print(f"{PROG}: reading {', '.join(sources)} into {graph.output} with "
              f"{options.view_as(StandardOptions).runner}", file=sys.stderr)
    started, started_at = time.monotonic(), datetime.now(timezone.utc)
    if not runs_locally(options):
        counts = remote.run(graph, config.stream, options, config.detach)
        if counts is None:
            return 0  # submitted to a service, or a dry run: there is nothing to sum up here
    elif config.stream is not None:
        counts = local_stream.run(graph, config.stream, options, config.quiet)
    else:
        counts = local_batches.run(graph, config.batches, options, config.quiet)
    elapsed = time.monotonic() - started
    summary.save_record(graph.output, counts, started_at, elapsed, "continuous" if config.stream else "batch")
    print(summary.summarize(counts, elapsed, graph.output))
    if graph.sites:
        print(summary.sites_found(graph.output, graph.sites))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    process_tuning.use_system_allocator_for_arrow()
    with process_tuning.collector_paused():
        from pipeline.errors import UsageError
        import pipeline.cli  # noqa: F401 - the pipeline's imports, made while the collector rests
        import pipeline.local_batches  # noqa: F401
    process_tuning.freeze_imported()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return run(argv)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
