"""verifier: checks that the sources a document cites still exist and still support its claims."""

__version__ = "0.1.0"
