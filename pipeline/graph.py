"""The batch graph: Read -> Extract -> Clean -> Language -> Deduplicate -> Write.

One article can be followed from source to Parquet by opening one module per stage:
transforms/read, extract, clean, language, dedup, write.
"""
from __future__ import annotations

from dataclasses import dataclass

import apache_beam as beam

from transforms.clean import Clean
from transforms.dedup import DUPLICATES, Deduplicate, ReadHistory
from transforms.extract import Extract
from transforms.language import DetectLanguage
from transforms.progress import ReportProgress
from transforms.read import ReadInputs
from transforms.stage import REJECTS
from transforms.write import MAX_ROWS_PER_FILE, WriteTables


@dataclass
class IngestConfig:
    inputs: list  # files, already expanded
    output: str
    max_rows_per_file: int = MAX_ROWS_PER_FILE
    progress: bool = True


def build(p: beam.Pipeline, cfg: IngestConfig):
    """Adds the whole pipeline to `p`; returns the PCollection of written file paths."""
    read = p | "Read" >> ReadInputs(cfg.inputs)
    extracted = read["main"] | "Extract" >> Extract()
    cleaned = extracted["main"] | "Clean" >> Clean()
    languages = cleaned["main"] | "Language" >> DetectLanguage()
    analysed = languages["main"] | "Progress" >> ReportProgress() if cfg.progress else languages["main"]
    history = p | "History" >> ReadHistory(cfg.output)
    deduped = analysed | "Deduplicate" >> Deduplicate(history)
    rejects = ((read[REJECTS], extracted[REJECTS], cleaned[REJECTS], languages[REJECTS])
               | "AllRejects" >> beam.Flatten())
    return ({"articles": deduped["articles"], "duplicates": deduped[DUPLICATES], "rejects": rejects}
            | "Write" >> WriteTables(cfg.output, cfg.max_rows_per_file))
