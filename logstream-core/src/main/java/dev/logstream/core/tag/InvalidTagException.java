package dev.logstream.core.tag;

import dev.logstream.core.LogstreamException;

/**
 * Thrown by the strict side of the tag codec ({@link TagCodec#parse}, {@link GridId#parse} and the
 * record constructors) when a tag or id breaks the grammar documented on {@link TagCodec}.
 *
 * <p>The message names the part that is wrong ({@code tag}, {@code tag prefix}, {@code
 * manifest-id}, {@code app-id} or {@code id}), the segment where there is one, and the offending
 * value, so grid-api can return it to its caller unchanged. The ingest side never throws this: it
 * uses {@link TagCodec#classify} instead.
 */
public class InvalidTagException extends LogstreamException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception whose message names the bad part and its value.
   *
   * @param message what was wrong, naming the part and the value
   */
  public InvalidTagException(String message) {
    super(message);
  }
}
