"""The ``brief`` command: argument parsing and printing over ``policybrief.api``.

Exit codes: the table in ``policybrief.errors`` (0 success, 1 a domain error printed as one
``error:`` line, 2 a usage error, 3 an unsupported statement under ``--policy fail``, 4 another
process is writing, with ``--no-wait``); ``brief --help`` repeats it for users.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from policybrief.errors import EXIT_ERROR, PolicybriefError
from policybrief.retrieval import MODES

if TYPE_CHECKING:  # (imported when used: `brief --help` and the cold start stay fast)
    from policybrief.api import Project, RegenerateReport
    from policybrief.drafting import Notice
    from policybrief.index import SyncReport
    from policybrief.shelf import GenerateResult
    from policybrief.types import Answer, Filters, Source, Statement

F = TypeVar("F", bound=Callable[..., Any])


def _date_option(value: str | None) -> date | None:
    from policybrief.text import parse_date

    if value is None:
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise click.BadParameter(f"{value!r} is not a date like 2025-01-31")
    return parsed


def _project(ctx: click.Context, **generation: Any) -> Project:
    """The project, with generation and verification settings from command-line flags."""
    from policybrief.api import Project
    from policybrief.config import find_project_root
    from policybrief.errors import ConfigError

    obj = ctx.ensure_object(dict)
    if "project" not in obj:
        policy = generation.pop("policy", None)
        overrides = {
            "generation": generation,
            "verification": {"policy": policy},
            "chroma": {"url": obj.get("chroma_url")},
        }
        start = obj.get("root") or Path.cwd()
        folder = find_project_root(Path(start))
        if not any(
            (folder / marker).exists() for marker in ("brief.toml", "corpus", ".policybrief")
        ):
            raise ConfigError(f"{folder} is not a policybrief project (run `brief init`)")
        project = Project.open(folder, overrides=overrides)
        project.wait = not obj.get("no_wait")
        project.on_wait = lambda message: click.echo(message, err=True)
        obj["project"] = project
        ctx.find_root().call_on_close(obj["project"].close)
    found: Project = obj["project"]
    return found


@contextmanager
def _progress(ctx: click.Context, label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr, driven by (done, total) callbacks (none with --quiet)."""
    if _quiet(ctx):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        f"[bold]{label}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _quiet(ctx: click.Context) -> bool:
    return bool(ctx.find_root().obj and ctx.find_root().obj.get("quiet"))


def _say(ctx: click.Context, text: str, *, err: bool = False) -> None:
    """Informational output, silenced by --quiet."""
    if not _quiet(ctx):
        click.echo(text, err=err)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


class _Group(click.Group):
    """Turns domain errors into one clear line and an exit code instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PolicybriefError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--project",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Project folder (default: the nearest folder holding brief.toml, else the current one).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or informational lines.")
@click.option(
    "--no-wait",
    is_flag=True,
    help="If another brief process is writing to this project, fail (exit 4) instead of waiting.",
)
@click.option(
    "--chroma-url",
    help="Use the Chroma server at this URL (http://host:port) instead of the local store.",
)
@click.version_option(package_name="policybrief")
@click.pass_context
def cli(
    ctx: click.Context, root: Path | None, quiet: bool, no_wait: bool, chroma_url: str | None
) -> None:
    """Turn a folder of source documents into cited policy briefings, offline.

    Exit codes: 0 success; 1 an error in the input or state, printed as one line; 2 a usage
    error; 3 an unsupported statement under --policy fail; 4 another process is writing (with
    --no-wait)."""
    ctx.ensure_object(dict).update(root=root, quiet=quiet, no_wait=no_wait, chroma_url=chroma_url)


@cli.command()
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the sync report as JSON.")
@click.option(
    "--yes", is_flag=True, help="Make PATH the corpus even if indexed documents leave the index."
)
@click.pass_context
def ingest(ctx: click.Context, path: Path | None, as_json: bool, yes: bool) -> None:
    """Index the corpus folder (default: corpus/), re-embedding only what changed.

    With PATH, index that folder instead; if documents of the indexed corpus would leave the
    index, say how many and ask (or pass --yes)."""
    project = _project(ctx)
    switch = yes
    if path is not None and not yes and sys.stdin.isatty() and not as_json:
        leaving = project.switch_cost(path)
        switch = not leaving or click.confirm(
            f"Make {path} the corpus? {leaving} indexed document(s) leave the index", default=False
        )
    with _progress(ctx, "embedding") as progress:
        report = project.ingest(path, progress, switch=switch)
    if as_json:
        _echo_json(report.to_dict())
        return
    _print_sync(ctx, report)


def _print_sync(ctx: click.Context, report: SyncReport) -> None:
    for label, items in (
        ("added", report.added),
        ("updated", report.updated),
        ("removed", report.removed),
    ):
        for item in items:
            _say(ctx, f"{label:>8}  {item}")
    for item, reason in report.skipped.items():
        _say(ctx, f"{'skipped':>8}  {item}: {reason}")
    if report.ignored:
        _say(ctx, f"{'ignored':>8}  {len(report.ignored)} file(s) of unsupported types")
    _say(
        ctx,
        f"{report.documents} documents, {report.chunks} chunks indexed; "
        f"{report.embedded} chunks and {report.sentences} sentences embedded in this run, "
        f"{report.unchanged} documents unchanged.",
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Show documents, chunks, model, index location and what is out of date."""
    project = _project(ctx)
    state = project.status()
    index = state.index
    diff = index.diff
    if as_json:
        _echo_json({**state.to_dict(), "briefings": project.shelf.states()})
        return
    click.echo(f"project    {state.root}")
    click.echo(f"corpus     {state.corpus}")
    click.echo(f"index      {index.location}")
    click.echo(f"model      {index.model_id}")
    click.echo(f"documents  {index.documents} ({index.chunks} chunks)")
    if index.up_to_date:
        click.echo("index is up to date with the corpus")
    else:
        click.echo("out of date (run `brief ingest`):")
        if index.settings_changed:
            click.echo("  model or chunking settings changed: everything will be re-indexed")
        for label, items in (
            ("new", diff.new),
            ("modified", diff.modified),
            ("removed", diff.removed),
        ):
            for item in items:
                click.echo(f"  {label:<9}{item}")
    for item, reason in index.skipped.items():
        click.echo(f"skipped    {item}: {reason}")
    if not state.briefings:
        click.echo("briefings  none")
    for briefing in project.shelf.states():
        name = briefing["name"]
        if briefing["current"]:
            click.echo(f"briefing   {name}: current")
        else:
            click.echo(f"briefing   {name}: stale ({'; '.join(briefing['reasons'])})")


def _print_sources(sources: Sequence[Source]) -> None:
    from policybrief.rendering import end_sentence, format_date

    click.echo("\nSources:")
    for source in sources:
        info = source.document
        pages = f", p. {', '.join(map(str, source.pages))}" if source.pages else ""
        click.echo(
            f"[{source.number}] {end_sentence(info.title)} {info.source or 'Source not stated'}, "
            f"{format_date(info.published)}. {info.path}{pages}"
        )


def _print_stream(events: Iterator[Statement | Notice | Answer]) -> None:
    """Print verified statements as they arrive, numbering sources by first citation."""
    from policybrief.drafting import Notice
    from policybrief.rendering import cite
    from policybrief.types import Answer

    numbers: dict[str, int] = {}
    for event in events:
        if isinstance(event, Notice):
            click.echo(f"note: {event.text}", err=True)
        elif isinstance(event, Answer):
            if event.unmatched:
                click.echo(event.unmatched)
            elif not event.found:
                click.echo("The sources do not answer this question.")
            for gap in event.missing:
                click.echo(f"Not answered: {gap.question} ({gap.reason})")
            if event.found:
                _print_sources(event.sources)
            if event.unsupported:
                click.echo(
                    f"\nverification: {event.unsupported} statement(s) not supported by their "
                    "cited source were left out or flagged",
                    err=True,
                )
        else:
            for citation in event.citations:
                numbers.setdefault(citation.doc_id, len(numbers) + 1)
            cited = cite(sorted({numbers[c.doc_id] for c in event.citations}))
            flag = (
                ""
                if event.verdict and event.verdict.supported
                else (
                    f"  [UNSUPPORTED: {event.verdict.reason if event.verdict else 'not verified'}]"
                )
            )
            click.echo(f"- {event.text} {cited}{flag}")


def _interactive(
    project: Project, *, mode: str | None, k: int | None, filters: Filters | None, first: str
) -> None:
    """The prompt loop of `brief ask -i`; the session logic lives in policybrief.interactive."""
    from policybrief.interactive import QUIT, Session

    history = project.state_dir / "ask_history"
    try:
        import readline

        if history.is_file():
            readline.read_history_file(history)
    except (ImportError, OSError):
        readline = None  # type: ignore[assignment]
    session = Session(project, mode=mode, k=k, filters=filters)
    click.echo("policybrief: ask a question, /help for commands, /quit to leave.")
    pending = [first] if first else []
    while True:
        try:
            line = pending.pop() if pending else input("ask> ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            break
        line = line.strip()
        if not line:
            continue
        try:
            if line.startswith("/"):
                reply = session.command(line)
                if reply is QUIT:
                    break
                click.echo(reply)
            else:
                _print_stream(session.ask(line))
        except PolicybriefError as exc:
            click.echo(f"error: {exc}", err=True)
    if readline is not None:
        history.parent.mkdir(parents=True, exist_ok=True)
        readline.write_history_file(history)


def generation_options(command: F) -> F:
    """Flags that choose the generator and the verification policy for one run."""
    from policybrief.citations import POLICIES
    from policybrief.llm import LLM_BACKENDS

    for option in reversed(
        (
            click.option(
                "--backend",
                type=click.Choice(("extractive", *LLM_BACKENDS)),
                help="Generator (default: [generation] backend, else extractive).",
            ),
            click.option("--model", help="Model name on the LLM server."),
            click.option("--base-url", help="LLM server URL."),
            click.option(
                "--policy",
                type=click.Choice(POLICIES),
                help="What to do with unsupported statements (default: drop).",
            ),
        )
    ):
        command = option(command)
    return command


def filter_options(command: F) -> F:
    """The date, source and path filters shared by commands that retrieve."""
    for option in reversed(
        (
            click.option("--since", help="Only documents published on or after this date."),
            click.option("--until", help="Only documents published on or before this date."),
            click.option(
                "--source",
                "sources",
                multiple=True,
                help="Only documents whose source contains this text (repeatable).",
            ),
            click.option(
                "--path",
                "paths",
                multiple=True,
                help="Only documents whose corpus path matches this glob (repeatable).",
            ),
        )
    ):
        command = option(command)
    return command


@cli.command()
@click.argument("question", required=False, default="")
@click.option("-k", "--top-k", type=click.IntRange(1, 100), help="Passages to retrieve.")
@click.option("--mode", type=click.Choice(MODES), help="Retrieval mode (default: from config).")
@filter_options
@generation_options
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable result.")
@click.option(
    "-i",
    "--interactive",
    is_flag=True,
    help="Keep the model and index loaded and take questions and /commands at a prompt.",
)
@click.pass_context
def ask(
    ctx: click.Context,
    /,
    question: str,
    top_k: int | None,
    mode: str | None,
    since: str | None,
    until: str | None,
    sources: tuple[str, ...],
    paths: tuple[str, ...],
    as_json: bool,
    interactive: bool,
    **generation: Any,
) -> None:
    """Answer QUESTION from the corpus, citing the passages it rests on (QUESTION may be left
    out with -i).

    With an LLM backend the answer streams in sentence by sentence, each shown only after it
    has been checked against the passage it cites."""
    from policybrief.types import Filters

    filters = Filters(_date_option(since), _date_option(until), sources, paths)
    project = _project(ctx, **generation)
    if interactive:
        _interactive(project, mode=mode, k=top_k, filters=filters, first=question)
        return
    if not question:
        raise click.UsageError("a QUESTION is needed (or -i for an interactive session)")
    if as_json:
        _echo_json(project.ask(question, k=top_k, filters=filters, mode=mode).to_dict())
    else:
        _print_stream(project.ask_stream(question, k=top_k, filters=filters, mode=mode))


@cli.command()
@click.argument("name")
@click.option(
    "--format",
    "formats",
    help="Comma-separated outputs: md, html, pdf, docx (default: the spec's, else md,html).",
)
@generation_options
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@click.pass_context
def generate(
    ctx: click.Context, /, name: str, formats: str | None, as_json: bool, **generation: Any
) -> None:
    """Build the briefing NAME from briefings/NAME/spec.yaml."""
    chosen = formats.split(",") if formats else None
    with _progress(ctx, "writing sections") as progress:
        result = _project(ctx, **generation).generate(name, chosen, progress)
    if as_json:
        _echo_json(result.to_dict())
        return
    _report_build(ctx, result)


def _report_build(ctx: click.Context, result: GenerateResult) -> None:
    summary = result.to_dict()
    _say(
        ctx,
        f"{summary['statements']} statements from {summary['sources']} sources; "
        f"verification: {summary['supported']} supported, {summary['unsupported']} unsupported",
    )
    for heading, note in summary["notes"].items():
        _say(ctx, f"note: {heading}: {note}", err=True)
    if not result.written:
        _say(ctx, f"unchanged: {result.outputs['md']}")
        return
    for fmt, path in result.outputs.items():
        _say(ctx, f"wrote {fmt:<5} {path}")


@cli.command()
@click.argument("names", nargs=-1)
@click.option("--all", "rebuild_all", is_flag=True, help="Rebuild every section of every briefing.")
@click.option(
    "--dry-run", is_flag=True, help="Show what would be re-indexed and rebuilt; change nothing."
)
@generation_options
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.pass_context
def regenerate(
    ctx: click.Context,
    /,
    names: tuple[str, ...],
    rebuild_all: bool,
    dry_run: bool,
    as_json: bool,
    **generation: Any,
) -> None:
    """Sync the index, then rebuild only stale briefings (NAMES, default all), and in each only
    the sections whose evidence, questions or settings changed."""
    project = _project(ctx, **generation)
    with _progress(ctx, "regenerating") as progress:
        report = project.regenerate(
            names, rebuild_all=rebuild_all, dry_run=dry_run, progress=progress
        )
    if as_json:
        _echo_json(report.to_dict())
    else:
        _print_regenerate(ctx, report, dry_run)


def _print_regenerate(ctx: click.Context, report: RegenerateReport, dry_run: bool) -> None:
    if report.pending is not None and not report.pending.up_to_date:
        diff = report.pending.diff
        click.echo(
            f"index: would re-index {len(diff.new)} new, {len(diff.modified)} changed and "
            f"remove {len(diff.removed)} documents (briefings are checked against the index "
            "as it is now)"
        )
    elif report.sync is not None:
        sync = report.sync
        _say(
            ctx,
            f"index: {len(sync.added)} added, {len(sync.updated)} updated, "
            f"{len(sync.removed)} removed; {sync.embedded} chunks and {sync.sentences} sentences "
            "embedded",
        )
        for item, reason in sync.skipped.items():
            click.echo(f"skipped: {item}: {reason}")
    for state in report.states:
        if state.current:
            _say(ctx, f"{state.name}: current")
            continue
        verb = "would rebuild" if dry_run else "rebuilt"
        headings = ", ".join(f"#{i + 1}" for i in sorted(state.rebuild)) or "none (re-render only)"
        click.echo(f"{state.name}: {verb} sections {headings}; {'; '.join(state.reasons)}")
        result = report.results.get(state.name)
        if result is not None and result.written:
            _say(ctx, f"  wrote {result.outputs['md']}")


@cli.command()
@click.argument("name")
@click.option("--from", "from_version", help="An archived version (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@click.pass_context
def diff(ctx: click.Context, name: str, from_version: str | None, as_json: bool) -> None:
    """Show what changed in briefing NAME since an earlier version: statements and sources
    added and removed, per section."""
    from policybrief.freshness import changes_view

    version, changes = _project(ctx).diff(name, from_version)
    if as_json:
        _echo_json({"from": version, "changes": changes_view(changes)})
        return
    click.echo(f"{name}: changes since {version}")
    if all(change.empty for change in changes):
        click.echo("no changes")
    for change in changes:
        if change.empty:
            continue
        click.echo(f"\n## {change.heading}")
        for text in change.added:
            click.echo(f"+ {text}")
        for text in change.removed:
            click.echo(f"- {text}")
        for title in change.sources_added:
            click.echo(f"+ source: {title}")
        for title in change.sources_removed:
            click.echo(f"- source: {title}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8765, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve a web page, a JSON API (/api) and the MCP tools (/mcp), with the model and index
    kept warm. Any host but loopback needs the token printed at start; writes always do."""
    from policybrief.serving import serve as run

    run(_project(ctx), host, port, click.echo)


@cli.command()
@click.pass_context
def mcp(ctx: click.Context) -> None:
    """Serve the project's answers as MCP tools on stdin/stdout (ask, search, list_briefings,
    get_briefing), each statement with its citations."""
    from policybrief.mcp_tools import run_stdio

    run_stdio(_project(ctx))


@cli.command()
@click.option(
    "--debounce",
    type=click.FloatRange(0.1),
    default=2.0,
    show_default=True,
    help="Seconds of quiet after a change before regenerating.",
)
@click.pass_context
def watch(ctx: click.Context, debounce: float) -> None:
    """Watch the corpus, specs and templates; regenerate stale briefings after each burst of
    changes. Stop with Ctrl-C."""
    from policybrief.watching import Watcher

    project = _project(ctx)
    watcher = Watcher(
        project,
        debounce=debounce,
        on_run=lambda report: _print_regenerate(ctx, report, dry_run=False),
        on_error=lambda message: click.echo(f"error: {message}", err=True),
    )
    click.echo(
        f"watching {project.corpus_dir}, {project.briefings_dir} and templates (Ctrl-C stops)"
    )
    try:
        watcher.watch()
    except KeyboardInterrupt:
        click.echo("stopped")


@cli.command()
@click.option("--repair", is_flag=True, help="Fix what disagrees (takes the write lock).")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_context
def doctor(ctx: click.Context, repair: bool, as_json: bool) -> None:
    """Check that the vector store, the keyword index, the catalog and briefing locks agree;
    --repair makes them agree, then checks again. Exit code 1 if problems remain."""
    project = _project(ctx)
    report = project.doctor(repair=repair)
    problems = report.problems
    # After repairing, check again: the exit code says what remains, not what was tried.
    remaining = project.doctor(repair=False).problems if repair and problems else []
    if as_json:
        _echo_json({**report.to_dict(), "remaining": remaining})
    elif not problems:
        click.echo("index, keyword index, catalog and locks agree")
    else:
        verb = "repaired" if repair else "found"
        for problem in problems:
            click.echo(f"{verb}: {problem}")
        for problem in remaining:
            click.echo(f"still: {problem}")
        if not repair:
            click.echo("run `brief doctor --repair` to fix these")
    if (problems and not repair) or remaining:
        sys.exit(EXIT_ERROR)


@cli.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path | None) -> None:
    """Create a project in FOLDER (default: the current one): corpus/, an example briefing
    spec, templates/ and a brief.toml that documents every setting."""
    from policybrief.scaffold import init_project

    target = folder or Path.cwd()
    created, present = init_project(target)
    for path in created:
        click.echo(f"created  {path}")
    for path in present:
        click.echo(f"kept     {path} (already there)")
    click.echo(
        f"next: put documents in {target / 'corpus'}, then `brief ingest` and "
        "`brief generate example`"
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the templates as JSON.")
@click.pass_context
def templates(ctx: click.Context, as_json: bool) -> None:
    """List the briefing templates a spec can name: shipped ones and the project's own."""
    from policybrief.rendering import available_templates

    found = available_templates(_project(ctx).templates_dir)
    if as_json:
        _echo_json([t.to_dict() for t in found])
        return
    for template in found:
        formats = ",".join(template.formats)
        click.echo(f"{template.name:<12} {formats:<9} {template.origin:<28} {template.description}")


@cli.command()
@click.argument("items", nargs=-1, required=True)
@click.option("--title", help="The item's title (one item only).")
@click.option(
    "--published", callback=lambda _c, _p, v: _date_option(v), help="Its date, YYYY-MM-DD."
)
@click.option("--source", "publisher", help="Its publisher.")
@click.option("--url", help="Where it was published.")
@click.option("--json", "as_json", is_flag=True, help="Print what was added as JSON.")
@click.pass_context
def add(
    ctx: click.Context,
    items: tuple[str, ...],
    title: str | None,
    published: date | None,
    publisher: str | None,
    url: str | None,
    as_json: bool,
) -> None:
    """Add files (copied into the corpus) or web pages (fetched, saved as Markdown with their
    title, date and publisher) to the corpus, then index them. ITEMS are paths or URLs.

    --title, --published, --source and --url describe the items, for files such as PDFs that
    do not say it themselves: they are kept in a sidecar beside each file (report.pdf.yaml)
    and win over the file's own metadata. Give them for a file already in the corpus to
    describe it."""
    project = _project(ctx)
    described = {
        "title": title or "",
        "published": published.isoformat() if published else "",
        "source": publisher or "",
        "url": url or "",
    }
    with _progress(ctx, "embedding") as progress:
        report = project.add(items, progress, described)
    if as_json:
        _echo_json(report.to_dict())
        return
    for path in report.added:
        click.echo(f"added    {path}")
    for item in report.already:
        click.echo(f"present  {item} (the corpus already has this content)")
    for sidecar in report.described:
        click.echo(f"described {sidecar}")
    _print_sync(ctx, report.sync)


@cli.group(name="eval")
def eval_group() -> None:
    """Measure the quality of retrieval on labelled data."""


@eval_group.command(name="retrieval")
@click.option(
    "--beir",
    "beir_dir",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A BEIR-format folder: corpus.jsonl, queries.jsonl, qrels/<split>.tsv.",
)
@click.option("--split", default="train", show_default=True, help="Which qrels file to score.")
@click.option(
    "--modes",
    default=",".join(MODES),
    show_default=True,
    help="Comma-separated retrieval modes to compare in one run.",
)
@click.option("--max-docs", type=click.IntRange(1), help="Evaluate on a slice of the corpus.")
@click.option("--max-queries", type=click.IntRange(1), help="Evaluate on the first N queries.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option(
    "--output",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the figures to this JSON file.",
)
@click.pass_context
def eval_retrieval(
    ctx: click.Context,
    beir_dir: Path,
    split: str,
    modes: str,
    max_docs: int | None,
    max_queries: int | None,
    as_json: bool,
    json_path: Path | None,
) -> None:
    """Index a BEIR dataset with the real pipeline and print nDCG@10, Recall@100 and MRR@10
    for each retrieval mode side by side. The index is cached: a second run embeds nothing."""
    chosen = [m.strip() for m in modes.split(",") if m.strip()]
    unknown = sorted(set(chosen) - set(MODES))
    if unknown:
        raise click.BadParameter(f"unknown mode(s) {', '.join(unknown)}", param_hint="--modes")
    with _progress(ctx, "embedding corpus") as progress:
        report = _project(ctx).evaluate_retrieval(
            beir_dir,
            split=split,
            modes=chosen,
            max_docs=max_docs,
            max_queries=max_queries,
            progress=progress,
        )
    if json_path is not None:
        json_path.write_text(json.dumps(report.to_dict(), indent=2) + "\n", "utf-8")
    if as_json:
        _echo_json(report.to_dict())
        return
    click.echo(
        f"{report.dataset} ({report.split}): {report.documents} documents, {report.chunks} "
        f"chunks, {report.queries} queries; indexing {report.index_seconds} s "
        f"({report.embedded} chunks embedded)"
    )
    click.echo(f"{'mode':<9}{'nDCG@10':>9}{'R@100':>9}{'MRR@10':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for row in report.modes:
        click.echo(
            f"{row.mode:<9}{row.ndcg_10:>9.4f}{row.recall_100:>9.4f}{row.mrr_10:>9.4f}"
            f"{row.latency_p50_ms:>9.1f}{row.latency_p95_ms:>9.1f}"
        )


def main() -> None:
    cli(prog_name="brief")
