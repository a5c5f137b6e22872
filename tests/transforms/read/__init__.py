"""Helpers the reader tests share."""
from transforms.read import read_path


def read(path):
    return list(read_path(str(path)))
