package dev.logstream.kinesis;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.SinkRecord;
import java.util.List;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * Turns a batch the dispatcher hands the sink into PutRecords requests: the hook where KPL
 * aggregation plugs in. The plain planner ({@link PlainRequestPlanner}) makes one entry per record;
 * an aggregating planner would make one entry per aggregate, covering several records.
 *
 * <p>A planner must keep every request within the Kinesis limits it was built with (entries per
 * request, data plus partition key bytes per entry and per request), and must either cover each
 * record of the batch by exactly one entry or answer it in {@code outcomes} (e.g. fatal {@code
 * TOO_LARGE}), never both and never neither.
 */
interface RequestPlanner {

  /**
   * Plans the requests of one batch.
   *
   * @param batch the records, as the dispatcher handed them
   * @param outcomes one slot per record; the planner fills the slots of records it will not send
   *     and leaves the others null
   * @return the requests, possibly none
   */
  List<PlannedRequest> plan(List<SinkRecord> batch, RecordOutcome[] outcomes);

  /**
   * One PutRecords request's entries and the batch records each entry carries: entry {@code e}
   * carries the records at {@code recordIndices[entryStart[e]]} up to (excluding) {@code
   * recordIndices[entryStart[e + 1]]}.
   *
   * @param entries the request entries, in request order
   * @param entryStart {@code entries.size() + 1} offsets into {@code recordIndices}
   * @param recordIndices indices into the batch
   * @param entryBytes data plus partition key UTF-8 bytes of each entry, as Kinesis counts them
   * @param bytes the sum of {@code entryBytes}
   */
  record PlannedRequest(
      List<PutRecordsRequestEntry> entries,
      int[] entryStart,
      int[] recordIndices,
      int[] entryBytes,
      long bytes) {}
}
