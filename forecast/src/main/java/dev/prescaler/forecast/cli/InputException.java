package dev.prescaler.forecast.cli;

/** Bad input to the command: the message is one line naming the file, the line and the problem. */
final class InputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  InputException(String message) {
    super(message);
  }

  static InputException at(String file, int line, String problem) {
    return new InputException(file + ":" + line + ": " + problem);
  }
}
