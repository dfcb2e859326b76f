/**
 * Delivery to Amazon Kinesis Data Streams: a sink that sends batches with PutRecords and answers
 * one outcome per record, optional KPL aggregation, and a capacity monitor.
 */
package dev.logstream.kinesis;
