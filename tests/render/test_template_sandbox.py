"""A project's templates cannot run code (issue 26): they arrive through the repository (a
student's pull request can override a partial), and Jinja without its sandbox let one reach
os.system through ''.__class__.__mro__ (a partial ran a shell command on build, check and
preview). Card and preview templates render in Jinja's sandbox: the attempt is refused with
the fact and the template, and nothing runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.hostile import refused

pytestmark = pytest.mark.usefixtures("in_project", "outside")


def escape(marker: Path) -> str:
    """A template that runs `touch marker` where Jinja is not sandboxed."""
    return (
        "{% for c in ''.__class__.__mro__[1].__subclasses__() %}"
        "{% if c.__name__ == '_wrap_close' %}"
        f"{{{{ c.__init__.__globals__['system']('touch {marker}') }}}}"
        "{% endif %}{% endfor %}\n"
    )


@pytest.mark.parametrize("command", ["build", "check", "preview", "release"])
def test_a_card_template_cannot_run_code(
    runner: CliRunner, project: Path, built_mini_deck: Path, outside: Path, command: str
) -> None:
    marker = outside / "ran"
    (project / "templates" / "partials" / "source.html").write_text(escape(marker))
    shown = refused(runner, project, built_mini_deck, [command])
    assert not marker.exists()
    assert "template failed: access to attribute '__class__' of 'str' object is unsafe" in shown
    assert shown.startswith("Error: cards/mini/facts.yaml:"), shown


def test_the_preview_page_template_cannot_run_code(
    runner: CliRunner, project: Path, built_mini_deck: Path, outside: Path
) -> None:
    marker = outside / "ran"
    page = project / "templates" / "preview" / "index.html.j2"
    page.write_text(escape(marker) + page.read_text())
    assert refused(runner, project, built_mini_deck, ["preview"]) == (
        "Error: templates/preview/index.html.j2: the preview page's template failed: access "
        "to attribute '__class__' of 'str' object is unsafe.\n"
    )
    assert not marker.exists()
