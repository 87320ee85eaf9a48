// The exit codes of `mlp` (docs/projects.md): scripts and CI branch on them.
export const ExitCode = Object.freeze({
  /** Done. */
  OK: 0,
  /** The operation failed or a service refused it (4xx, a failed model, a failed training run). */
  FAILED: 1,
  /** Usage error, or the project files are invalid: nothing was sent. */
  INVALID: 2,
  /** A service could not be reached (connection refused, timeout, 502/503/504). */
  UNREACHABLE: 3,
});

/** An error that ends a command with an exit code and a message (and optional problems to list). */
export class CliError extends Error {
  constructor(exitCode, message, { problems = [], code, service } = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.problems = problems;
    this.code = code;
    this.service = service;
  }
}

export const usageError = (message) => new CliError(ExitCode.INVALID, message, { code: 'USAGE' });
