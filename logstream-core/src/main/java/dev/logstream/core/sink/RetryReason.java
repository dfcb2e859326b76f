package dev.logstream.core.sink;

/**
 * Why a record was not delivered this time but may be on a later attempt.
 *
 * <p>The dispatcher treats every reason the same way (backoff, then resend only the failed
 * records); the reason is kept for metrics and, if the record is finally given up, for its dead
 * letter.
 */
public enum RetryReason {
  /**
   * The destination refused the record for lack of capacity, e.g. Kinesis {@code
   * ProvisionedThroughputExceededException} or KMS throttling.
   */
  THROTTLED,

  /**
   * The destination failed internally while handling the record, e.g. Kinesis {@code
   * InternalFailure}; a later attempt usually succeeds.
   */
  INTERNAL_FAILURE,

  /** The request carrying the record did not complete in time. */
  TIMEOUT,

  /**
   * The request carrying the record failed below the application protocol (connection refused or
   * reset, DNS, TLS), so the whole batch is retryable.
   */
  NETWORK
}
