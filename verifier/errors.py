"""One exception tree and one exit-code table for the whole tool.

    VerifierError                 every failure the tool reports on purpose
    ├── InputError                bad input or usage: exit 2
    │   ├── ClaimsError           a claims file is invalid; carries every Problem found
    │   ├── SettingsError         a setting (option, VERIFIER_* variable, verifier.toml) is invalid
    │   ├── ExtractError          an article could not be read or turned into claims
    │   ├── OutputExistsError     refusing to overwrite a file without --force
    │   └── NotADatabaseError     the database path names a file that is not verifier's
    ├── BusyError                 another run holds the database: exit 4
    ├── InterruptedRun            a signal (SIGTERM, Ctrl-C) stopped a run, or its deadline left
    │                             no time for its summary: exit 3
    └── StoreError                the history database cannot be used: exit 3

Third-party exceptions (yaml, sqlite3, aiohttp...) are caught in the module that calls the library
and re-raised as one of these, so callers never import another library's exceptions.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    """What a run's exit status means; every command uses this table."""

    OK = 0  # success, nothing to act on
    FINDINGS = 1  # findings that the run was asked to fail on
    BAD_INPUT = 2  # bad input or usage
    INTERNAL = 3  # internal error (a bug, an unusable database), or stopped by a signal
    BUSY = 4  # another run holds the database


class VerifierError(Exception):
    """Base of every error the tool reports as one line on stderr."""

    exit_code: ExitCode = ExitCode.INTERNAL


class InputError(VerifierError):
    exit_code = ExitCode.BAD_INPUT


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where it is and what it is."""

    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class ClaimsError(InputError):
    """A claims file (or several) is invalid; carries every problem, and its message lists the
    first MAX_LISTED of them: past that, a file is wrong throughout and more lines only bury
    the first, which is usually the cause."""

    MAX_LISTED = 50

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        if count == 1:
            super().__init__(str(problems[0]))
            return
        lines = [f"{count} problems in claims:", *(f"  {p}" for p in problems[:self.MAX_LISTED])]
        if count > self.MAX_LISTED:
            lines.append(f"  and {count - self.MAX_LISTED:,} more")
        super().__init__("\n".join(lines))


class SettingsError(InputError):
    pass


class ExtractError(InputError):
    pass


class OutputExistsError(InputError):
    pass


class NotADatabaseError(InputError):
    pass


class BusyError(VerifierError):
    exit_code = ExitCode.BUSY


class StoreError(VerifierError):
    exit_code = ExitCode.INTERNAL


class InterruptedRun(VerifierError):
    exit_code = ExitCode.INTERNAL
