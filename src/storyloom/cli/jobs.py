"""Job commands: ``jobs`` (what runs, what was interrupted), ``cancel`` and ``resume``.

    $ storyloom jobs films/trip
    3f2a9c0d1b7e  render  interrupted 46%  interrupted: its process stopped at 46%; ...
    $ storyloom resume films/trip 3f2a9c0d1b7e
    $ storyloom cancel films/trip 3f2a9c0d1b7e
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from storyloom.cli.app import app, progress_bar
from storyloom.errors import BadInput

LibraryDir = typer.Argument(..., help="the project's library folder", show_default=False)
JobArg = typer.Argument(..., help="the job's id (see `storyloom jobs`)", show_default=False)


def _library(path: Path):
    from storyloom.store import Library
    if not (path / "library.sqlite").exists():
        raise BadInput(f"{path}: not a Storyloom library (no library.sqlite)")
    return Library.open(path)


@app.command()
def jobs(path: Path = LibraryDir,
         project: Optional[str] = typer.Option(None, "--project", help="only this project's jobs"),
         limit: int = typer.Option(20, "--limit", help="at most this many, newest first")):
    """List the library's jobs, newest first: state, progress, what each attempt did."""
    from storyloom.studio.resumable import job_said
    found = _library(path).jobs(project)[:max(1, limit)]
    for job in found:
        typer.echo(job_said(job))
    if any(j.resumable for j in found):
        typer.echo("resume one with `storyloom resume DIR JOB` (or run its command again)")
    if not found:
        typer.echo("no jobs yet")


@app.command()
def cancel(path: Path = LibraryDir, job: str = JobArg):
    """Stop a job, whichever process runs it (it stops at its next progress step, saving nothing)."""
    info = _library(path).request_cancel(job)
    if info.state == "done":
        typer.echo(f"job {job}: is done already")
    elif info.state in ("cancelled", "failed", "interrupted"):
        typer.echo(f"job {job}: {info.state} (not running)")
    else:
        typer.echo(f"job {job}: asked to stop; it stops at its next progress step")


@app.command()
def resume(path: Path = LibraryDir, job: str = JobArg):
    """Finish an interrupted, cancelled or failed job: only what it had not finished is done."""
    from storyloom.studio.resumable import job_said, resume as resume_job
    lib = _library(path)
    kind = lib.job(job).kind
    with progress_bar() as bar:
        task = bar.add_task(f"resuming {kind}", total=1.0)
        resume_job(lib, job, progress=lambda f, m="": bar.update(task, completed=f, description=m or kind))
    typer.echo(job_said(lib.job(job)))
