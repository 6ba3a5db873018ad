"""luoshi (落实): carry a review round through to verified rectification."""

__version__ = "0.1.0"
