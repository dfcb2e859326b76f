package dev.logstream.core.sink;

/**
 * Why a record can never be delivered as it is, however often it is resent. The dispatcher moves a
 * record with a fatal outcome to the dead-letter store at once.
 */
public enum FatalReason {
  /** The record is larger than the destination accepts for one record. */
  TOO_LARGE,

  /**
   * The destination rejected the record or its request as malformed, e.g. Kinesis {@code
   * InvalidArgumentException}.
   */
  INVALID,

  /**
   * The credentials may not write to the destination, e.g. Kinesis {@code AccessDeniedException} or
   * a KMS key the role may not use.
   */
  ACCESS_DENIED,

  /**
   * The destination does not exist, e.g. Kinesis {@code ResourceNotFoundException} for a deleted
   * stream or a disabled or missing KMS key.
   */
  NOT_FOUND
}
