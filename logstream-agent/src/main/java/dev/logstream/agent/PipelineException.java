package dev.logstream.agent;

/**
 * The root of the agent module's unchecked exceptions: a pipeline that cannot start, or an agent
 * option that is not valid.
 */
public class PipelineException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what went wrong, naming the option or component and the value
   */
  public PipelineException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what went wrong, naming the option or component and the value
   * @param cause the underlying failure
   */
  public PipelineException(String message, Throwable cause) {
    super(message, cause);
  }
}
