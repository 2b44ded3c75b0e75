"""A progress line on stderr for the long-running commands: a bar on a terminal, else quiet."""

import sys
from typing import TextIO, cast

from django.core.management.base import OutputWrapper


def command_stream(wrapper: OutputWrapper) -> TextIO:
    """The stream under a command's stdout/stderr, which writes without adding line endings."""
    # django-stubs does not declare OutputWrapper._out (its __getattr__ claims a callable).
    return cast(TextIO, wrapper._out)


class Progress:
    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.live = self.stream.isatty()

    def __call__(self, done: int, total: int, label: str) -> None:
        if not self.live or total <= 0:
            return
        filled = round(self.width * done / total)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} {label:<20}")
        self.stream.flush()

    def end(self) -> None:
        if self.live:
            self.stream.write("\r" + " " * (self.width + 40) + "\r")
            self.stream.flush()
