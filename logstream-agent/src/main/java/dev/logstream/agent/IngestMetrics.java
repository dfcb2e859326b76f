package dev.logstream.agent;

/**
 * Counters of a {@link Pipeline}'s ingest path, from decoded frames to records in the buffer.
 * Cumulative since the pipeline started.
 *
 * @param frames frames handed to the pipeline by the forward server (a frame refused because the
 *     buffer was full and offered again counts again)
 * @param events events in those frames
 * @param recordsStored Kinesis records appended to the buffer (with partial-line reassembly, a
 *     reassembled line is one record)
 * @param bytesStored bytes of those records
 * @param framesBackpressured frames refused because the buffer was full under the {@code block}
 *     policy: the server stopped reading that connection until there was room
 * @param framesFailed frames that could not be stored (buffer full under {@code reject}, buffer
 *     failed or closed, a record larger than a segment): no ack, the connection is closed and the
 *     client resends
 * @param foreignTagEvents events whose tag is not a grid tag of the configured prefix; they are
 *     stored like any other
 * @param encodingErrors events whose record could not be encoded (a record view breaking its
 *     contract, which the decoder's validation should make impossible); each is logged and left
 *     out, and the rest of its frame is stored and acknowledged, so one bad event cannot make a
 *     client resend forever
 * @param heldEventsLost events of partial lines that were acknowledged piece by piece, held by the
 *     reassembly, and could not be stored when flushed (the buffer failed, or refused them under
 *     {@code reject}): the one way the pipeline loses acknowledged data, logged as an error and
 *     only possible with partial-line reassembly on
 */
public record IngestMetrics(
    long frames,
    long events,
    long recordsStored,
    long bytesStored,
    long framesBackpressured,
    long framesFailed,
    long foreignTagEvents,
    long encodingErrors,
    long heldEventsLost) {}
