"""Domain errors: each carries a message fit to show a user as one line, and the exit code
the ``brief`` command ends with. The codes, in one table:

====  =====================================================================================
0     success
1     an error in the input or state (``PolicybriefError`` and most of its subclasses)
2     a usage error (click's own)
3     an unsupported statement under the ``fail`` verification policy (``VerificationFailed``)
4     another process is writing to the project and ``--no-wait`` was given (``Busy``)
====  =====================================================================================
"""

EXIT_ERROR = 1
EXIT_UNSUPPORTED = 3
EXIT_BUSY = 4


class PolicybriefError(Exception):
    """Base class: the CLI prints these as ``error: <message>`` and exits non-zero."""

    exit_code = EXIT_ERROR


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


class VerificationFailed(PolicybriefError):
    """An unsupported statement under the ``fail`` policy."""

    exit_code = EXIT_UNSUPPORTED


class Busy(PolicybriefError):
    """Another process is writing to this project."""

    exit_code = EXIT_BUSY
