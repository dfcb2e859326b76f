/**
 * The model every logstream module shares: {@link dev.logstream.core.EventTime}, log events and
 * their zero-copy record views, the grid tag codec, the Kinesis record encoder and decoder, the
 * Docker log-driver parameters grid-api passes to Mesos, and Kinesis shard capacity math.
 */
package dev.logstream.core;
