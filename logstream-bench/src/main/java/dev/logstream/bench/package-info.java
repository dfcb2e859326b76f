/**
 * JMH benchmarks of logstream's hot paths, each next to the peer approach and a plain memory copy
 * in the same run. Build and run with {@code ./logstream bench [JMH options]}.
 */
package dev.logstream.bench;
