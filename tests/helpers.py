"""Small helpers shared by the command tests."""

from __future__ import annotations


class Echo:
    """Collects what a command echoes, like click.echo(text, nl=True, err=False)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.err: list[str] = []

    def __call__(self, text: str, nl: bool = True, err: bool = False) -> None:
        (self.err if err else self.out).append(text + ("\n" if nl else ""))

    @property
    def stdout(self) -> str:
        return "".join(self.out)

    @property
    def stderr(self) -> str:
        return "".join(self.err)
