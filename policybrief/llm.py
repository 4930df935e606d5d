"""Opt-in LLM backends, all as LangChain chat models: Ollama, OpenAI-compatible, local GGUF.

Each backend lives in an optional extra, imported only when chosen; a missing extra, a missing
setting or an unreachable server becomes one clear line naming the fix.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from policybrief.config import LLM_BACKENDS as LLM_BACKENDS
from policybrief.config import GenerationSettings
from policybrief.errors import ConfigError, PolicybriefError

OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"
_EXTRAS = {
    "ollama": ("langchain_ollama", "ollama"),
    "openai": ("langchain_openai", "openai"),
    "gguf": ("llama_cpp", "gguf"),
}


class BackendUnavailable(PolicybriefError):
    """The LLM server could not be reached at all: a set-up problem, not a passing fault."""


class GenerationFailed(PolicybriefError):
    """One LLM call failed (timeout, server error, empty reply): callers fall back."""


def _require(backend: str) -> None:
    module, extra = _EXTRAS[backend]
    try:
        __import__(module)
    except ImportError as exc:
        raise ConfigError(
            f"the {backend} backend needs an optional extra: pip install 'policybrief[{extra}]'"
        ) from exc


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _kind(exc: BaseException) -> str:
    """ "timeout", "connection" or "other", judged by class names along the cause chain."""
    names = {cls.__name__ for e in _chain(exc) for cls in type(e).__mro__}
    if names & {"APITimeoutError", "TimeoutException", "TimeoutError", "ReadTimeout"}:
        return "timeout"
    if names & {"APIConnectionError", "ConnectError", "ConnectionError", "ConnectionRefusedError"}:
        return "connection"
    return "other"


# Where ChatOllama connects when no base_url is set: the URL a failure names.
OLLAMA_URL = "http://127.0.0.1:11434"


def describe_failure(exc: BaseException, settings: GenerationSettings) -> tuple[str, str]:
    """(kind, one-line message) for an exception raised by a chat model call."""
    kind = _kind(exc)
    default = OLLAMA_URL if settings.backend == "ollama" else settings.backend
    where = settings.base_url or settings.model_path or default
    if kind == "timeout":
        return kind, f"{settings.backend} at {where} timed out after {settings.timeout:g} s"
    if kind == "connection":
        fix = "start it with `ollama serve`" if settings.backend == "ollama" else "start the server"
        return kind, (
            f"cannot reach the {settings.backend} server at {where}: {fix}, "
            "or set [generation] base_url"
        )
    text = " ".join(str(exc).split())[:200] or type(exc).__name__
    return kind, f"{settings.backend} failed: {text}"


def create_chat_model(settings: GenerationSettings, project_root: Path) -> Any:
    """The LangChain chat model for ``settings.backend``."""
    backend = settings.backend
    if backend not in LLM_BACKENDS:  # (checked at load; this guards settings built in Python)
        raise ConfigError(
            f"unknown generation backend {backend!r}; choose extractive, " + ", ".join(LLM_BACKENDS)
        )
    if backend == "gguf":
        return _gguf_model(settings, project_root)
    _require(backend)
    if not settings.model:
        raise ConfigError(f"the {backend} backend needs a model name: set [generation] model")
    if backend == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(
            model=settings.model,
            base_url=settings.base_url or OLLAMA_DEFAULT_URL,
            temperature=settings.temperature,
            num_predict=settings.max_output_tokens,
            client_kwargs={"timeout": settings.timeout},
        )
    if backend == "openai":
        from langchain_openai import ChatOpenAI

        if not settings.base_url:
            raise ConfigError(
                "the openai backend needs the server's URL: set [generation] base_url "
                "(for example http://127.0.0.1:8000/v1 for vLLM or llama.cpp's server)"
            )
        from pydantic import SecretStr

        return ChatOpenAI(
            model=settings.model,
            base_url=settings.base_url,
            api_key=SecretStr(os.environ.get(settings.api_key_env) or "not-needed"),
            temperature=settings.temperature,
            max_completion_tokens=settings.max_output_tokens,
            timeout=settings.timeout,
            max_retries=0,
        )
    raise AssertionError(backend)


def _gguf_model(settings: GenerationSettings, project_root: Path) -> Any:
    path = Path(settings.model_path).expanduser()
    path = path if path.is_absolute() else project_root / path
    if not settings.model_path or not path.is_file():
        if not settings.model_path:
            raise ConfigError(
                "the gguf backend needs a model file: set [generation] model_path to a .gguf file"
            )
        raise ConfigError(
            f"the gguf backend's model file {path} does not exist: set [generation] model_path "
            "to a .gguf file"
        )
    _require("gguf")
    from policybrief.gguf import LlamaCppChatModel

    return LlamaCppChatModel.from_path(
        path, temperature=settings.temperature, max_tokens=settings.max_output_tokens
    )
