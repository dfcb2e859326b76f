package dev.logstream.buffer;

import java.util.List;

/**
 * What {@link SegmentBuffer} found on disk when it opened: every frame was read and its CRC-32C
 * checked; nothing damaged is ever handed to a reader.
 *
 * @param checkpoint what the checkpoint file held: {@code VALID}, {@code MISSING}, {@code EMPTY} or
 *     {@code CORRUPT} (a missing or bad checkpoint means every record found is delivered again)
 * @param committedSequence the sequence up to which records were delivered before, 0 if none
 * @param segmentsScanned segment files read
 * @param segmentsWithRecords segments that still hold undelivered records
 * @param segmentsQuarantined damaged segment files moved to {@code quarantine/} without a readable
 *     frame
 * @param recordsRecovered undelivered records available to readers
 * @param recordsLost records known to be missing (gaps in the sequence numbers after a damaged
 *     region, or a missing segment if the checkpoint is valid), counted into the buffer's loss
 *     metrics
 * @param bytesSkipped bytes of damaged frames and torn tails that were cut or jumped over
 * @param tornTails segments whose last frame was incompletely written (a crash mid-append)
 * @param firstSequence the first undelivered sequence, 0 if none
 * @param lastSequence the highest sequence found, 0 if none
 * @param unknownFiles names of files in the directory that are not the buffer's (left alone)
 * @param problems one line per damage found, naming the file, the offset and what was wrong
 */
public record RecoveryReport(
    CheckpointState checkpoint,
    long committedSequence,
    int segmentsScanned,
    int segmentsWithRecords,
    int segmentsQuarantined,
    long recordsRecovered,
    long recordsLost,
    long bytesSkipped,
    int tornTails,
    long firstSequence,
    long lastSequence,
    List<String> unknownFiles,
    List<String> problems) {

  /** What the checkpoint file held when the buffer opened. */
  public enum CheckpointState {
    /** A checkpoint with a valid CRC. */
    VALID,
    /** No checkpoint file: a new buffer, or one whose checkpoint was deleted. */
    MISSING,
    /** A checkpoint file of zero bytes. */
    EMPTY,
    /** A checkpoint file of the wrong size, magic number, version or CRC. */
    CORRUPT
  }

  /**
   * Copies the lists.
   *
   * @param checkpoint what the checkpoint file held
   * @param committedSequence the delivered sequence from the checkpoint
   * @param segmentsScanned segment files read
   * @param segmentsWithRecords segments with undelivered records
   * @param segmentsQuarantined damaged segments moved aside
   * @param recordsRecovered undelivered records available
   * @param recordsLost records known to be missing
   * @param bytesSkipped bytes cut or jumped over
   * @param tornTails incompletely written last frames
   * @param firstSequence first undelivered sequence
   * @param lastSequence highest sequence found
   * @param unknownFiles files that are not the buffer's
   * @param problems one line per damage found
   */
  public RecoveryReport {
    java.util.Objects.requireNonNull(checkpoint, "checkpoint");
    unknownFiles = List.copyOf(unknownFiles);
    problems = List.copyOf(problems);
  }

  /**
   * Whether the directory was exactly as a clean shutdown leaves it.
   *
   * @return true if no damage, torn tail, loss or unknown file was found and the checkpoint was
   *     valid (or the buffer is new)
   */
  public boolean clean() {
    return problems.isEmpty()
        && unknownFiles.isEmpty()
        && recordsLost == 0
        && tornTails == 0
        && (checkpoint == CheckpointState.VALID || segmentsScanned == 0);
  }

  /**
   * One line for a startup log.
   *
   * @return a summary such as {@code recovered 120 records in 2 segments (sequences 81..200)}
   */
  public String summary() {
    StringBuilder s = new StringBuilder();
    s.append("recovered ")
        .append(recordsRecovered)
        .append(" undelivered records in ")
        .append(segmentsWithRecords)
        .append(" of ")
        .append(segmentsScanned)
        .append(" segments");
    if (recordsRecovered > 0) {
      s.append(" (sequences ").append(firstSequence).append("..").append(lastSequence).append(')');
    }
    s.append("; checkpoint ").append(checkpoint.name().toLowerCase(java.util.Locale.ROOT));
    if (tornTails > 0) {
      s.append("; ").append(tornTails).append(" torn tail(s) cut");
    }
    if (bytesSkipped > 0 || recordsLost > 0) {
      s.append("; skipped ")
          .append(bytesSkipped)
          .append(" damaged bytes, ")
          .append(recordsLost)
          .append(" records lost");
    }
    if (segmentsQuarantined > 0) {
      s.append("; ").append(segmentsQuarantined).append(" segment(s) quarantined");
    }
    if (!unknownFiles.isEmpty()) {
      s.append("; unknown files left alone: ").append(unknownFiles);
    }
    return s.toString();
  }
}
