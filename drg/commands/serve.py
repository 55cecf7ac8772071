"""`drg serve`: the coder's workbench (a web page and JSON API) on this machine.

Binds 127.0.0.1 unless told otherwise; the log says method, path, status and time only.
"""
from __future__ import annotations

import logging
import sys

import click

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="address to listen on; the default serves this machine only")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port")
def serve(host: str, port: int) -> None:
    """Run the workbench: open http://127.0.0.1:8000 in a browser.

    \b
    The JSON API (one claim in the golden JSON form per request):
      POST /api/group  /api/explain  /api/validate  /api/edit
      GET  /api/codes?q=J96.0  /api/versions  /api/drg/291?version=43.1
    """
    try:
        import uvicorn
        from drg.web.app import app
    except ModuleNotFoundError as exc:
        raise click.ClickException(f"drg serve needs the web extra ({exc.name} is missing): "
                                   "pip install 'drg-engine[web]'") from None
    if host not in LOOPBACK:
        click.echo(f"drg serve: listening on {host}, reachable from other machines; the workbench has no "
                   "login — serve it on a trusted network only", err=True)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    web_log = logging.getLogger("drg.web")
    web_log.addHandler(handler)
    web_log.setLevel(logging.INFO)
    _warm_up()
    click.echo(f"drg workbench on http://{host}:{port}/ (Ctrl-C stops it)", err=True)
    # uvicorn's own access log would print query strings; ours (drg.web) prints the path only
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning", server_header=False,
                limit_concurrency=200, timeout_keep_alive=5)


def _warm_up() -> None:
    """Load the newest version and the code titles before the first request, so that the first
    case a coder enters answers as fast as the next."""
    from drg.tables import available_versions, load
    from drg.tables.titles import title

    newest = load(available_versions()[-1])
    title("dx", "I10", newest.version.fiscal_year)
    title("pr", "02703DZ", newest.version.fiscal_year)


COMMANDS = [serve]
