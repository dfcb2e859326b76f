package dev.logstream.agent;

/** An agent option, from the command line or the config file, that is not valid. */
public final class AgentOptionsException extends PipelineException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message names the flag (or config key) and the value, e.g. {@code --fsync: expected
   *     never, always or a duration like 500ms, got 'sometimes'}
   */
  public AgentOptionsException(String message) {
    super(message);
  }
}
