/**
 * The crash-safe buffer between the receiver and the network: a segment buffer keeps CRC-32C framed
 * records in fixed-size memory-mapped segment files and recovers them after a crash; a dispatcher
 * delivers them to a sink in batches, retrying failed records under a retry policy and moving the
 * ones it gives up on to a dead-letter store.
 */
package dev.logstream.buffer;
