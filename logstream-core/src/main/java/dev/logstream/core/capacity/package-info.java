/**
 * Kinesis Data Streams shard capacity math: how many shards a write load needs at a target
 * utilization, with or without KPL aggregation, how many shards shared-throughput consumers need to
 * read it, and how busy a given shard count is compared to the alarm threshold.
 *
 * <p>Entry point: {@link dev.logstream.core.capacity.ShardCalculator#builder()}. All comparisons
 * against a limit are exact (integer arithmetic on the decimal value of the target), so a load
 * exactly at the target never needs an extra shard.
 */
package dev.logstream.core.capacity;
