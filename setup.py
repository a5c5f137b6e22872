"""news-ingest: a news ingestion pipeline on Apache Beam."""
import os

from setuptools import find_packages, setup


def sample_files():
    out = {}
    for root, _, files in os.walk("samples"):
        out.setdefault(os.path.join("share", "news-ingest", root), []).extend(os.path.join(root, f) for f in files)
    return sorted(out.items())


setup(
    name="news-ingest",
    version="0.1.0",
    description="Streaming news ingestion on Apache Beam: feeds and pages to clean, deduplicated, date-partitioned Parquet",
    long_description=open("README.md", encoding="utf-8").read() if os.path.exists("README.md") else "",
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=find_packages(include=["pipeline", "pipeline.*", "transforms", "transforms.*", "schemas", "schemas.*"]),
    data_files=sample_files(),
    install_requires=[
        # The images in deploy/ pin the same release: a job's SDK must match its workers'.
        "apache-beam>=2.77.0,<2.78",
        "pyarrow>=17",  # apache-beam caps the upper bound
        "trafilatura>=2.3,<3",
        "lxml_html_clean>=0.4",  # trafilatura needs it with lxml 6
        "feedparser>=6.0.11,<7",
        "langdetect==1.0.9",
        "numpy>=1.26",
        "urllib3>=2.0,<3",
        "warcio>=1.7,<2",
        # news-ingest report (pipeline/report.py): queries the output, draws its charts as inline SVG.
        "duckdb>=1.1",
        "matplotlib>=3.8",
    ],
    extras_require={
        # jsonschema, kubernetes-validate and the Dataflow client check deploy/ offline
        # (tests/test_deploy_offline.py); the client's range is the one apache-beam[gcp] allows.
        "test": ["pytest>=8", "duckdb>=1.1", "polars>=1.0", "hypothesis>=6",
                 "jsonschema>=4,<5", "kubernetes-validate>=1.32", "google-cloud-dataflow-client>=0.13,<0.14",
                 # Drives the system's Chromium (tests/browser.py); never `playwright install`.
                 "playwright>=1.45,<2"],
        # Dataflow (gs:// paths, DataflowRunner); one test builds the Dataflow job graph offline with it.
        "dataflow": ["apache-beam[gcp]>=2.77.0,<2.78"],
        # s3:// paths, for Flink deployments that keep their output in S3.
        "aws": ["apache-beam[aws]>=2.77.0,<2.78"],
    },
    entry_points={"console_scripts": ["news-ingest=pipeline.command:main"]},
)
