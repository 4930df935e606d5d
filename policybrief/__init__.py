"""policybrief: cited policy briefings from a folder of source documents, offline."""

__version__ = "0.1.0"
