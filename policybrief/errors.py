"""Domain errors: each carries a message fit to show a user as one line."""


class PolicybriefError(Exception):
    """Base class: the CLI prints these as ``error: <message>`` and exits non-zero."""

    exit_code = 1


class ConfigError(PolicybriefError):
    """brief.toml or a command-line setting is invalid."""


class LoadError(PolicybriefError):
    """A corpus file could not be turned into a document."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class SpecError(PolicybriefError):
    """A briefing spec is missing or malformed."""


class TemplateRenderError(PolicybriefError):
    """A template failed to parse or render; the message names the file and line."""


class IndexStateError(PolicybriefError):
    """The index is missing, or was built with settings that no longer apply."""


class CorpusSwitch(PolicybriefError):
    """Ingesting another folder than the indexed corpus, which would drop documents."""
