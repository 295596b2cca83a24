"""`factdeck templates`: which template files a project's builds use, and copying built-in
ones into the project to customise them."""

from __future__ import annotations

from pathlib import Path

import click

from factdeck.cli.terminal import QuietOption, VerboseOption, escaped_line, page, row, say, success
from factdeck.errors import shown_path

ProjectOption = click.option(
    "--project",
    "project_dir",
    default=None,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The course project [default: the one holding the current folder].",
)


@click.group()
def templates() -> None:
    """The card templates: factdeck's built-in set, overridden file by file by the
    project's own templates/ folder (a file there replaces the built-in file of the
    same name; everything else stays built-in and follows factdeck's upgrades).

    \b
    Examples:
      factdeck templates list
      factdeck templates eject note-types/qa/front.html
    """


@templates.command("list")
@ProjectOption
def list_(project_dir: Path | None) -> None:
    """Every template file a build reads, and where from: 'built-in' or 'project'.

    \b
    Examples:
      factdeck templates list
      factdeck templates list --project ~/courses/anatomy
    """
    from factdeck.authoring.eject import listing
    from factdeck.render.layers import find_templates, layers
    from factdeck.render.project import project_root

    root = project_root(project_dir or Path.cwd())
    for item in listing(layers(find_templates(root))):
        page(f"{'project ' if item.overridden else 'built-in'}  {escaped_line(item.name)}\n")


@templates.command()
@click.argument("names", metavar="[FILE]...", nargs=-1)
@ProjectOption
@QuietOption
@VerboseOption
def eject(names: tuple[str, ...], project_dir: Path | None) -> None:
    """Copy built-in template files into the project's templates/ to edit them.

    FILE is a file or folder of the built-in set (see `factdeck templates list`);
    none copies the whole set. A file the project already has is kept as it is.
    A copied file no longer follows factdeck's upgrades: copy only what you change.

    \b
    Examples:
      factdeck templates eject partials/source.html
      factdeck templates eject note-types/qa      the Q/A cards' HTML
      factdeck templates eject                    everything
    """
    from factdeck.authoring.eject import eject as copy_files
    from factdeck.render.project import project_root

    done = copy_files(project_root(project_dir or Path.cwd()), names)
    for path in done.copied:
        say(row("copied", str(shown_path(path))))
    for path in done.kept:
        say(row("kept", f"{shown_path(path)} (the project's own copy)"))
    say(
        success("Ejected"),
        f" {len(done.copied)} file{'' if len(done.copied) == 1 else 's'}"
        + (f", kept {len(done.kept)} the project had" if done.kept else ""),
    )
