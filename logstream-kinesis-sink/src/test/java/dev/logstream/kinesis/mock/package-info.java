/**
 * Kinesis emulators for the sink's tests, run by the tests themselves.
 *
 * <ul>
 *   <li>{@link dev.logstream.kinesis.mock.KinesisMockExtension}: a JUnit 5 extension that installs
 *       kinesis-mock (npm {@code kinesis-local} 0.6.2) or kinesalite (npm 3.3.3) with npm into
 *       {@code ~/.cache/logstream/<package>-<version>} when missing (system property {@code
 *       logstream.emulators.dir} moves the root), starts it with {@code node} from its package
 *       folder on free loopback ports, waits until every stream is {@code ACTIVE}, and stops it
 *       after the test class. Output: {@code target/kinesis-mock/<test class>-<n>.log}. Node.js and
 *       npm must be on the PATH.
 *   <li>{@link dev.logstream.kinesis.mock.StreamReader}: reads every record of every shard back
 *       with {@code GetShardIterator} + {@code GetRecords}.
 * </ul>
 *
 * <p>kinesis-mock speaks CBOR (the SDK's default) over HTTP/1.1; set the protocol explicitly, since
 * the SDK's HTTP/2 attempt hangs it. kinesalite needs CBOR off: build its clients with {@link
 * dev.logstream.kinesis.mock.KinesisMockExtension#build}, or, for a client built elsewhere (the
 * sink's), the sink's CBOR-off option. Both are correctness endpoints, not throughput ones
 * (kinesis-mock: about 1,000 records/s).
 */
package dev.logstream.kinesis.mock;
