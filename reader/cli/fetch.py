"""Getting abstracts from arXiv and letting them go: `reader fetch`, `reader subscribe`,
`reader unsubscribe`, `reader subscriptions`, `reader rm`.

The work is the core's (`reader.core.arxiv`); this module reads the options, shows
progress on stderr, and ends with one line per fetch. Exit status 1 when a fetch
failed or an id was not found (what came before is kept), 130 on ctrl+c.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import click

from reader.cli.annotate import CONFIRM_OVER, change_targets
from reader.cli.common import State, UserError, pass_state, plural, user_errors, utf8
from reader.core.arxiv.queries import Search, category_search, id_searches, query_search
from reader.core.arxiv.subscriptions import FIRST_DAYS, Subscription

if TYPE_CHECKING:
    from reader.core.arxiv.fetch import Fetched

DEFAULT_MAX = 100
"""Results of `--query` or `--category` taken when --max is not given."""


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.command("fetch")
@click.argument("ids", nargs=-1, metavar="[ID|URL]...", callback=utf8("id"))
@click.option("--query", metavar="Q", callback=utf8("query"), help="An arXiv API query.")
@click.option("--category", "categories", multiple=True, metavar="CAT", help="e.g. cs.CL")
@click.option(
    "--since", callback=_day, metavar="DATE", help="Submitted from DATE on (default: 7 days ago)."
)
@click.option(
    "--max",
    "limit",
    type=int,
    metavar="N",
    help="At most N results (default 100; for subscriptions 2,000 each).",
)
@click.option("--api-url", metavar="URL", help="The API (default $READER_ARXIV_API, else arXiv).")
@pass_state
def fetch(
    state: State,
    ids: tuple[str, ...],
    query: str | None,
    categories: tuple[str, ...],
    since: date | None,
    limit: int | None,
    api_url: str | None,
) -> None:
    """Fetch abstracts from the arXiv API into the library.

    \b
    reader fetch 2306.10015 2305.11374v2       ids or arXiv URLs
    reader fetch --query 'ti:"chain of thought" AND cat:cs.CL' --max 200
    reader fetch --category cs.CL --category cs.LG --since 2026-11-20
    reader fetch                               every subscription, since its last fetch

    At most one request every 3 seconds (arXiv's terms). A known abstract is updated
    (its text, version, fields); your statuses, tags and notes on it stay.
    """
    # here, not at the top: the HTTP client and feedparser take a quarter of a second
    # to import, which every other command (and the app) would pay
    from reader.core.arxiv.client import Client, Settings, SharedTurns
    from reader.core.arxiv.fetch import (
        SUBSCRIPTION_LIMIT,
        describe,
        fetch_all,
        fetch_subscriptions,
    )

    modes = sum(map(bool, (ids, query is not None, categories)))
    if modes > 1:
        raise click.UsageError("give ids, --query or --category, one of them")
    if ids and (since is not None or limit is not None):
        raise click.UsageError("--since and --max go with --query, --category or subscriptions")
    with user_errors():
        settings = Settings.from_env(api_url)
        searches: list[Search] = []
        if ids:
            searches = id_searches(ids)
        elif query is not None:
            searches = [query_search(query, DEFAULT_MAX if limit is None else limit, since)]
        elif categories:
            start = since or _today() - timedelta(days=FIRST_DAYS)
            searches = [category_search(categories, start, DEFAULT_MAX if limit is None else limit)]
        elif since:
            raise click.UsageError("--since goes with --query or --category")
    library = state.library()
    if library.read_only:
        raise UserError("this library is open read-only; nothing was fetched")
    client = Client(settings, shared=SharedTurns.for_api(settings.api_url))
    last: list[Fetched] = []

    def progress(done: Fetched) -> None:
        if not last or last[-1] is not done:
            last.append(done)
        total = f" of {done.total:,}" if done.total is not None else ""
        click.echo(f"{done.label}: {done.received:,}{total} received", err=True)

    try:
        if searches:
            reports = fetch_all(library, client, searches, progress)
        else:
            if not library.subscriptions.all():
                raise UserError(
                    "no subscriptions: give ids, --query or --category, or subscribe "
                    "first (reader subscribe cs.CL)"
                )
            with user_errors():
                reports = fetch_subscriptions(
                    library,
                    client,
                    SUBSCRIPTION_LIMIT if limit is None else limit,
                    progress=progress,
                )
    except KeyboardInterrupt:
        kept = describe(last) if last else "nothing"
        click.echo(f"interrupted; kept what came before: {kept}", err=True)
        sys.exit(130)
    failed = False
    for report in reports:
        if report.received or not report.error:  # else the error line says it all
            click.echo(report.summary(), err=not report.ok)
        for problem in report.problems:
            click.echo(f"  warning: {problem}", err=True)
        failed = failed or not report.ok
    if len(reports) > 1:
        click.echo(f"in all: {describe(reports)}")
    if failed:
        raise UserError(next(_failure(r) for r in reports if not r.ok))


def _failure(report: Fetched) -> str:
    if report.error:
        return f"{report.label}: {report.error}"
    return f"not found on arXiv: {', '.join(report.missing)}"


def _today() -> date:
    return datetime.now(UTC).date()


@click.command()
@click.argument("categories", nargs=-1, metavar="[CATEGORY]...")
@click.option("--query", metavar="Q", callback=utf8("query"), help="An arXiv API query.")
@pass_state
def subscribe(state: State, categories: tuple[str, ...], query: str | None) -> None:
    """Subscribe to arXiv categories (cs.CL) or an API query; plain `reader fetch`
    then brings what is new in each (the first time, the last 7 days). With
    nothing, lists the subscriptions."""
    with user_errors():
        wanted = [Subscription.category(c) for c in categories]
        if query is not None:
            wanted.append(Subscription.query(query))
    if not wanted:
        _list(state)
        return
    new = state.library().subscriptions.add(wanted)
    for subscription in wanted:
        known = "" if subscription in new else " (already)"
        click.echo(f"subscribed to {subscription.label}{known}")


@click.command()
@click.argument("categories", nargs=-1, metavar="[CATEGORY]...")
@click.option("--query", metavar="Q", callback=utf8("query"), help="The query subscribed to.")
@pass_state
def unsubscribe(state: State, categories: tuple[str, ...], query: str | None) -> None:
    """Stop fetching these categories (or this query). The abstracts stay."""
    with user_errors():
        gone = [Subscription.category(c) for c in categories]
        if query is not None:
            gone.append(Subscription.query(query))
    if not gone:
        raise click.UsageError("give the categories, or --query Q, to unsubscribe from")
    for subscription in state.library().subscriptions.remove(gone):
        click.echo(f"unsubscribed from {subscription.label}")


@click.command()
@pass_state
def subscriptions(state: State) -> None:
    """List the subscriptions with the day each was last fetched."""
    _list(state)


def _list(state: State) -> None:
    found = state.library().subscriptions.all()
    if not found:
        click.echo("no subscriptions (add one with `reader subscribe cs.CL`)", err=True)
    for subscription in found:
        click.echo(f"{subscription.label}  (last fetched: {subscription.fetched or 'never'})")


@click.command("rm")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--query", metavar="QUERY", callback=utf8("query"), help="Remove every match.")
@click.option("--yes", is_flag=True, help=f"Do not ask before removing more than {CONFIRM_OVER}.")
@pass_state
def rm(state: State, ids: tuple[str, ...], query: str | None, yes: bool) -> None:
    """Remove abstracts from the library.

    Your statuses, tags and notes on them are kept: importing or fetching the same
    ids again brings them back with the abstracts.
    """
    library = state.library()
    found = change_targets(library, ids, query, yes, verb="Remove")
    if query is None and len(found) > CONFIRM_OVER and not yes:
        click.confirm(f"Remove all {len(found)}?", abort=True, err=True)
    change = library.remove(found)
    kept = sum(1 for key in change.ids if not library.annotation(key).is_empty)
    line = f"removed {plural(change.count, 'abstract')}"
    if kept:
        line += f" (your annotations on {kept} are kept: fetch or import them again to see them)"
    click.echo(line)
