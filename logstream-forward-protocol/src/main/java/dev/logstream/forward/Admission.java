package dev.logstream.forward;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A {@link FrameHandler}'s answer to a frame: taken (with a stage that completes once its events
 * are stored at the configured durability), or not now because storage is full.
 */
public sealed interface Admission permits Admission.Accepted, Admission.Full {

  /**
   * The frame's events were handed to storage.
   *
   * @param stored completes normally once every event is stored (then the ack goes out), or
   *     exceptionally if storing failed (then no ack, and the connection is closed so the client
   *     resends)
   */
  record Accepted(CompletionStage<?> stored) implements Admission {
    /**
     * Checks the stage.
     *
     * @param stored completes once every event is stored
     */
    public Accepted {
      Objects.requireNonNull(stored, "stored");
    }
  }

  /**
   * Storage is full: nothing of the frame was taken. The server stops reading from the connection
   * (TCP backpressure reaches the client) and offers the same frame again once {@code retry}
   * completes.
   *
   * @param retry completes when it is worth trying again
   */
  record Full(CompletionStage<?> retry) implements Admission {
    /**
     * Checks the stage.
     *
     * @param retry completes when it is worth trying again
     */
    public Full {
      Objects.requireNonNull(retry, "retry");
    }
  }

  /**
   * The frame was taken and its events are stored already.
   *
   * @param stored the completed (or completing) stage
   * @return an accepted admission
   */
  static Admission accepted(CompletionStage<?> stored) {
    return new Accepted(stored);
  }

  /**
   * Storage is full; try again when {@code retry} completes.
   *
   * @param retry completes when there is space
   * @return a full admission
   */
  static Admission full(CompletionStage<?> retry) {
    return new Full(retry);
  }
}
