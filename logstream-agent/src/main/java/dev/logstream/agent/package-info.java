/**
 * The reference agent and the {@link dev.logstream.agent.Pipeline} it is built from: a forward
 * server whose frames are encoded into Kinesis records, appended to a segment buffer and
 * acknowledged once stored, and a dispatcher that delivers the buffer to a sink.
 */
package dev.logstream.agent;
