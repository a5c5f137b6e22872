"""Process-wide settings of the command, applied by pipeline/command.py before it imports the
pipeline: the memory allocator Arrow uses and the garbage collector's work during imports."""
from __future__ import annotations

import contextlib
import gc
import os


def use_system_allocator_for_arrow() -> None:
    """Arrow's default allocator (mimalloc) keeps what it frees for its own later use, which
    stayed on each batch's peak memory; the system allocator hands it back. Arrow reads the
    choice at its first allocation, so this comes before the imports (workers inherit it);
    a user's own choice stays."""
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


@contextlib.contextmanager
def collector_paused():
    """The pipeline's imports make many objects that live as long as the process; the cyclic
    collector would scan them again and again while they load."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def freeze_imported() -> None:
    """Modules and their tables are never garbage: frozen, later collections skip them, and
    forked workers (pipeline/worker_pool.py) do not copy the pages that hold them."""
    gc.freeze()
