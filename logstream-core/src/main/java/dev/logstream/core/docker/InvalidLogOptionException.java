package dev.logstream.core.docker;

import dev.logstream.core.LogstreamException;

/**
 * Thrown when grid-api's {@code --logstream-opts} (or the map given to {@link
 * LogstreamSettings.Builder#opts}) would make Docker refuse to start a container, or conflicts with
 * what logstream sets itself.
 *
 * <p>The message names the option and its value, in dockerd's words where dockerd has words for it,
 * e.g. {@code unknown log opt 'x' for fluentd log driver} or {@code log-opt fluentd-async 'yes' is
 * not a boolean (use true or false)}. It is raised when the settings are built, so a bad option
 * fails when grid-api starts rather than when Mesos starts a container.
 */
public class InvalidLogOptionException extends LogstreamException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception whose message names the option and its value.
   *
   * @param message what was wrong, naming the option and the value
   */
  public InvalidLogOptionException(String message) {
    super(message);
  }
}
