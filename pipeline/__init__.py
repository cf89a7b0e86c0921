"""NAIST international partners pipeline: fetch → parse → normalize → validate → write."""

__version__ = "0.1.0"
