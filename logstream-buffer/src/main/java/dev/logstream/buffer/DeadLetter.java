package dev.logstream.buffer;

import dev.logstream.core.sink.RecordOutcome;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A record the {@link Dispatcher} gave up on, with why and when: its sink reported a fatal outcome,
 * it was too large for the sink, or its attempts or age ran out.
 *
 * <p>The payload array is shared, not copied, like {@link dev.logstream.core.sink.SinkRecord}'s: it
 * is the dispatcher's copy of the record's bytes, exactly sized, and must not be modified. Equality
 * compares payloads by content.
 *
 * @param sequence the record's sequence number in the buffer, {@code >= 0}
 * @param payload the record's bytes, exactly as stored; shared, not copied
 * @param outcome the last outcome: {@link RecordOutcome.Fatal} for a record that cannot be
 *     delivered as it is, or the last {@link RecordOutcome.Retryable} of a record whose attempts or
 *     age ran out; never {@link RecordOutcome.Delivered}
 * @param attempts how many times the record was sent, {@code >= 0}; 0 for a record rejected before
 *     sending (larger than the sink accepts)
 * @param firstAttempt when the record was first sent, or rejected if it never was
 * @param lastAttempt when the record was last sent, or rejected if it never was
 */
public record DeadLetter(
    long sequence,
    byte[] payload,
    RecordOutcome outcome,
    int attempts,
    Instant firstAttempt,
    Instant lastAttempt) {

  /**
   * Checks the components.
   *
   * @param sequence the record's sequence number, {@code >= 0}
   * @param payload the record's bytes, not copied
   * @param outcome the last outcome, not {@link RecordOutcome.Delivered}
   * @param attempts how many times the record was sent, {@code >= 0}
   * @param firstAttempt when the record was first sent or rejected
   * @param lastAttempt when the record was last sent or rejected
   * @throws NullPointerException if an object component is null
   * @throws IllegalArgumentException naming the component and its value, if {@code sequence} or
   *     {@code attempts} is negative or {@code outcome} is {@link RecordOutcome.Delivered}
   */
  public DeadLetter {
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(firstAttempt, "firstAttempt");
    Objects.requireNonNull(lastAttempt, "lastAttempt");
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence must be >= 0, got " + sequence);
    }
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must be >= 0, got " + attempts);
    }
    if (outcome instanceof RecordOutcome.Delivered) {
      throw new IllegalArgumentException("outcome must be a failure, got " + outcome);
    }
  }

  /**
   * The name of the outcome's reason, e.g. {@code THROTTLED} or {@code TOO_LARGE}: a {@link
   * dev.logstream.core.sink.RetryReason} or {@link dev.logstream.core.sink.FatalReason} constant
   * (the two sets of names do not overlap).
   *
   * @return the reason's name
   */
  public String reason() {
    if (outcome instanceof RecordOutcome.Fatal fatal) {
      return fatal.reason().name();
    }
    return ((RecordOutcome.Retryable) outcome).reason().name();
  }

  /**
   * The outcome's detail text, the destination's own explanation.
   *
   * @return the detail, possibly empty
   */
  public String detail() {
    if (outcome instanceof RecordOutcome.Fatal fatal) {
      return fatal.detail();
    }
    return ((RecordOutcome.Retryable) outcome).detail();
  }

  /**
   * Whether the record was given up because it can never be delivered as it is, rather than after
   * its attempts or age ran out.
   *
   * @return true for a {@link RecordOutcome.Fatal} outcome
   */
  public boolean fatal() {
    return outcome instanceof RecordOutcome.Fatal;
  }

  /**
   * Compares every component, the payload by content (unlike a record's default, so that a letter
   * read back from a store equals the one written).
   *
   * @param other the object to compare with
   * @return whether {@code other} is a dead letter of the same record, outcome, attempts and times
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof DeadLetter that
        && sequence == that.sequence
        && Arrays.equals(payload, that.payload)
        && outcome.equals(that.outcome)
        && attempts == that.attempts
        && firstAttempt.equals(that.firstAttempt)
        && lastAttempt.equals(that.lastAttempt);
  }

  /**
   * Hashes every component, the payload by content.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Objects.hash(
        sequence, Arrays.hashCode(payload), outcome, attempts, firstAttempt, lastAttempt);
  }

  /**
   * Describes the dead letter without its payload's content.
   *
   * @return e.g. {@code DeadLetter[sequence=42, payload=310 bytes, outcome=..., attempts=17, ...]}
   */
  @Override
  public String toString() {
    return "DeadLetter[sequence="
        + sequence
        + ", payload="
        + payload.length
        + " bytes, outcome="
        + outcome
        + ", attempts="
        + attempts
        + ", firstAttempt="
        + firstAttempt
        + ", lastAttempt="
        + lastAttempt
        + ']';
  }
}
