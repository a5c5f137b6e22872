"""Readers: turn input files into Documents (or Rejects), one module per input kind."""
from transforms.read.discover import KINDS, UsageError, expand_inputs, kind_of
from transforms.read.files import ReadInputs, read_path

__all__ = ["KINDS", "UsageError", "expand_inputs", "kind_of", "ReadInputs", "read_path"]
