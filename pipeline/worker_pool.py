"""Worker processes for a local multi_processing run: made once, before the first graph.

With --direct_running_mode=multi_processing, FnApiRunner starts fresh worker processes when a
pipeline runs and stops them when it ends. Each imports Beam, trafilatura and ours and loads
the language model before it reads a page (two took 1.8-2.0 s to be ready here), and a local
run split into batches (pipeline/batches.py) is one pipeline per batch, so it paid that again
for every batch.

Here the worker processes are made once per run, before the first graph is built. On Linux
they are forked from this process, which has imported what a worker needs by then (two were
ready in 0.25 s, most of it the language model); elsewhere they are spawned and import it.
Each is Beam's own worker pool in thread mode: for each pipeline run it hosts a fresh SDK
harness, connected to the runner like any EXTERNAL worker (the way Flink runs Python
workers), and what the process loaded for one batch (models, tables) serves the next. DoFns
are still pickled, sent and set up in another process, as on Flink and Dataflow, and a worker
sees nothing the main process built, since it was made before the graph was.

Used for batch runs (one pipeline per batch) and continuous runs (one pipeline per window).
The environment declares the coders the Python SDK knows, as Beam's own EXTERNAL environments
do among its capabilities. With none declared, the runner wrapped the interval-window coder
(unlike the global window's, it is known to the runner only when every environment declares
it) as one the workers might not know, and a window reached the side-input state under other
bytes than the worker asked with: a windowed side input (the near-duplicate decisions of a
continuous run's window) read as empty, and the copy in the window was written as an article.
"""
from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import signal
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
        self._processes: list = []  # (process, pipe)
        self._server = None

    def __enter__(self) -> "WorkerPool":
        import grpc
        from apache_beam.portability.api import beam_fn_api_pb2_grpc

        # The processes are made before this process opens any gRPC channel or server: a
        # forked child must not inherit gRPC's threads.
        context = multiprocessing.get_context(start_method())
        for _ in range(self.size):
            ours, theirs = context.Pipe()
            process = context.Process(target=serve, args=(theirs,), daemon=True, name="news-ingest worker")
            process.start()
            theirs.close()
            self._processes.append((process, ours))
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
        for process, pipe in self._processes:
            if not pipe.poll(START_TIMEOUT):
                raise RuntimeError(f"a worker process did not start in {START_TIMEOUT} s")
            try:
                addresses.append(pipe.recv())
            except EOFError:
                raise RuntimeError(f"a worker process did not start (exit code {process.exitcode})") from None
        return addresses

    def runner(self):
        """A FnApiRunner whose workers are this pool's processes (for one pipeline run)."""
        from apache_beam.runners.portability.fn_api_runner import FnApiRunner
        from apache_beam.transforms.environments import ExternalEnvironment, python_sdk_capabilities

        # The coders the workers know, which Beam's own EXTERNAL environments declare among the
        # SDK's capabilities (see the module docstring); its protocols are left to the runner's
        # defaults, as before.
        return FnApiRunner(default_environment=ExternalEnvironment(
            self.address, capabilities=[c for c in python_sdk_capabilities() if c.startswith("beam:coder:")]))

    def __exit__(self, *exc) -> None:
        _RUNNER_LOG.removeFilter(self._quiet)
        if self._server is not None:
            self._server.stop(0)
        for _, pipe in self._processes:
            # Said, not only closed: a forked process holds copies of this end of the pipes made
            # before it, so it would never see them close.
            try:
                pipe.send("stop")
            except OSError:
                pass  # it has ended already
            pipe.close()
        for process, _ in self._processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()


def start_method() -> str:
    """fork where it is safe: on Linux, from a process running no other thread (a thread
    holding a lock when the process forks leaves it held forever in the child), which the
    command is when the pool starts. Otherwise spawn: slower, but safe anywhere (and macOS
    can crash in a forked child)."""
    return "fork" if sys.platform.startswith("linux") and threading.active_count() == 1 else "spawn"


def pipelines_on(pool: WorkerPool, options) -> Callable:
    """A maker of pipelines that run on `pool`, with `options`. The runner's own multi_processing
    mode would replace the pool's environment with processes of its own, so the mode is left at
    in_memory in the pipelines' options (the number of workers still counts)."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import DirectOptions

    from pipeline.options import Options

    pooled = Options.from_dictionary(options.get_all_options(drop_default=True))
    pooled.view_as(DirectOptions).direct_running_mode = "in_memory"
    return lambda: beam.Pipeline(runner=pool.runner(), options=pooled)


class _QuietModeWarning(logging.Filter):
    """FnApiRunner warns that several workers want multi_processing; with a pool they are real."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("If direct_num_workers is not equal to 1")


_RUNNER_LOG = logging.getLogger("apache_beam.runners.portability.fn_api_runner.fn_runner")


def serve(pipe) -> None:
    """A worker process: Beam's worker pool in thread mode, until the main process says stop
    on `pipe` or is gone."""
    # Ctrl-C reaches the whole process group; the main process answers it, and the workers end
    # with it instead of each printing a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A forked worker has the command's logging already; a spawned one starts with none.
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
    # What every batch's workers import anyway, imported while the main process builds the graph
    # (already there when the process was forked).
    import transforms.dedup  # noqa: F401
    import transforms.extract  # noqa: F401
    import transforms.write  # noqa: F401
    from transforms.language_model import model
    model()
    pipe.send(address)
    # Until told to stop, or until the main process is gone (killed, so it told nobody).
    multiprocessing.connection.wait([pipe, multiprocessing.parent_process().sentinel])
    server.stop(0)
