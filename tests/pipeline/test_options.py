"""Beam's pipeline options as the command hands them out (pipeline/options.py)."""


def test_options_hand_out_one_view_per_class_that_answers_as_a_new_one_would():
    """Views are kept (Beam asks for one at every transform applied), yet a value set through
    any view is seen through every other, and a deep copy (Beam's Pipeline makes one) is apart."""
    import copy

    from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, TypeOptions

    from pipeline.options import Options

    flags = ["--direct_num_workers=2", "--no_pipeline_type_check"]
    options = Options(flags)
    direct = options.view_as(DirectOptions)
    assert options.view_as(DirectOptions) is direct
    assert options.view_as(TypeOptions).pipeline_type_check is PipelineOptions(flags).view_as(TypeOptions).pipeline_type_check
    direct.direct_running_mode = "multi_processing"
    assert options.view_as(DirectOptions).direct_running_mode == "multi_processing"
    assert options.get_all_options(drop_default=True) == {"direct_num_workers": 2, "direct_running_mode": "multi_processing",
                                                          "pipeline_type_check": False}
    copied = copy.deepcopy(options)
    copied.view_as(DirectOptions).direct_running_mode = "in_memory"
    assert copied.view_as(DirectOptions).direct_num_workers == 2
    assert options.view_as(DirectOptions).direct_running_mode == "multi_processing"
    assert isinstance(Options.from_dictionary(options.get_all_options()), Options)


def test_every_option_a_runner_defines_passes_through_unchanged():
    """Flink's own options (defined in Java, learnt from the job server at submit time), Dataflow's
    and the portable runner's pass as given, with `=` or a space; a misspelt one does not."""
    import pytest

    from pipeline.errors import UsageError
    from pipeline.options import check_beam_args

    flink = ["--runner=FlinkRunner", "--flink_master=flink:8081", "--checkpointing_interval=60000",
             "--savepoint_path", "s3://bucket/savepoints/sp-1", "--allow_non_restored_state",
             "--externalized_checkpoints_enabled", "--shutdown_sources_after_idle_ms=-1",
             "--state_backend=rocksdb", "--parallelism", "2", "--environment_type=EXTERNAL",
             "--environment_config=localhost:50000", "--artifacts_dir=s3://bucket/artifacts"]
    assert check_beam_args(flink) == tuple(flink)
    dataflow = ["--runner", "DataflowRunner", "--project=p", "--region=europe-west1", "--sdk_container_image=img:1",
                "--experiments=use_runner_v2", "--dataflow_service_options=enable_prime", "--max_num_workers=4"]
    assert check_beam_args(dataflow) == tuple(dataflow)
    with pytest.raises(UsageError, match="unknown option: --checkpointing_intervall"):
        check_beam_args(["--runner=FlinkRunner", "--checkpointing_intervall=60000"])
    with pytest.raises(UsageError, match="option of the Flink runner"):
        check_beam_args(["--runner=DataflowRunner", "--savepoint_path=gs://b/sp"])
    with pytest.raises(UsageError, match="switch of the Flink runner: give it alone, without =true"):
        check_beam_args(["--runner=FlinkRunner", "--externalized_checkpoints_enabled=true"])
    with pytest.raises(UsageError, match="unexpected argument: extra"):
        check_beam_args(["--runner=FlinkRunner", "extra"])
