"""Process-wide settings the command applies before it imports the pipeline (pipeline/process_tuning.py)."""
import os
import subprocess
import sys

from tests.conftest import REPO


def test_the_command_allocates_arrow_memory_with_the_system_allocator():
    """Arrow's own pool keeps freed memory on each batch's peak; the command's processes use the
    system allocator instead, unless the user chose one."""
    # main() applies the tuning, then stops at the usage error (exit code 2). Arrow settles its pool
    # when pyarrow is first imported, so pyarrow comes after main(), as in the command itself.
    code = ("import pipeline.command as c; c.main(['run', '--no-such-flag']); "
            "import pyarrow as pa; print(pa.default_memory_pool().backend_name)")
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    ours = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO, env=env)
    theirs = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
                            env={**env, "ARROW_DEFAULT_MEMORY_POOL": "mimalloc"})
    assert (ours.stdout.strip(), theirs.stdout.strip()) == ("system", "mimalloc")
