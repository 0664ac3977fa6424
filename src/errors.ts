/** A problem the operator can fix, said in one message without a stack trace; exit 1 unless told. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
