"""Helpers the fetch tests share: the HTTP client as the tests set it up, and runs of the command
against the loopback test server (tests/webserver.py)."""
import duckdb
import pytest

from transforms.fetch.client import FetchConfig, FetchError, HttpClient

# Flags for runs of the command against the loopback test server.
FAST = ["--allow-private-networks", "--min-delay", "0.2", "--timeout", "0.5", "--retry-delay", "0.05", "-q"]


def table(out, name, columns):
    return duckdb.sql(f"select {columns} from read_parquet('{out}/{name}/*/*.parquet', hive_partitioning=true)").fetchall()


def client(**kw):
    kw.setdefault("allow_private", True)
    kw.setdefault("backoff_base", 0.05)
    kw.setdefault("min_delay", 0.0)
    return HttpClient(FetchConfig(**kw))


def failure(c, url, **kw):
    with pytest.raises(FetchError) as e:
        c.get(url, **kw)
    return e.value
