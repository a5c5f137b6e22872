"""Mutation testing of the modules that guard safety and correctness, with mutmut.

    python -m bench.mutation [--module NAME ...] [--max-children 2] [--json bench/results/mutation.json]

Each module is mutated in a scratch copy of the repository (mutmut writes its `mutants/`
folder beside the code), and only the in-process tests named for it are run against its
mutants: tests that start the command in a subprocess import the unmutated code and could
not kill anything. A mutant counts as killed when a test failed or timed out.

Mutants that behave exactly like the original (equivalent mutants) are listed, each with its
reason, in bench/mutation_equivalent/<module>.json (transforms.utils.ids.json for
transforms/utils/ids.py), keyed by mutmut's name and the mutated line. An entry
whose line no longer matches (the code moved) is not applied, so a stale entry cannot hide a
surviving mutant; listed mutants are re-checked like the others, so one a test does kill counts
as killed, not as equivalent. The figure per module is killed / (mutants - equivalent).

Needs `pip install mutmut==3.8.1` (not a dependency of the project; not run in CI).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EQUIVALENT_DIR = REPO / "bench" / "mutation_equivalent"
COPIED = ("transforms", "pipeline", "schemas", "tests", "samples", "setup.py")

# module -> the in-process test files that exercise it
MODULES: dict[str, tuple[str, ...]] = {
    "transforms/fetch/safety.py": ("tests/transforms/fetch/test_safety.py", "tests/transforms/fetch/test_client.py", "tests/transforms/fetch/test_client_limits.py"),
    "transforms/fetch/robots.py": ("tests/transforms/fetch/test_robots.py",),
    "transforms/fetch/client.py": ("tests/transforms/fetch/test_client.py", "tests/transforms/fetch/test_client_limits.py"),
    "transforms/read/warc.py": ("tests/transforms/read/test_warc.py",),
    "transforms/dedup/verify.py": ("tests/transforms/dedup/test_verify.py", "tests/transforms/dedup/test_dedup.py"),
    # the rules are data in clean/boilerplate.py; clean/__init__.py applies them (TAIL_FROM and the rest)
    "transforms/clean/__init__.py": ("tests/transforms/clean/test_clean.py", "tests/transforms/clean/test_clean_rules.py"),
    "transforms/utils/dates.py": ("tests/transforms/utils/test_dates.py",),
    "transforms/utils/ids.py": ("tests/transforms/utils/test_ids.py",),
    "transforms/write/__init__.py": ("tests/transforms/write/test_write.py", "tests/transforms/write/test_write_contract.py",
                                     "tests/transforms/write/test_commit.py", "tests/transforms/write/test_commit_recovery.py"),
    "transforms/write/commit.py": ("tests/transforms/write/test_commit.py", "tests/transforms/write/test_commit_recovery.py", "tests/transforms/write/test_write.py"),
}

KILLED = {"killed", "timeout", "caught by type check", "killed in a plain run"}


def mutmut(workdir: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=workdir, capture_output=True, text=True, check=False)
    return done.stdout


def changed_lines(diff: str) -> str:
    """The mutated code of a mutant, as one line: the '+' lines of its diff, stripped."""
    return " ".join(line[1:].strip() for line in diff.splitlines()
                    if line.startswith("+") and not line.startswith("+++"))


def _function(tree, cls: str | None, name: str):
    import libcst as cst
    body = tree.body
    if cls:
        body = next(node for node in body if isinstance(node, cst.ClassDef) and node.name.value == cls).body.body
    return next(node for node in body if isinstance(node, cst.FunctionDef) and node.name.value == name)


def apply_mutant(workdir: Path, module: str, name: str) -> None:
    """Writes mutant `name` into the scratch copy's source of `module`.

    mutmut's own `apply` finds a method by its name alone, so in a module with two classes the
    mutant of one class's __init__ lands in the other's; this looks the class up too."""
    import libcst as cst
    mutant = name.rsplit(".", 1)[1]  # x_func__mutmut_3 or xǁClassǁmethod__mutmut_3
    base = mutant.rsplit("__mutmut_", 1)[0]
    cls, function = base.split("ǁ")[1:] if base.startswith("xǁ") else (None, base[2:])
    source = workdir / module
    tree = cst.parse_module(source.read_text())
    mutated = _function(cst.parse_module((workdir / "mutants" / module).read_text()), cls, mutant)
    original = _function(tree, cls, function)
    replacement = original.with_changes(body=mutated.body, params=mutated.params)
    source.write_text(tree.deep_replace(original, replacement).code)


def killed_by_plain_run(workdir: Path, module: str, name: str, tests: tuple[str, ...]) -> bool:
    """Applies one mutant to the scratch copy's source and runs its tests in a fresh process.

    mutmut switches mutants on at call time, so code that runs at import (a table compiled when
    the module loads) keeps the original behaviour under its runner; a plain run sees the mutant.
    """
    source = workdir / module
    original = source.read_bytes()
    try:
        apply_mutant(workdir, module, name)
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
                              cwd=workdir, capture_output=True, text=True, timeout=600, check=False)
        return done.returncode != 0
    except subprocess.TimeoutExpired:
        return True
    finally:
        source.write_bytes(original)


def prepare(module: str, tests: tuple[str, ...], workdir: Path) -> None:
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, workdir / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, workdir / name)
    (workdir / "pyproject.toml").write_text(
        "[tool.mutmut]\n"
        'source_paths = ["transforms", "pipeline", "schemas"]\n'
        f"only_mutate = {json.dumps([module])}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(list(tests))}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]\n')


def mutate(module: str, max_children: int, equivalent: dict, recheck: bool = True) -> dict:
    tests = MODULES[module]
    with tempfile.TemporaryDirectory(prefix="mutation-") as scratch:
        workdir = Path(scratch)
        prepare(module, tests, workdir)
        run = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)],
                             cwd=workdir, capture_output=True, text=True, check=False)
        if run.returncode != 0:
            return {"module": module, "tests": list(tests), "error": (run.stdout + run.stderr)[-2000:]}
        statuses = {}
        for line in mutmut(workdir, "results", "--all", "true").splitlines():
            name, _, status = line.strip().rpartition(": ")
            if name:
                statuses[name] = status
        survivors, equivalents = [], []
        for name, status in sorted(statuses.items()):
            if status in KILLED:
                continue
            if recheck and killed_by_plain_run(workdir, module, name, tests):
                statuses[name] = "killed in a plain run"
                continue
            mutated = changed_lines(mutmut(workdir, "show", name))
            known = equivalent.get(name)
            if known and known["mutated"] == mutated:
                equivalents.append({"name": name, "mutated": mutated, "why": known["why"]})
            else:
                survivors.append({"name": name, "status": status, "mutated": mutated})
    killed = sum(status in KILLED for status in statuses.values())
    counted = len(statuses) - len(equivalents)
    return {"module": module, "tests": list(tests), "mutants": len(statuses), "killed": killed,
            "equivalent": len(equivalents), "survived": len(survivors),
            "killed_share": round(killed / counted, 3) if counted else None,
            "survivors": survivors, "equivalents": equivalents}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", choices=sorted(MODULES),
                        help="a module to mutate (repeatable); all of them by default")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--json", type=Path, help="merge the figures into this file")
    parser.add_argument("--no-recheck", action="store_true",
                        help="skip the plain run of each survivor: quicker while writing tests, but mutants "
                             "of code run at import then all survive")
    args = parser.parse_args(argv)
    equivalent = {}
    for path in EQUIVALENT_DIR.glob("*.json"):
        for entry in json.loads(path.read_text()):
            equivalent[entry["name"]] = entry
    results = {}
    if args.json and args.json.exists():
        results = json.loads(args.json.read_text())
    for module in args.module or sorted(MODULES):
        figures = mutate(module, args.max_children, equivalent, recheck=not args.no_recheck)
        results[module] = figures
        if "error" in figures:
            print(f"{module}: mutmut failed:\n{figures['error']}", flush=True)
            continue
        print(f"{module}: {figures['mutants']} mutants, {figures['killed']} killed, "
              f"{figures['equivalent']} equivalent, {figures['survived']} survived "
              f"-> {figures['killed_share']} of the non-equivalent killed", flush=True)
        for survivor in figures["survivors"]:
            print(f"  {survivor['status']}: {survivor['name']}: {survivor['mutated']}", flush=True)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
