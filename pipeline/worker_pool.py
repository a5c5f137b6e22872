"""Worker processes kept for a whole local run, across its batches.

With --direct_running_mode=multi_processing, FnApiRunner starts its worker processes when a
pipeline runs and stops them when it ends. A local run split into batches (pipeline/batches.py)
is one pipeline per batch, so each batch paid for starting its workers again: Beam's imports,
ours, the language model, about 2 s of a batch's 15 s on two workers.

Here the worker processes are started once, when the run begins (while the main process is
still importing Beam and building the first graph). Each is Beam's own worker pool in thread
mode: for each pipeline run it hosts a fresh SDK harness, connected to the runner like any
EXTERNAL worker (the way Flink runs Python workers), and what the process loaded for one
batch (modules, models, tables) serves the next. DoFns are still pickled, sent and set up
in another process, as on Flink and Dataflow.

Child processes: `python -m pipeline.worker_pool` prints its address and serves until its
standard input closes, so none outlives the run.

Used for batch runs only. A continuous local run (one pipeline per window) was tried on a pool
and its stateful near-duplicate step missed a copy within a window, which Beam's own
multi_processing mode finds; until that is understood, windows start their own workers.
"""
from __future__ import annotations

import logging
import subprocess
import sys
import threading
from concurrent import futures
from typing import Callable

START_TIMEOUT = 120  # seconds for a worker process to import and listen


class _Front:
    """The one address the runner is given: each worker it asks for goes to the next process,
    so the workers of one pipeline run are spread over all of them. `addresses()` blocks until
    the processes listen, so the runner can be built (and the graph) while they start."""

    def __init__(self, addresses: Callable[[], list[str]]):
        self._addresses = addresses
        self._stubs: list = []
        self._lock = threading.Lock()
        self._next = 0

    def _all(self) -> list:
        import grpc
        from apache_beam.portability.api import beam_fn_api_pb2_grpc

        with self._lock:
            if not self._stubs:
                self._stubs = [beam_fn_api_pb2_grpc.BeamFnExternalWorkerPoolStub(grpc.insecure_channel(a))
                               for a in self._addresses()]
            return self._stubs

    def StartWorker(self, request, context):  # noqa: N802 - gRPC method name
        stubs = self._all()
        with self._lock:
            k, self._next = self._next, (self._next + 1) % len(stubs)
        return stubs[k].StartWorker(request)

    def StopWorker(self, request, context):  # noqa: N802 - gRPC method name
        # Each process stops the worker if it is one of its own and ignores the id otherwise.
        response = None
        for stub in self._all():
            response = stub.StopWorker(request)
        return response


class WorkerPool:
    """`size` worker processes and the address that hands them out; a context manager."""

    def __init__(self, size: int):
        self.size = size
        self.address = ""
        self._processes: list[subprocess.Popen] = []
        self._server = None

    def __enter__(self) -> "WorkerPool":
        import grpc
        from apache_beam.portability.api import beam_fn_api_pb2_grpc

        self._processes = [subprocess.Popen([sys.executable, "-m", "pipeline.worker_pool"], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, text=True) for _ in range(self.size)]
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        beam_fn_api_pb2_grpc.add_BeamFnExternalWorkerPoolServicer_to_server(_Front(self._addresses), self._server)
        self.address = f"localhost:{self._server.add_insecure_port('localhost:0')}"
        self._server.start()
        self._quiet = _QuietModeWarning()
        _RUNNER_LOG.addFilter(self._quiet)
        return self

    def _addresses(self) -> list[str]:
        """The processes' own addresses, once each has started and listens."""
        addresses = []
        for process in self._processes:
            line = _read_line(process, START_TIMEOUT)
            if not line.startswith("listening "):
                raise RuntimeError(f"a worker process did not start (exit code {process.poll()})")
            addresses.append(line.split()[1])
        return addresses

    def runner(self):
        """A FnApiRunner whose workers are this pool's processes (for one pipeline run)."""
        from apache_beam.runners.portability.fn_api_runner import FnApiRunner
        from apache_beam.transforms.environments import ExternalEnvironment

        return FnApiRunner(default_environment=ExternalEnvironment(self.address))

    def __exit__(self, *exc) -> None:
        _RUNNER_LOG.removeFilter(self._quiet)
        if self._server is not None:
            self._server.stop(0)
        for process in self._processes:
            if process.stdin:
                process.stdin.close()  # the process's signal to end
        for process in self._processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _read_line(process: subprocess.Popen, timeout: float) -> str:
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return out[0].strip() if out else ""


def pipelines_on(pool: WorkerPool, options) -> Callable:
    """A maker of pipelines that run on `pool`, with `options`. The runner's own multi_processing
    mode would replace the pool's environment with processes of its own, so the mode is left at
    in_memory in the pipelines' options (the number of workers still counts)."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions

    pooled = PipelineOptions.from_dictionary(options.get_all_options(drop_default=True))
    pooled.view_as(DirectOptions).direct_running_mode = "in_memory"
    return lambda: beam.Pipeline(runner=pool.runner(), options=pooled)


class _QuietModeWarning(logging.Filter):
    """FnApiRunner warns that several workers want multi_processing; with a pool they are real."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("If direct_num_workers is not equal to 1")


_RUNNER_LOG = logging.getLogger("apache_beam.runners.portability.fn_api_runner.fn_runner")


def serve() -> None:
    """A worker process: Beam's worker pool in thread mode, until standard input closes."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    import grpc
    from apache_beam.portability.api import beam_fn_api_pb2_grpc
    from apache_beam.runners.worker.worker_pool_main import BeamFnExternalWorkerPoolServicer

    # Beam's own start() listens on every interface; whoever reaches this port can have code run
    # here, so it listens on loopback only.
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    beam_fn_api_pb2_grpc.add_BeamFnExternalWorkerPoolServicer_to_server(
        BeamFnExternalWorkerPoolServicer(use_process=False), server)
    address = f"localhost:{server.add_insecure_port('localhost:0')}"
    server.start()
    # What every batch's workers import anyway, imported while the main process builds the graph.
    import transforms.dedup  # noqa: F401
    import transforms.extract  # noqa: F401
    import transforms.write  # noqa: F401
    from transforms.language_model import model
    model()
    print(f"listening {address}", flush=True)
    sys.stdin.read()
    server.stop(0)


if __name__ == "__main__":
    serve()
