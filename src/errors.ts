// The one error type the domain throws. The HTTP layer answers it with its status and details; the CLI
// prints its message. Anything else is a bug: logged in full, answered as a bare 500.
export interface ErrorDetail {
  field?: string;
  row?: number;
  column?: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'AppError';
  }

  static notFound(what: string): AppError {
    return new AppError('not_found', 404, `${what} not found`);
  }

  static invalid(message: string, details: ErrorDetail[] = []): AppError {
    return new AppError('invalid_input', 400, message, details);
  }
}
