"""Readers: turn input files into Documents (or Rejects), one module per input kind."""
from transforms.read.files import ReadInputs, read_path
from transforms.read.kinds import KINDS, kind_of

__all__ = ["KINDS", "kind_of", "ReadInputs", "read_path"]
