"""The one error a roster import raises for bad input."""

from __future__ import annotations


class RosterImportError(Exception):
    """A roster file that cannot be imported; nothing was written.

    `line` is the physical line in the file (the header is line 1); `line` and `field`
    are None when the problem is the file or the folder as a whole.
    """

    def __init__(self, file: str, line: int | None, field: str | None, message: str) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.field is not None:
            where += f', field "{self.field}"'
        return f"{where}: {self.message}"
