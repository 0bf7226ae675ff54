"""kg: a knowledge-graph builder over the claims of ML research papers."""

__version__ = "0.1.0"
