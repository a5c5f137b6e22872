"""The run's counters read back and summed up (pipeline/summary.py)."""


def test_metrics_nested_one_generator_per_bundle_are_read_back():
    """Beam's local runners wrap a stage's metrics in one more generator per bundle; a long
    streaming job nests them deeper than Python's recursion limit allows in a normal thread."""
    import pytest

    from pipeline.summary import _in_deep_thread

    def nested(depth):
        chain = iter([1])
        for _ in range(depth):
            chain = (x for x in chain)
        return chain

    with pytest.raises(RecursionError):
        sum(nested(5_000))
    assert _in_deep_thread(lambda: sum(nested(5_000))) == 1
