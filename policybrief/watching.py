"""``brief watch``: regenerate briefings when the corpus, a spec or a template changes.

File events (watchdog) only mark the project dirty; once no event has arrived for ``debounce``
seconds, one regenerate runs for the whole burst. A run that fails is reported and watching goes
on; a file that fails to load is skipped by the sync and retried when it changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from policybrief.api import Project, RegenerateReport
from policybrief.briefings import SPEC_FILE
from policybrief.errors import PolicybriefError
from policybrief.freshness import HISTORY


def relevant(path: Path, project: Project) -> bool:
    """Whether a changed path can affect a briefing (our own outputs and temp files cannot)."""
    if path.name.startswith(".") or path.suffix == ".tmp" or path.is_relative_to(project.state_dir):
        return False
    if path.is_relative_to(project.corpus_dir) or path.is_relative_to(project.templates_dir):
        return True
    return (
        path.is_relative_to(project.briefings_dir)
        and path.name == SPEC_FILE
        and (HISTORY not in path.parts)
    )


class Watcher:
    def __init__(
        self,
        project: Project,
        *,
        debounce: float,
        on_run: Callable[[RegenerateReport], None],
        on_error: Callable[[str], None],
    ) -> None:
        self.project = project
        self.debounce = debounce
        self.on_run = on_run
        self.on_error = on_error
        self.stop = threading.Event()
        self._dirty = threading.Event()
        self._last_event = 0.0

    def mark(self, path: str) -> None:
        if relevant(Path(path), self.project):
            self._last_event = time.monotonic()
            self._dirty.set()

    def run_once(self) -> None:
        try:
            self.on_run(self.project.regenerate())
        except PolicybriefError as exc:
            self.on_error(str(exc))

    def watch(self) -> None:
        """Regenerate now, then after every burst of changes until ``stop`` is set."""
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.event_type in ("opened", "closed_no_write"):
                    return
                for path in (event.src_path, getattr(event, "dest_path", "")):
                    if path:
                        watcher.mark(str(path))

        observer: Any = Observer()
        for folder in (
            self.project.corpus_dir,
            self.project.briefings_dir,
            self.project.templates_dir,
        ):
            if folder.is_dir():
                observer.schedule(Handler(), str(folder), recursive=True)
        observer.start()
        try:
            self.run_once()
            while not self.stop.is_set():
                if not self._dirty.wait(timeout=0.2):
                    continue
                if time.monotonic() - self._last_event < self.debounce:
                    continue
                self._dirty.clear()
                self.run_once()
        finally:
            observer.stop()
            observer.join(timeout=5)
