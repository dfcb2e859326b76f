package dev.logstream.core.sink;

import java.util.Objects;

/**
 * What happened to one record of a batch a {@link Sink} sent: {@link Delivered}, {@link Retryable}
 * (not this time, maybe later) or {@link Fatal} (never, as it is).
 *
 * <p>Create outcomes with {@link #delivered()}, {@link #retryable(RetryReason, String)} and {@link
 * #fatal(FatalReason, String)}. {@code delivered()} always returns the same instance, so reporting
 * a fully delivered batch allocates nothing per record.
 *
 * <p>The {@code detail} of a failure is the destination's own words (e.g. a Kinesis {@code
 * ErrorCode} and {@code ErrorMessage}); it ends up in logs and dead letters, so it must never
 * contain the record's payload.
 */
public sealed interface RecordOutcome
    permits RecordOutcome.Delivered, RecordOutcome.Retryable, RecordOutcome.Fatal {

  /**
   * Returns the outcome of a delivered record; always the same instance.
   *
   * @return {@link Delivered#INSTANCE}
   */
  static Delivered delivered() {
    return Delivered.INSTANCE;
  }

  /**
   * Returns the outcome of a record that may be delivered on a later attempt.
   *
   * @param reason why it failed this time
   * @param detail the destination's explanation, never the payload; may be empty
   * @return the outcome
   * @throws NullPointerException if an argument is null
   */
  static Retryable retryable(RetryReason reason, String detail) {
    return new Retryable(reason, detail);
  }

  /**
   * Returns the outcome of a record that can never be delivered as it is.
   *
   * @param reason why it can never be delivered
   * @param detail the destination's explanation, never the payload; may be empty
   * @return the outcome
   * @throws NullPointerException if an argument is null
   */
  static Fatal fatal(FatalReason reason, String detail) {
    return new Fatal(reason, detail);
  }

  /**
   * The record reached the destination: the dispatcher is done with it.
   *
   * <p>A singleton: use {@link RecordOutcome#delivered()}.
   */
  final class Delivered implements RecordOutcome {
    /** The only instance. */
    public static final Delivered INSTANCE = new Delivered();

    private Delivered() {}

    /**
     * Names the outcome.
     *
     * @return {@code "Delivered"}
     */
    @Override
    public String toString() {
      return "Delivered";
    }
  }

  /**
   * The record was not delivered this time; the dispatcher resends it after a backoff, or gives it
   * up to the dead-letter store once its attempts or age run out.
   *
   * @param reason why it failed this time
   * @param detail the destination's explanation, never the payload; may be empty
   */
  record Retryable(RetryReason reason, String detail) implements RecordOutcome {
    /**
     * Checks that both components are present.
     *
     * @param reason why it failed this time
     * @param detail the destination's explanation; may be empty
     * @throws NullPointerException if an argument is null
     */
    public Retryable {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /**
   * The record can never be delivered as it is; the dispatcher moves it to the dead-letter store at
   * once.
   *
   * @param reason why it can never be delivered
   * @param detail the destination's explanation, never the payload; may be empty
   */
  record Fatal(FatalReason reason, String detail) implements RecordOutcome {
    /**
     * Checks that both components are present.
     *
     * @param reason why it can never be delivered
     * @param detail the destination's explanation; may be empty
     * @throws NullPointerException if an argument is null
     */
    public Fatal {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }
  }
}
