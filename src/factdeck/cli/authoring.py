"""The authoring commands (`new`, `kinds`, `schema`, `serve`): options and help here, the
work in their own modules, imported only when a command runs so `--help` stays fast."""

from __future__ import annotations

from pathlib import Path

import click

from factdeck.cli.terminal import (
    QuietOption,
    VerboseOption,
    page,
    report_warnings,
    row,
    say,
    success,
)
from factdeck.errors import shown_path


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--from",
    "article",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An article (plain text or Markdown): its headings become the deck's "
    "source sections, its sentences draft claims in claims.yaml.",
)
@click.option(
    "--deck",
    "deck_name",
    metavar="NAME",
    help="A new course's first deck: cards/NAME [default: the course folder's name].",
)
@QuietOption
@VerboseOption
def new(path: Path, article: Path | None, deck_name: str | None) -> None:
    """Start a deck, or a course repository with its first deck. Inside a project
    (cards/ here or above), PATH is a deck folder: a commented deck.yaml, one example
    fact of every kind, an example diagram and claims.yaml, which build at once, each
    naming its editor schema (schemas/). Anywhere else, PATH becomes a course: that
    deck in cards/, a README for students and instructors, .gitignore, .gitattributes
    (the lock's merge rule), requirements.txt (this factdeck) and a GitHub Actions
    workflow that checks every push and publishes a tagged release.

    \b
    Examples:
      factdeck new knee-course                  a course, its deck in cards/knee-course
      factdeck new knee-course --deck knee --from knee-article.md
      factdeck new cards/knee                   another deck, inside a course
      factdeck serve cards/knee                 then edit, and watch the cards change
    """
    from factdeck.render.project import in_project

    if in_project(path):
        if deck_name is not None:
            raise click.UsageError(
                f"--deck names a new course's first deck; {path} is a deck inside a project"
            )
        from factdeck.authoring.scaffold import new_deck

        made = new_deck(path, article)
        say(success("Created"), f" {path}")
        _say_deck(made.files, made.sections, made.claims, article)
        say(f"Next: factdeck serve {path}   (live preview while you edit)")
        return
    from factdeck.authoring.course import committed_wheel, new_course

    course = new_course(path, deck_name, article)
    deck = course.deck.deck_dir.relative_to(path)
    say(success("Created"), f" course {path}, deck {deck}")
    for file in course.files:
        say(row("file", str(file)))
    _say_deck(course.deck.files, course.deck.sections, course.deck.claims, article)
    if course.unreachable:
        report_warnings(
            (
                f"{path / 'requirements.txt'}: pins factdeck as installed from "
                f"{course.unreachable}, which a clone of the course and its CI cannot install "
                "from; before pushing, replace it with `factdeck @ git+https://...@COMMIT`, a "
                "wheel's web address or a wheel committed to the course "
                f"({committed_wheel(course.unreachable)})",
            )
        )
    say(f"Next: cd {path} && git init && factdeck serve {deck}   (see README.md)")


def _say_deck(files: tuple[Path, ...], sections: int, claims: int, article: Path | None) -> None:
    for path in files:
        say(row("file", str(path)))
    say(row("sections", str(sections)))
    say(row("claims", f"{claims}{' drafts, none carded yet' if article else ''}"))


@click.command()
@click.argument("kind", required=False)
@click.option(
    "--markdown", is_flag=True, help="Print the whole reference as Markdown (docs/kinds.md)."
)
@click.option(
    "--templates",
    "templates_dir",
    default=None,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Templates folder [default: nearest templates/ here or above].",
)
def kinds(kind: str | None, markdown: bool, templates_dir: Path | None) -> None:
    """The field reference: each kind's fields (type, required or optional, single
    value or list, what it is for) and the notes they make, with their wording.

    \b
    Examples:
      factdeck kinds                 every kind
      factdeck kinds nerve           one kind
      factdeck kinds --markdown > docs/kinds.md
    """
    from factdeck.authoring import reference
    from factdeck.render.layers import find_templates

    root = templates_dir or find_templates(Path.cwd())
    if markdown:
        text = reference.markdown(reference.kinds(root), reference.other_files())
        page(text)  # a project's templates say what kinds do
        return
    docs = (reference.kind(kind, root),) if kind else reference.kinds(root)
    page("\n".join("".join(f"{line}\n" for line in reference.text_lines(doc)) for doc in docs))


@click.command()
@click.argument("out_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@QuietOption
@VerboseOption
def schema(out_dir: Path | None) -> None:
    """Write JSON Schemas for deck.yaml, fact files and claims.yaml [default OUT_DIR:
    schemas/ of the project]. Editors with the YAML language server (VS Code's YAML
    extension, and others) use them through the first line of each file:

    \b
      # yaml-language-server: $schema=../../schemas/facts.schema.json

    \b
    Examples:
      factdeck schema
      factdeck schema /tmp/schemas
    """
    from factdeck.authoring.schema import project_schemas, write_schemas
    from factdeck.render.project import project_root

    target = out_dir or project_schemas(project_root(Path.cwd()))
    for path in write_schemas(target):
        say(row("schema", str(shown_path(path))))


@click.command()
@click.argument(
    "deck_dir", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the preview is written [default: the project's dist/].",
)
@click.option("--open", "open_page", is_flag=True, help="Open the page in the browser.")
@QuietOption
@VerboseOption
def serve(deck_dir: Path | None, port: int, out_dir: Path | None, open_page: bool) -> None:
    """Live preview: build the deck's preview, serve it on 127.0.0.1, and rebuild
    and reload the open page whenever a file under cards/ or templates/ changes.
    A build error shows in the page (file:line: message) until it is fixed.
    Ctrl-C stops. Without DECK_DIR: the only deck under cards/.

    \b
    Examples:
      factdeck serve cards/knee
      factdeck serve --port 8123
    """
    from factdeck.cli.serve import serve as run

    run(deck_dir, port, out_dir, open_page)


COMMANDS = (new, kinds, schema, serve)
