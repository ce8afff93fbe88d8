// An error a caller can act on: a message that says what is wrong, and the HTTP
// status the API answers with (the CLI prints the message). Each area names its
// own subclass so logs say where it came from.
export class StatusError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
