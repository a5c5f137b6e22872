"""Worker processes for local multi_processing runs, made once per command, and the makers of
local pipelines.

With --direct_running_mode=multi_processing, FnApiRunner starts fresh worker processes for
every pipeline run, and each imports Beam, trafilatura and ours and loads the language model
before it reads a page. A local run is one pipeline per batch or per window, so here the worker
processes are made once per command: forked on Linux (after the imports), spawned elsewhere.
Each is Beam's own worker pool in thread mode, hosting a fresh SDK harness for each pipeline
run, connected to the runner like any EXTERNAL worker (as Flink runs Python workers). DoFns are
still pickled, sent and set up in another process, as on Flink and Dataflow.

The environment declares the coders the Python SDK knows, as Beam's own EXTERNAL environments
do. With none declared, the runner wrapped the interval-window coder as one the workers might
not know, and a windowed side input (a continuous window's near-duplicate decisions) read as
empty.
"""
from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from concurrent import futures
from typing import Callable

START_TIMEOUT = 120  # seconds for a worker process to import and listen


class _WorkerDispatcher:
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
        beam_fn_api_pb2_grpc.add_BeamFnExternalWorkerPoolServicer_to_server(_WorkerDispatcher(self._addresses), self._server)
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
    # What every batch's workers set up anyway, done while the main process builds the graph
    # (the imports are already there when the process was forked).
    import transforms.dedup  # noqa: F401
    import transforms.write  # noqa: F401
    from transforms.extract import install_speedups
    from transforms.language.model import model
    install_speedups()
    model()
    pipe.send(address)
    # Until told to stop, or until the main process is gone (killed, so it told nobody).
    multiprocessing.connection.wait([pipe, multiprocessing.parent_process().sentinel])
    server.stop(0)


def local_workers(options) -> int:
    """How many workers a local run has: --direct_num_workers (default: the cores) with
    multi_processing or multi_threading, else one."""
    from apache_beam.options.pipeline_options import DirectOptions

    direct = options.view_as(DirectOptions)
    return (direct.direct_num_workers or os.cpu_count() or 1) if direct.direct_running_mode != "in_memory" else 1


@contextlib.contextmanager
def local_pipelines(options):
    """A maker of local pipelines, one per batch or window: with multi_processing they run on
    a WorkerPool made once for the whole command, else in this process."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import DirectOptions

    if options.view_as(DirectOptions).direct_running_mode == "multi_processing":
        with WorkerPool(local_workers(options)) as pool:
            yield pipelines_on(pool, options)
    else:
        yield lambda: beam.Pipeline(options=options)
