"""news-ingest: the command, its options and the assembly of the stages into a Beam graph."""
import logging


class _BeamImportNoise(logging.Filter):
    """Beam warns at import about optional GCP clients, and about flags we check ourselves."""

    def filter(self, record):
        msg = record.getMessage()
        return not (msg.startswith("apitools not found") or msg.startswith("Discarding unparseable args"))


# Installed before apache_beam is first imported by the command, so a usage error stays one line.
logging.getLogger().addFilter(_BeamImportNoise())
logging.getLogger("apache_beam.options.pipeline_options").addFilter(_BeamImportNoise())
