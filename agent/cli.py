"""The ``tactful`` command line. Errors become one clear message and a non-zero exit code here, nowhere else."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Optional, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from agent.config import TactfulConfig, load_config
from agent.errors import BadInput, ConfigError, ServiceUnavailable, TactfulError

app = typer.Typer(help="Tactful: an honest, kind, grounded customer-service assistant.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
out = Console()
err = Console(stderr=True)
T = TypeVar("T")

EXIT_CODES = {ConfigError: 2, BadInput: 2, ServiceUnavailable: 3}
ConfigOption = typer.Option(None, "--config", "-c", help="A tactful.yaml file. Default: ./tactful.yaml if present, "
                            "else $TACTFUL_CONFIG, else the built-in demo bakery.")


_verbose = False


def _config(path: Optional[Path]) -> TactfulConfig:
    """The configuration (``--config``, else ./tactful.yaml, else $TACTFUL_CONFIG or the demo), with its logging."""
    from agent.logs import configure_logging

    if path is None and Path("tactful.yaml").exists():
        path = Path("tactful.yaml")
    config = load_config(path)
    configure_logging("INFO" if _verbose else config.logging.level, as_json=config.logging.format == "json",
                      file=config.logging.file)
    return config


def _run(action: Callable[[], T]) -> T:
    """Run a command body, turning Tactful's errors into a message and an exit code."""
    try:
        return action()
    except TactfulError as exc:
        code = next((c for kind, c in EXIT_CODES.items() if isinstance(exc, kind)), 1)
        err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
        raise typer.Exit(code) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@app.callback()
def _main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Show informational logs.")) -> None:
    from agent.logs import configure_logging

    global _verbose
    _verbose = verbose
    configure_logging("INFO" if verbose else "WARNING", as_json=False)  # until a command reads its configuration


@app.command()
def ingest(paths: list[Path] = typer.Argument(None, help="Files or folders; default: the configured sources."),
           config: Optional[Path] = ConfigOption) -> None:
    """Index documents (Markdown, text, HTML, PDF, FAQ CSV/JSONL). Unchanged documents are skipped."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from agent.assembly import ingest_sources, open_knowledge

    def body() -> None:
        cfg = _config(config)
        for p in paths or []:
            if not p.exists():
                raise BadInput(f"{p}: no such file or folder. Check the path and try again.")
        knowledge = open_knowledge(cfg)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=True) as progress:
            tasks: dict[str, int] = {}

            def on_progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = progress.add_task(stage, total=total)
                progress.update(tasks[stage], completed=done, total=total)

            report = ingest_sources(cfg, knowledge, list(paths or []) or None, on_progress)
        out.print(f"[bold]Indexed[/] into collection [cyan]{cfg.collection_name}[/] in {report.seconds:.1f} s: "
                  f"{report.added_documents} added, {report.updated_documents} updated, "
                  f"{report.unchanged_documents} unchanged, {report.removed_documents} removed; "
                  f"{report.chunks_indexed} chunks embedded.")
        for skipped in report.skipped:
            out.print(f"  [yellow]skipped[/] {escape(str(skipped.path))}: {escape(skipped.reason)}", highlight=False)

    _run(body)


def _argument_text(text: str) -> str:
    """A command-line argument as text: bytes the shell passed that are not UTF-8 (which Python hands over as
    lone surrogates) become U+FFFD, so nothing later fails to print or store them."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


def _print_sources(reply) -> None:
    if reply.sources:
        out.print("[dim]Sources:[/] " + "; ".join(f"{s.doc_id} ({s.label})" for s in reply.sources),
                  highlight=False)


@app.command()
def ask(question: str = typer.Argument(..., help="The customer's question."),
        config: Optional[Path] = ConfigOption) -> None:
    """Answer one question and show the sources it came from."""
    from agent.assembly import build_agent

    def body() -> None:
        agent = build_agent(config=_config(config))
        stream = agent.respond_stream(_argument_text(question), channel="cli")
        for piece in stream:
            out.print(piece, end="", highlight=False, markup=False, soft_wrap=True)
        out.print()
        _print_sources(stream.reply)

    _run(body)


@app.command()
def chat(config: Optional[Path] = ConfigOption,
         conversation: Optional[str] = typer.Option(None, "--conversation",
                                                    help="Continue this conversation (its id) instead of a new one.")
         ) -> None:
    """A conversation in the terminal, as a customer would have it. Empty line or Ctrl-D to leave."""
    from agent.assembly import build_agent

    def body() -> None:
        cfg = _config(config)
        agent = build_agent(config=cfg)
        out.print(f"[bold]{cfg.business.name}[/]: you are chatting with an automated assistant "
                  f"([dim]{cfg.llm.provider} model[/]). Press Enter on an empty line to leave.\n")
        conversation_id = conversation
        if conversation and agent.store.get_conversation(conversation, agent.config.collection_name) is None:
            raise BadInput(f"there is no conversation {conversation!r}; leave out --conversation to start one.")
        seen = 0
        while True:
            if conversation_id:
                seen = _print_person_messages(agent, conversation_id, seen)
            try:
                question = out.input("[bold green]you>[/] ")
            except EOFError:
                break
            if not question.strip():
                break
            stream = agent.respond_stream(question, conversation_id, channel="cli")
            pieces = iter(stream)
            first = next(pieces, "")
            if first:  # nothing at all while a person has the conversation: the assistant stays silent
                out.print("[bold cyan]bot>[/] ", end="")
                out.print(first, end="", highlight=False, markup=False, soft_wrap=True)
                for piece in pieces:
                    out.print(piece, end="", highlight=False, markup=False, soft_wrap=True)
                out.print()
            _print_sources(stream.reply)
            out.print()
            conversation_id = stream.reply.conversation_id
        if conversation_id:
            _ask_rating(agent, conversation_id)
        out.print("Goodbye.")

    _run(body)


def _print_person_messages(agent, conversation_id: str, seen: int) -> int:
    """Show what a person from the business wrote since ``seen``; returns the last turn number shown."""
    for turn in agent.store.turns(conversation_id):
        if turn.seq > seen and turn.role == "agent":
            out.print(f"[bold magenta]{turn.meta.get('agent_name', 'team')} (a person)>[/] ", end="", highlight=False)
            out.print(turn.text, highlight=False, markup=False)
        seen = max(seen, turn.seq)
    return seen


def _ask_rating(agent, conversation_id: str) -> None:
    try:
        answer = out.input("How did we do? Rate 1 (poor) to 5 (great), or press Enter to skip: ").strip()
    except EOFError:
        return
    if not answer:
        return
    if answer not in {"1", "2", "3", "4", "5"}:
        out.print("That isn't a number from 1 to 5, so no rating was saved.")
        return
    try:
        comment = out.input("Anything to add? (Enter to skip) ")
    except EOFError:
        comment = ""
    agent.rate(conversation_id, int(answer), comment)
    out.print("Thank you, your rating is saved.")


@app.command()
def serve(config: Optional[Path] = ConfigOption,
          host: Optional[str] = typer.Option(None, help="Address to listen on (default: server.host, 127.0.0.1)."),
          port: Optional[int] = typer.Option(None, min=1, max=65535, help="Port (default: server.port, 7860)."),
          workers: Optional[int] = typer.Option(None, min=1, max=64, help="Processes (default: server.workers, 1). "
                                                "Above 1: the REST API and channels only; the web pages need one.")
          ) -> None:
    """The web demo: customer chat at /, team console at /console, REST API under /v1 (docs at /docs)."""
    from agent.assembly import build_agent, ingest_sources, open_knowledge
    from agent.server import serve as run_server
    from agent.server import serve_workers
    from agent.tenants import build_tenants, tenant_configs

    def body() -> None:
        cfg = _config(config)
        where = f"http://{host or cfg.server.host}:{port or cfg.server.port}"
        count = workers or cfg.server.workers
        if count > 1:
            for each in [cfg, *tenant_configs(cfg).values()]:  # index once here, not in every worker at once
                knowledge = open_knowledge(each)
                if knowledge.is_empty():
                    ingest_sources(each, knowledge)
            out.print(f"[bold]{cfg.business.name}[/]: REST API {where}/docs on {count} workers "
                      f"([dim]{cfg.llm.provider} model; web pages need --workers 1[/]). Ctrl-C to stop.",
                      highlight=False)
            config_path = config or (Path("tactful.yaml") if Path("tactful.yaml").exists() else None)
            serve_workers(str(config_path) if config_path else None, host or cfg.server.host,
                          port or cfg.server.port, count)
            return
        agent = build_agent(config=cfg)
        tenants = build_tenants(cfg, agent)
        out.print(f"[bold]{cfg.business.name}[/]: customer chat {where}/ · team console {where}/console · "
                  f"API {where}/docs ([dim]{cfg.llm.provider} model[/]). Ctrl-C to stop.", highlight=False)
        for slug, tenant in tenants.items():
            out.print(f"[bold]{tenant.config.business.name}[/]: {where}/t/{slug}/ · {where}/t/{slug}/console · "
                      f"{where}/t/{slug}/docs", highlight=False)
        run_server(agent, host or cfg.server.host, port or cfg.server.port, tenants)

    _run(body)


@app.command()
def guard(given: str = typer.Argument(..., metavar="TEXT", help="A customer message or a reply to check."),
          side: str = typer.Option("both", help="Which rails: input (customer message), output (reply) or both."),
          as_json: bool = typer.Option(False, "--json", help="Print the verdicts as JSON."),
          config: Optional[Path] = ConfigOption) -> None:
    """Run the guardrails on a text and print every verdict (no model, no knowledge base needed)."""
    import json

    from rich.table import Table

    from guardrails.pipeline import RailPipeline
    from guardrails.sentences import split_sentences
    from guardrails.tone import ToneLimits

    def body() -> None:
        if side not in ("input", "output", "both"):
            raise BadInput(f"--side must be input, output or both, not {side!r}.")
        cfg = _config(config)
        text = _argument_text(given)
        tone = cfg.guardrails.tone
        pipeline = RailPipeline(cfg.guardrails.input, cfg.guardrails.output,
                                ToneLimits(max_exclamations_per_reply=tone.max_exclamations_per_reply,
                                           max_emoji=tone.max_emoji, allow_pet_names=tone.allow_pet_names,
                                           max_apologies=tone.max_apologies))
        results: dict[str, object] = {}
        if side in ("input", "both"):
            checked = pipeline.check_input(text)
            results["input"] = {"text": checked.text, "verdicts": [v.to_dict() for v in checked.verdicts]}
        if side in ("output", "both"):
            output_guard = pipeline.output_guard()
            shown, verdicts = [], []
            for sentence in split_sentences(text):
                kept, found = output_guard.check(sentence)
                verdicts.extend(found)
                if kept:
                    shown.append(kept)
            results["output"] = {"text": " ".join(shown), "verdicts": [v.to_dict() for v in verdicts
                                                                       if v.action != "allow"]}
        if as_json:
            out.print_json(json.dumps(results))
            return
        for name, result in results.items():
            table = Table(title=f"{name} side", title_justify="left")
            for column in ("rail", "action", "category", "reason"):
                table.add_column(column)
            for v in result["verdicts"]:
                table.add_row(v["rail"], v["action"], v["category"] or "", escape(v["reason"]))
            out.print(table)
            out.print(f"[bold]{'redacted' if name == 'input' else 'as shown'}:[/] {escape(result['text'])}",
                      highlight=False)

    _run(body)


bench_app = typer.Typer(help="Measure Tactful: `tactful bench` (ingest, retrieval, model, memory), "
                        "`tactful bench load` (the API under load), `tactful bench turn` (per-turn time by index size).",
                        invoke_without_command=True)
app.add_typer(bench_app, name="bench")


@bench_app.callback()
def bench(ctx: typer.Context, config: Optional[Path] = ConfigOption,
          data: Path = typer.Option(Path("../shared/data/kb_rho_bank.jsonl"), help="Real documents to ingest."),
          synthetic_chunks: int = typer.Option(100_000, help="Size of the synthetic index for the latency run."),
          queries: int = typer.Option(200, help="Queries per latency measurement."),
          output: Path = typer.Option(Path("bench-results"), help="Folder for the JSON and Markdown results."),
          skip_model: bool = typer.Option(False, help="Skip the embedded-model measurements.")) -> None:
    """Measure ingest throughput, retrieval latency, model speed and peak memory."""
    if ctx.invoked_subcommand is not None:
        return
    from agent.bench import run_benchmarks

    _run(lambda: run_benchmarks(_config(config), data=data, synthetic_chunks=synthetic_chunks, queries=queries,
                                output=output, skip_model=skip_model, console=out))


def _numbers(text: str, option: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise BadInput(f"{option} takes whole numbers separated by commas, like 1,10,100; not {text!r}.") from None
    if not values or min(values) < 1:
        raise BadInput(f"{option} needs at least one number, each 1 or more; not {text!r}.")
    return values


@bench_app.command("load")
def bench_load_command(
        workers: str = typer.Option("1,2", help="Worker counts to measure, comma-separated."),
        concurrency: str = typer.Option("1,10,100", help="Concurrent conversations, comma-separated."),
        messages: int = typer.Option(1000, min=1, help="Messages per (workers, concurrency) run."),
        store_url: Optional[str] = typer.Option(None, help="Store URL (e.g. postgresql+psycopg://...); "
                                                "default: SQLite in a temporary folder."),
        chroma: Optional[str] = typer.Option(None, help="HOST:PORT of a Chroma server; default: embedded."),
        audit_messages: int = typer.Option(10_000, min=0, help="Messages in the lost/duplicated audit run (0: skip)."),
        audit_conversations: int = typer.Option(100, min=1, help="Conversations in the audit run."),
        audit_workers: int = typer.Option(2, min=1, help="Workers in the audit run."),
        max_seconds: float = typer.Option(600, min=1, help="Time limit of each run; messages stop at it."),
        output: Path = typer.Option(Path("bench-results"), help="Folder for load.json and load.md.")) -> None:
    """The REST API under load on loopback: turns/s, latency, memory per worker, nothing lost or duplicated."""
    from agent.bench_scale import bench_load, markdown, write_results

    def body() -> None:
        server = _chroma_address(chroma)
        results = bench_load(workers=_numbers(workers, "--workers"), concurrency=_numbers(concurrency, "--concurrency"),
                             messages=messages, store_url=store_url, chroma=server, audit_messages=audit_messages,
                             audit_conversations=audit_conversations, audit_workers=audit_workers,
                             max_seconds=max_seconds, console=out)
        where = write_results(results, output, "load")
        out.print(markdown(results), highlight=False, markup=False, soft_wrap=True)
        out.print(f"Results written to {where} and {where.with_suffix('.json')}")
        audit = results.get("audit") or {}
        if audit and (audit["lost"] or audit["duplicated"]):
            raise typer.Exit(1)

    _run(body)


@bench_app.command("soak")
def bench_soak_command(
        minutes: float = typer.Option(30.0, min=0.1, help="How long to run."),
        workers: int = typer.Option(2, min=1, max=64, help="Workers serving the API."),
        concurrency: int = typer.Option(10, min=1, help="Conversations at once."),
        store_url: Optional[str] = typer.Option(None, help="Store URL; default: SQLite in a temporary folder."),
        chroma: Optional[str] = typer.Option(None, help="HOST:PORT of a Chroma server; default: embedded."),
        sample_every: float = typer.Option(60.0, min=1, help="Seconds between memory samples."),
        output: Path = typer.Option(Path("bench-results"), help="Folder for soak.json and soak.md.")) -> None:
    """A bounded soak on loopback: mixed traffic and attacks; fails if a message is lost or memory grows."""
    from agent.bench_scale import bench_soak, markdown, write_results

    def body() -> None:
        results = bench_soak(minutes=minutes, workers=workers, concurrency=concurrency, store_url=store_url,
                             chroma=_chroma_address(chroma), sample_every_s=sample_every, console=out)
        where = write_results(results, output, "soak")
        out.print(markdown(results), highlight=False, markup=False, soft_wrap=True)
        out.print(f"Results written to {where} and {where.with_suffix('.json')}")
        s = results["soak"]
        if s["lost"] or s["duplicated"] or s["failed"] or not s["memory_flat"]:
            raise typer.Exit(1)

    _run(body)


def _chroma_address(chroma: Optional[str]) -> tuple[str, int] | None:
    if not chroma:
        return None
    host, _, port = chroma.rpartition(":")
    if not host or not port.isdigit():
        raise BadInput(f"--chroma takes HOST:PORT, like 127.0.0.1:8000; not {chroma!r}.")
    return host, int(port)


@bench_app.command("turn")
def bench_turn_command(config: Optional[Path] = ConfigOption,
                       chunks: str = typer.Option("1000,10000,100000", help="Synthetic chunks added, comma-separated."),
                       turns: int = typer.Option(200, min=10, help="Turns measured per size."),
                       output: Path = typer.Option(Path("bench-results"), help="Folder for turn.json and turn.md.")
                       ) -> None:
    """Per-turn time in one process (no HTTP, no model) as the knowledge base grows."""
    from agent.bench_scale import bench_turn, markdown, write_results

    def body() -> None:
        results = bench_turn(_config(config), sizes=_numbers(chunks, "--chunks"), turns=turns, console=out)
        where = write_results(results, output, "turn")
        out.print(markdown(results), highlight=False, markup=False, soft_wrap=True)
        out.print(f"Results written to {where} and {where.with_suffix('.json')}")

    _run(body)


def _add_plugins() -> None:
    """Sub-commands from other packages (``tactful eval`` from ``evals``), found through entry points, so
    ``agent`` never imports them."""
    from importlib.metadata import entry_points

    from agent.cli_accounts import customers_app
    from agent.cli_email import email_app
    from agent.cli_notify import notify
    from agent.cli_privacy import privacy_app
    from agent.cli_tickets import tickets_app

    app.add_typer(tickets_app, name="tickets")
    app.add_typer(privacy_app, name="privacy")
    app.add_typer(customers_app, name="customers")
    app.add_typer(email_app, name="email")
    app.command("notify")(notify)
    for point in entry_points(group="tactful.commands"):
        try:
            app.add_typer(point.load(), name=point.name)
        except ImportError as exc:  # a half-installed plug-in must not take the whole command line down
            logging.getLogger("tactful").warning("could not load the %r commands: %s", point.name, exc)


def main() -> None:
    app()


_add_plugins()


if __name__ == "__main__":
    main()
