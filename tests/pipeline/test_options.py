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
