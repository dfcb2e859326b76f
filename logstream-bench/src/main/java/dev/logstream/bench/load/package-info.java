/**
 * A load generator for the agent's {@link dev.logstream.agent.Pipeline}: N TCP connections of
 * pre-encoded forward-protocol frames, in Docker's and fluency's shapes, against a pipeline started
 * in-process with the durable buffer on and a sink that discards. Not JMH: it measures a running
 * server. Run it with {@code ./logstream bench-load [--help]}.
 */
package dev.logstream.bench.load;
